"""Macros: a prepared reply and what goes with it, applied to a ticket in one unit of work.

What a macro does, in this order: the reply to the customer (or, for "request
information" and "provide solution", the message that status change sends), the
internal note, the priority, the team, the assignee, the tags, and the status
change last. Either all of it happens or nothing does: a status change the
ticket's current status does not allow refuses the whole macro, with the reason.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from tessera.accounts.models import User
from tessera.core.operations import unit_of_work

from ..canned import placeholder_values, render_text
from ..models import CannedResponse, Source, Ticket
from ..signatures import signed
from ..workflow import ACTIONS_REQUIRING_MESSAGE, Action, Actor, available_actions
from ._common import require_agent_for
from .assignment import ticket_assign, ticket_assign_team, ticket_change_priority
from .comments import comment_add
from .status import ticket_change_status
from .tags import parse_tags, ticket_set_tags


@dataclass
class MacroOutcome:
    """What the macro changed, in words for the agent's message."""

    done: list[str] = field(default_factory=list)


def _check_offered(macro: CannedResponse, user: User, ticket: Ticket) -> None:
    offered = (
        macro.is_active
        and (macro.owner_id is None or macro.owner_id == user.pk)
        and (macro.team_id is None or macro.team_id == ticket.service_team_id)
    )
    if not offered:
        raise PermissionDenied(_("This macro is not offered on this ticket."))


@unit_of_work
def macro_apply(*, ticket: Ticket, user: User, macro: CannedResponse) -> MacroOutcome:
    require_agent_for(user, ticket)
    _check_offered(macro, user, ticket)
    if ticket.is_closed:
        raise PermissionDenied(_("This ticket is closed: reopen it before applying a macro."))
    outcome = MacroOutcome()
    values = placeholder_values(ticket)
    reply = render_text(macro.body, values).strip()
    action = Action(macro.action) if macro.action else None
    if action is not None and action not in {t.action for t in available_actions(Actor.AGENT, ticket.status)}:
        raise ValidationError(
            _("The macro's status change “%(action)s” is not possible from “%(status)s”; nothing was changed.")
            % {"action": action.label, "status": ticket.get_status_display()}
        )
    message_goes_with_status = action in ACTIONS_REQUIRING_MESSAGE
    if action is not None and message_goes_with_status and not reply:
        raise ValidationError(_("The macro's status change needs a reply to the customer, and it has none."))
    if reply:
        reply = signed(reply, user=user, team=ticket.service_team)
    if reply and not message_goes_with_status:
        comment_add(ticket=ticket, author=user, body=reply, source=Source.DESK, markdown=True)
        outcome.done.append(_("reply sent"))
    if macro.note.strip():
        comment_add(ticket=ticket, author=user, body=render_text(macro.note, values), is_internal=True,
                    source=Source.DESK, markdown=True)
        outcome.done.append(_("internal note added"))
    if macro.set_priority is not None and macro.set_priority != ticket.priority:
        ticket = ticket_change_priority(ticket=ticket, user=user, priority=macro.set_priority)
        outcome.done.append(_("priority changed"))
    if macro.set_team_id is not None and macro.set_team_id != ticket.service_team_id:
        ticket = ticket_assign_team(ticket=ticket, user=user, team=macro.set_team)
        outcome.done.append(_("team changed"))
    if macro.set_assignee is not None and macro.set_assignee_id != ticket.assignee_id:
        ticket = ticket_assign(ticket=ticket, user=user, assignee=macro.set_assignee)
        outcome.done.append(_("assigned"))
    if macro.add_tags.strip():
        current = [tag.name for tag in ticket.tags.all()]
        ticket_set_tags(ticket=ticket, user=user, names=parse_tags(", ".join([*current, macro.add_tags])))
        outcome.done.append(_("tags added"))
    if action is not None:
        ticket = ticket_change_status(ticket=ticket, user=user, action=action,
                                      message=reply if message_goes_with_status else "", markdown=True)
        outcome.done.append(_("status changed"))
    return outcome


def macro_may_edit(macro: CannedResponse, user: User) -> bool:
    """Agents keep their own macros; vendor administrators also the shared ones (a team's or everyone's)."""
    return user.is_staff and (macro.owner_id == user.pk or (macro.owner_id is None and user.is_superuser))


@unit_of_work
def macro_save(*, macro: CannedResponse, user: User) -> CannedResponse:
    """Store a new or changed macro; an agent's macro is personal, only a vendor administrator shares one."""
    if macro.pk is None and not user.is_superuser:
        macro.owner = user
    if not macro_may_edit(macro, user):
        raise PermissionDenied(_("You may not change this macro."))
    if macro.owner_id is not None:
        macro.team = None
    if not (macro.body.strip() or macro.note.strip() or macro.action or macro.set_priority or macro.set_team_id
            or macro.set_assignee_id or macro.add_tags.strip()):
        raise ValidationError(_("A macro needs at least a reply, a note or a change to make."))
    macro.add_tags = ", ".join(parse_tags(macro.add_tags))
    macro.save()
    return macro


@unit_of_work
def macro_delete(*, macro: CannedResponse, user: User) -> None:
    if not macro_may_edit(macro, user):
        raise PermissionDenied(_("You may not change this macro."))
    macro.delete()
