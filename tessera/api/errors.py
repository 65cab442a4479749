"""Every error of the API as RFC 9457 problem details (``application/problem+json``), in one place.

``{"type", "title", "status", "detail", "instance", "errors": {field: [message, …]}}``; ``errors`` only for
invalid input, one list of messages per field (``non_field_errors`` for the request as a whole).
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response

from tessera.core.errors import ApplicationError
from tessera.tickets.workflow import TransitionNotAllowed

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://tessera.invalid/problems/"  # a stable name per kind of problem, described in docs/api.md

_TITLES = {
    400: gettext_lazy("Invalid request"),
    401: gettext_lazy("Not authenticated"),
    403: gettext_lazy("Forbidden"),
    404: gettext_lazy("Not found"),
    405: gettext_lazy("Method not allowed"),
    406: gettext_lazy("Not acceptable"),
    409: gettext_lazy("Conflict"),
    415: gettext_lazy("Unsupported media type"),
    429: gettext_lazy("Too many requests"),
}


def problem(status_code: int, *, detail: str, instance: str = "", kind: str = "", errors=None) -> dict:
    body = {
        "type": TYPE_BASE + (kind or str(status_code)),
        "title": str(_TITLES.get(status_code, gettext_lazy("Error"))),
        "status": status_code,
        "detail": str(detail),
        "instance": instance,
    }
    if errors is not None:
        body["errors"] = errors
    return body


def _messages(value) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return [str(value)]


def _field_errors(detail) -> dict[str, list[str]]:
    """DRF's or Django's errors as ``{field: [message, …]}``; nested ones are named with dots (``cc.0``)."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = "non_field_errors" if key in ("__all__", None) else str(key)
            if isinstance(value, dict):
                for sub, messages in _field_errors(value).items():
                    flat[f"{name}.{sub}"] = messages
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                for index, item in enumerate(value):
                    for sub, messages in _field_errors(item).items():
                        flat[f"{name}.{index}.{sub}"] = messages
            else:
                flat[name] = _messages(value)
        return flat
    return {"non_field_errors": _messages(detail)}


def _django_validation_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): [str(m) for e in errors for m in e.messages]
            for field, errors in error.error_dict.items()
        }
    return {"non_field_errors": [str(message) for message in error.messages]}


def problem_exception_handler(exc, context):
    """DRF's exception handler: every error a problem document, never an HTML page or a bare ``{"detail"}``."""
    request = context.get("request")
    instance = request.path if request is not None else ""
    headers: dict[str, str] = {}
    errors = None
    kind = ""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, TransitionNotAllowed):
        status_code, kind = 409, "status-conflict"
        detail = _("This is not possible in the ticket's current status (%(status)s).") % {"status": exc.status}
    elif isinstance(exc, DjangoValidationError):
        status_code, errors = 400, _django_validation_errors(exc)
        detail, kind = _("The request has invalid fields."), "validation"
    elif isinstance(exc, ApplicationError):
        status_code, detail, kind = 400, exc.message, "refused"
        errors = {exc.field or "non_field_errors": [exc.message]}
    elif isinstance(exc, exceptions.ValidationError):
        status_code, errors = 400, _field_errors(exc.detail)
        detail, kind = _("The request has invalid fields."), "validation"
    elif isinstance(exc, exceptions.APIException):
        status_code = exc.status_code
        detail = exc.detail if isinstance(exc.detail, str) else _messages(exc.detail)[0]
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            headers["Retry-After"] = str(max(1, int(exc.wait + 0.999)))
        if status_code == status.HTTP_401_UNAUTHORIZED:
            authenticate = context["view"].get_authenticate_header(request) if request is not None else None
            if authenticate:
                headers["WWW-Authenticate"] = authenticate
    else:
        return None  # a real bug: the 500 page and the error log, as everywhere else
    return Response(
        problem(status_code, detail=detail, instance=instance, kind=kind, errors=errors),
        status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE,
    )


@csrf_exempt  # it changes nothing; a POST without a CSRF cookie still gets the JSON 404, not the CSRF page
def not_found(request, *args, **kwargs):
    """Any URL under /api/ that names nothing: a problem document, not the site's HTML page."""
    body = problem(404, detail=_("Nothing is found at this address. See /api/docs/."), instance=request.path)
    return JsonResponse(body, status=404, content_type=PROBLEM_CONTENT_TYPE)
