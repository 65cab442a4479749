"""Status changes: the transition table applied by customers, agents and Tessera itself."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from tessera.accounts.models import User
from tessera.core.limits import TEXT_MAX_LENGTH
from tessera.core.operations import unit_of_work

from .. import events
from ..models import Comment, Source, Ticket
from ..policies import ticket_policy
from ..workflow import ACTIONS_REQUIRING_MESSAGE, Action, Actor, target_status
from ._common import actor_of, apply_transition, locked, stored_text


@unit_of_work
def ticket_change_status(
    *, ticket: Ticket, user: User, action: str, message: str = "", markdown: bool = False
) -> Ticket:
    """Apply ``action`` by ``user`` if the transition table allows it from the current status.

    Asking the customer for information and providing a solution both need a
    message, which becomes a public comment (written in Markdown when ``markdown``: a macro's reply).
    """
    return _change_status(ticket, user=user, action=action, message=message, markdown=markdown)


def _change_status(ticket: Ticket, *, user: User, action: str, message: str, markdown: bool = False) -> Ticket:
    # The services below are this one under another name: one unit of work each, not one inside another.
    ticket = locked(ticket)
    if not ticket_policy.can_view(user, ticket):
        raise PermissionDenied(_("You may not change this ticket."))
    chosen = Action(action)
    actor = actor_of(user)
    target_status(actor, chosen, ticket.status)  # refuse before writing anything
    message = stored_text(message, field="message", limit=TEXT_MAX_LENGTH).strip()
    if chosen in ACTIONS_REQUIRING_MESSAGE and not message:
        raise ValidationError({"message": _("Write the message the customer will receive.")})
    if message:
        source = Source.DESK if user.is_staff else Source.PORTAL
        comment = Comment.objects.create(
            ticket=ticket, author=user, body=message, source=source, is_markdown=markdown and user.is_staff
        )
        events.comment_added_event(ticket=ticket, actor=user, comment=comment)
    return apply_transition(ticket, actor=actor, action=chosen, user=user)


@unit_of_work
def ticket_reopen(*, ticket: Ticket, user: User, reason: str) -> Ticket:
    """Support takes a closed ticket up again; ``reason`` becomes a public comment the customer is sent.

    A merged ticket stays closed: its conversation went on in the ticket it was merged into.
    """
    if not user.is_staff:
        raise PermissionDenied(_("Only support staff can reopen a ticket."))
    if not stored_text(reason).strip():
        raise ValidationError({"reason": _("Tell the customer why the ticket is reopened.")})
    if ticket.merged_into_id is not None:
        raise ValidationError(
            {"reason": _("This ticket was merged into another one; work on that ticket instead.")}
        )
    if not ticket.is_closed:
        raise ValidationError({"reason": _("This ticket is not closed.")})
    return _change_status(ticket, user=user, action=Action.REOPEN, message=reason)


@unit_of_work
def ticket_close(*, ticket: Ticket, user: User, message: str = "") -> Ticket:
    """The customer's "Close ticket": the ticket becomes "Canceled by customer"."""
    return _change_status(ticket, user=user, action=Action.CLOSE, message=message)


@unit_of_work
def ticket_accept_solution(*, ticket: Ticket, user: User) -> Ticket:
    return _change_status(ticket, user=user, action=Action.ACCEPT_SOLUTION, message="")


@unit_of_work
def ticket_reject_solution(*, ticket: Ticket, user: User, message: str) -> Ticket:
    if not message.strip():
        raise ValidationError({"message": _("Tell support why the solution does not help.")})
    return _change_status(ticket, user=user, action=Action.REJECT_SOLUTION, message=message)


@unit_of_work
def ticket_system_transition(*, ticket: Ticket, action: str) -> Ticket:
    """A status change made by Tessera itself (automation, stored submission)."""
    return apply_transition(locked(ticket), actor=Actor.SYSTEM, action=Action(action), user=None)
