"""How the portal shows a service's refusal: the one place that decides it.

A refusal about what a form asked for is shown in that form, next to its field
(``FORM_ERRORS``, through ``core.forms.apply_service_error``). Any other refusal
is a message at the top of the page the user is sent back to
(``refusals_shown``); on the organization's pages, where a user who may not act
must not learn what exists, a permission refusal is a 404 instead.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from tessera.core.errors import ApplicationError, View, refusals_as_messages
from tessera.tickets.workflow import TransitionNotAllowed

#: Refusals a form shows next to its fields.
FORM_ERRORS = (ValidationError, ApplicationError)
#: Everything a service raises to refuse.
REFUSALS = (PermissionDenied, ValidationError, ApplicationError, TransitionNotAllowed)


def refusal_text(error: Exception) -> str:
    """A refusal in the customer's words."""
    if isinstance(error, TransitionNotAllowed):
        return _("This is no longer possible: the ticket's status has changed.")
    if isinstance(error, ApplicationError):
        return error.message
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def refusals_shown(back: View, *, hide_denied: bool = False) -> Callable[[View], View]:
    """Decorate a view: a refusal it leaves unhandled is shown above the page ``back`` answers.

    ``back`` takes the view's arguments. With ``hide_denied``, a PermissionDenied
    is a 404: the page says nothing to a user who may not act there.
    """
    return refusals_as_messages(back, refusals=REFUSALS, text=refusal_text, hide_denied=hide_denied)
