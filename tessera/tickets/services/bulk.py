"""Bulk operations of the desk's queues.

Each ticket is a unit of work of its own (the single-ticket service's), not
the whole batch: one refusal rolls back only that ticket's change and stops no
other, and no row stays locked while the rest of the batch is worked through.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from tessera.accounts.models import User
from tessera.core.errors import ApplicationError

from ..models import Ticket
from ..workflow import ACTIONS_REQUIRING_MESSAGE, Action, Status, TransitionNotAllowed
from .assignment import check_assignable, ticket_assign, ticket_unassign
from .status import ticket_change_status


@dataclass
class BulkOutcome:
    """What a bulk operation did: the tickets it changed and, for each one it refused, why."""

    changed: list[Ticket] = field(default_factory=list)
    refused: list[tuple[Ticket, str]] = field(default_factory=list)


def _refusal_reason(error: Exception) -> str:
    if isinstance(error, TransitionNotAllowed):
        return _("not allowed from %(status)s") % {"status": Status(error.status).label}
    if isinstance(error, ApplicationError):
        return error.message
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("not allowed")


def _each_ticket(tickets: Iterable[Ticket], change: Callable[[Ticket], Ticket]) -> BulkOutcome:
    outcome = BulkOutcome()
    # Always the same lock order (by id), so two bulk operations cannot deadlock each other.
    for ticket in sorted(tickets, key=lambda t: t.pk):
        try:
            outcome.changed.append(change(ticket))  # a unit of work on its own: a refusal rolls back only this ticket
        except (TransitionNotAllowed, ApplicationError, ValidationError, PermissionDenied) as error:
            outcome.refused.append((ticket, _refusal_reason(error)))
    return outcome


def ticket_bulk_assign(*, tickets: Iterable[Ticket], user: User, assignee: User) -> BulkOutcome:
    check_assignable(assignee)
    return _each_ticket(tickets, lambda ticket: ticket_assign(ticket=ticket, user=user, assignee=assignee))


def ticket_bulk_unassign(*, tickets: Iterable[Ticket], user: User) -> BulkOutcome:
    return _each_ticket(tickets, lambda ticket: ticket_unassign(ticket=ticket, user=user))


def ticket_bulk_change_status(
    *, tickets: Iterable[Ticket], user: User, action: str, message: str = ""
) -> BulkOutcome:
    """Apply the agent ``action`` to each ticket the transition table allows it for; the others are refused.

    Actions that write to the customer need ``message``: each ticket gets it as a public comment.
    """
    if not user.is_staff:
        raise PermissionDenied(_("Only support staff can change tickets in bulk."))
    try:
        chosen = Action(action)
    except ValueError:
        raise ValidationError({"action": _("Choose one of the actions offered.")}) from None
    if chosen in ACTIONS_REQUIRING_MESSAGE and not message.strip():
        raise ValidationError({"message": _("Write the message the customer will receive.")})
    return _each_ticket(
        tickets, lambda ticket: ticket_change_status(ticket=ticket, user=user, action=chosen, message=message)
    )
