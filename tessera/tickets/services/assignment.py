"""Who works on a ticket and how urgent it is: assignee, service team, category (which routes it), priority."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tessera.accounts.models import User
from tessera.core.operations import unit_of_work

from .. import events, routing
from ..models import Category, Priority, ServiceTeam, Ticket
from ._common import locked, require_agent_for, touch
from .fields import field_changes, stored_field_values


def check_assignable(assignee: User) -> None:
    if not assignee.is_staff or not assignee.is_active:
        raise ValidationError({"assignee": _("Tickets can only be assigned to active support staff.")})


@unit_of_work
def ticket_change_priority(*, ticket: Ticket, user: User, priority: int) -> Ticket:
    ticket = locked(ticket)
    require_agent_for(user, ticket)
    new = Priority(int(priority))
    if ticket.priority != new:
        old = ticket.priority
        ticket.priority = new
        touch(ticket, "priority")
        events.priority_changed_event(ticket=ticket, actor=user, old=old, new=new)
    return ticket


@unit_of_work
def ticket_assign(*, ticket: Ticket, user: User, assignee: User) -> Ticket:
    check_assignable(assignee)
    ticket = locked(ticket)
    require_agent_for(user, ticket)
    if ticket.assignee_id != assignee.pk:
        previous = ticket.assignee
        ticket.assignee = assignee
        touch(ticket, "assignee")
        events.assigned_event(ticket=ticket, actor=user, assignee=assignee, previous=previous)
    return ticket


@unit_of_work
def ticket_unassign(*, ticket: Ticket, user: User) -> Ticket:
    ticket = locked(ticket)
    require_agent_for(user, ticket)
    if ticket.assignee_id is not None:
        previous = ticket.assignee
        ticket.assignee = None
        touch(ticket, "assignee")
        events.unassigned_event(ticket=ticket, actor=user, previous=previous)
    return ticket


@unit_of_work
def ticket_change_category(
    *, ticket: Ticket, user: User, category: Category, field_values: Mapping[str, Any] | None = None
) -> Ticket:
    """Re-categorize; the ticket is re-routed to the new category's service team.

    The new category's extra fields must hold valid values (its required ones
    one at all): ``field_values`` as the agent gave them, else the ticket's
    values under the same keys. They are saved with the move, in this unit of work.
    """
    if not category.is_active:
        raise ValidationError({"category": _("This category can no longer be chosen.")})
    ticket = locked(ticket)
    require_agent_for(user, ticket)
    if ticket.category_id == category.pk:
        return ticket
    fields = category.all_fields()
    new_values = stored_field_values(ticket, fields, ticket.field_values if field_values is None else field_values)
    old_category, old_team = ticket.category, ticket.service_team
    changes = field_changes(fields, ticket.field_values, new_values)
    ticket.category = category
    ticket.service_team = category.routing_team()
    ticket.field_values = new_values
    touch(ticket, "category", "service_team", "field_values")
    events.category_changed_event(
        ticket=ticket, actor=user, old_id=old_category.pk, new_id=category.pk, old=str(old_category), new=str(category)
    )
    if changes:
        events.fields_changed_event(ticket=ticket, actor=user, changes=changes)
    if old_team != ticket.service_team:
        events.team_changed_event(
            ticket=ticket, actor=user, old=str(old_team) if old_team else None,
            new=str(ticket.service_team) if ticket.service_team else None,
        )
        routing.ticket_reroute(ticket=ticket)
    return ticket


@unit_of_work
def ticket_assign_team(*, ticket: Ticket, user: User, team: ServiceTeam | None) -> Ticket:
    """Hand the ticket to another service team (or to none).

    As after a re-categorization, the new team's round robin may pick an agent
    (see routing.ticket_reroute); otherwise the assignee stays.
    """
    if team is not None and not team.is_active:
        raise ValidationError({"team": _("This service team is no longer active.")})
    ticket = locked(ticket)
    require_agent_for(user, ticket)
    if ticket.service_team_id != getattr(team, "pk", None):
        old = ticket.service_team
        ticket.service_team = team
        touch(ticket, "service_team")
        events.team_changed_event(
            ticket=ticket, actor=user, old=str(old) if old else None, new=str(team) if team else None
        )
        routing.ticket_reroute(ticket=ticket)
    return ticket
