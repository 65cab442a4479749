"""Who works a ticket: its category's service team, and within the team the agent its rule picks.

A team either leaves new tickets unassigned in its queue or hands them out by
round robin among its available agents (active vendor staff who are not away),
in the order of their ids, continuing after the agent it chose last. The team's
row is locked while it chooses, so tickets created at the same moment on
several web processes still go to different agents, one after the other.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from . import events
from .models import ServiceTeam, Ticket


def available_agents(team: ServiceTeam) -> QuerySet:
    """The team's agents who may receive tickets by automatic assignment, in round-robin order."""
    return get_user_model().objects.filter(
        service_teams=team, is_active=True, is_staff=True, is_away=False
    ).order_by("pk")


def _next_agent(team: ServiceTeam):
    agents = available_agents(team)
    if team.last_assigned_agent_id is not None:
        after_last = agents.filter(pk__gt=team.last_assigned_agent_id).first()
        if after_last is not None:
            return after_last
    return agents.first()  # the start of the order, or wrapping around past its end


def _hands_out_tickets(team: ServiceTeam) -> bool:
    return team.is_active and team.auto_assign == ServiceTeam.AutoAssign.ROUND_ROBIN


def _round_robin_team(ticket: Ticket) -> ServiceTeam | None:
    """The ticket's team, locked until the transaction ends, if it hands out tickets by round robin."""
    if ticket.service_team_id is None or ticket.is_closed:
        return None
    routed_to = ticket.service_team if Ticket.service_team.is_cached(ticket) else None
    if routed_to is not None and not _hands_out_tickets(routed_to):
        # The team routing just set on the ticket assigns nothing: no need to read and lock it again.
        return None
    team = ServiceTeam.objects.select_for_update().get(pk=ticket.service_team_id)
    return team if _hands_out_tickets(team) else None


def _assign_next(ticket: Ticket, team: ServiceTeam):
    agent = _next_agent(team)
    if agent is None or agent.pk == ticket.assignee_id:
        return None
    previous = ticket.assignee
    team.last_assigned_agent = agent
    team.save(update_fields=["last_assigned_agent", "updated_at"])
    ticket.assignee = agent
    ticket.updated_at = timezone.now()
    ticket.save(update_fields=["assignee", "updated_at"])
    events.assigned_event(ticket=ticket, actor=None, assignee=agent, previous=previous)
    return agent


# No savepoint of their own (two round trips each): nothing here raises an error a caller handles and goes on
# from; any failure ends the caller's transaction too.
@transaction.atomic(savepoint=False)
def ticket_auto_assign(*, ticket: Ticket):
    """Assign a new ``ticket`` to the next agent of its service team if the team uses round robin.

    Returns the agent, or None when the team assigns nothing automatically or
    nobody is available (the ticket then waits unassigned in the team's queue).
    A ticket that already has an assignee keeps it: a person's choice is never
    overridden.
    """
    if ticket.assignee_id is not None:
        return None
    team = _round_robin_team(ticket)
    return _assign_next(ticket, team) if team is not None else None


@transaction.atomic(savepoint=False)
def ticket_reroute(*, ticket: Ticket):
    """After the ticket moved to another service team: let that team's round robin pick an agent.

    An assignee who is an available agent of the new team keeps the ticket; so
    does anyone when the new team assigns nothing automatically. Otherwise the
    round robin hands the ticket to the team's next agent. Returns the new
    agent or None.
    """
    team = _round_robin_team(ticket)
    if team is None:
        return None
    if ticket.assignee_id is not None and available_agents(team).filter(pk=ticket.assignee_id).exists():
        return None
    return _assign_next(ticket, team)
