"""Errors raised by services; each interface turns them into responses in one place.

``apply_service_error`` (``core.forms``) shows a refusal inside the form that
asked; ``refusals_as_messages`` is the mechanism each interface's ``errors.py``
uses for every other refusal, in its own words.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


class ApplicationError(Exception):
    """A domain rule refused the operation; ``message`` is safe to show the user."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def refusals_as_messages(
    back: View, *, refusals: tuple[type[Exception], ...], text: Callable[[Exception], str], hide_denied: bool = False,
) -> Callable[[View], View]:
    """Decorate a view: a refusal it leaves unhandled becomes ``text(error)`` above the page ``back`` answers.

    ``back`` takes the view's arguments. The view's transaction, if it has one,
    has been rolled back by then. With ``hide_denied``, a PermissionDenied is a
    404 instead: the page tells a user who may not act there nothing.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except refusals as error:
                if hide_denied and isinstance(error, PermissionDenied):
                    raise Http404 from None
                messages.error(request, text(error))
                return back(request, *args, **kwargs)

        return wrapper

    return decorator
