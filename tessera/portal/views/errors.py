"""The site's error pages, in its layout (tessera/urls.py names them handler400, handler403 and handler404).

Django calls these only outside DEBUG for a 404 (in DEBUG developers keep its technical pages). The 500 page
(templates/500.html) needs neither the database nor the user: it is drawn with the request id alone, which the
user can quote to support and which names the request's log lines (docs/deploy.md, "Logs").

- A customer whose account may not use tickets yet (not linked, waiting for approval, deactivated) is told
  so, and what happens next, instead of a bare "not found" or "forbidden".
- A ticket URL that finds no ticket says "This ticket does not exist or is not yours", in the customer's
  or the agent's terms; the page is the same for a ticket that does not exist and one of another
  organization, so it tells no one whether a number is in use.
"""

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

from tessera.core.observability.request_id import current_request_id
from tessera.organizations.models import Membership

#: The interfaces whose ticket URLs (a ``number`` in the path) get the ticket's own 404 page.
TICKET_NOT_FOUND = {"portal": "portal", "desk": "desk"}


def _account_state(request: HttpRequest) -> dict | None:
    """Why a customer's account cannot use tickets, for the page that tells them; None when it can."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_staff or not user.is_active:
        return None
    membership = getattr(user, "membership", None)
    if membership is None:
        return {"account_state": "unlinked"}
    if membership.may_use_tickets:
        return None
    if not membership.is_active:
        return {"account_state": "deactivated", "organization": membership.organization}
    has_admin = Membership.objects.admins().filter(organization_id=membership.organization_id).exists()
    return {"account_state": "waiting", "organization": membership.organization, "approved_by_admin": has_admin}


def _ticket_not_found(request: HttpRequest) -> str | None:
    """The interface whose ticket URL found no ticket, if the request was for one."""
    match = getattr(request, "resolver_match", None)
    if match is None or "number" not in match.kwargs:
        return None
    if match.namespace == "desk" and not getattr(request.user, "is_staff", False):
        return None  # a customer on a desk URL finds no page, not an agent's explanation
    return TICKET_NOT_FOUND.get(match.namespace)


def _error_page(request: HttpRequest, template: str, status: int, **context) -> HttpResponse:
    account = _account_state(request)
    if account is not None:
        return render(request, "errors/account_not_active.html", account, status=status)
    return render(request, template, context, status=status)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, "404.html", 404, ticket_not_found=_ticket_not_found(request))


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, "403.html", 403)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    # A 400 may come from a request Django could not trust (a host not allowed, a broken upload): if the
    # page in the layout cannot be drawn for it, Django's own plain 400 page answers.
    try:
        return render(request, "400.html", status=400)
    except Exception:  # noqa: BLE001 (any failure here must still answer 400, never 500)
        return defaults.bad_request(request, exception)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors, no database: whatever failed may be what they would need.
    request_id = getattr(request, "request_id", "") or current_request_id()
    try:
        template = loader.get_template("500.html")
    except Exception:  # noqa: BLE001 (a broken template must not hide the error page)
        return defaults.server_error(request)
    return HttpResponseServerError(template.render({"request_id": request_id}))
