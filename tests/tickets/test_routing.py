"""Routing: a new ticket goes to its category's team, and a round-robin team hands it to its next agent."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from tessera.tickets import services
from tessera.tickets.models import ServiceTeam, Ticket, TicketEvent

from ..factories import AgentFactory, CategoryFactory, ServiceTeamFactory, UserFactory

ROUND_ROBIN = ServiceTeam.AutoAssign.ROUND_ROBIN


@pytest.fixture
def team(db):
    return ServiceTeamFactory(name="Imaging", auto_assign=ROUND_ROBIN)


@pytest.fixture
def agents(team):
    """Three agents of the team, created in the order round robin visits them."""
    members = [AgentFactory(email=f"rr{n}@vendor.test") for n in range(3)]
    team.members.add(*members)
    return members


@pytest.fixture
def team_category(team):
    return CategoryFactory(name="X-ray", service_team=team)


def _create(customer, category, title="It does not work") -> Ticket:
    ticket = services.ticket_create(author=customer, title=title, category=category)
    ticket.refresh_from_db()
    return ticket


def _assignments(ticket) -> list[dict]:
    return list(TicketEvent.objects.filter(ticket=ticket, type=TicketEvent.Type.ASSIGNED).values("actor", "data"))


def test_without_automatic_assignment_a_new_ticket_waits_unassigned_in_its_team(customer, category, service_team,
                                                                                  agent):
    assert service_team.auto_assign == ServiceTeam.AutoAssign.NONE
    ticket = _create(customer, category)
    assert ticket.service_team == service_team
    assert ticket.assignee is None
    assert _assignments(ticket) == []


def test_round_robin_hands_tickets_to_the_agents_in_turn_and_wraps_around(customer, team_category, team, agents):
    tickets = [_create(customer, team_category, title=f"Ticket {n}") for n in range(5)]
    assert [t.assignee for t in tickets] == [agents[0], agents[1], agents[2], agents[0], agents[1]]
    assert all(t.service_team == team for t in tickets)
    team.refresh_from_db()
    assert team.last_assigned_agent == agents[1]


def test_every_automatic_assignment_is_an_event_by_the_system(customer, team_category, agents):
    ticket = _create(customer, team_category)
    [event] = _assignments(ticket)
    assert event["actor"] is None
    assert event["data"]["assignee_id"] == agents[0].pk
    assert event["data"]["previous_id"] is None


def test_agents_who_are_away_inactive_or_not_staff_are_skipped(customer, team_category, team, agents):
    agents[1].is_away = True
    agents[1].save()
    inactive = AgentFactory(email="gone@vendor.test", is_active=False)
    no_longer_staff = UserFactory(email="former-agent@vendor.test")
    team.members.add(inactive, no_longer_staff)
    assignees = [_create(customer, team_category, title=f"Ticket {n}").assignee for n in range(4)]
    assert assignees == [agents[0], agents[2], agents[0], agents[2]]


def test_round_robin_continues_after_the_last_agent_even_when_that_agent_left(customer, team_category, team,
                                                                            agents):
    team.last_assigned_agent = agents[1]
    team.save()
    agents[1].is_away = True
    agents[1].save()
    assert _create(customer, team_category).assignee == agents[2]


def test_agents_of_other_teams_get_nothing(customer, team_category, agents, agent):
    assignees = {_create(customer, team_category, title=f"Ticket {n}").assignee for n in range(6)}
    assert assignees == set(agents)


def test_nobody_available_leaves_the_ticket_unassigned_in_the_team(customer, team_category, team, agents):
    for member in agents:
        member.is_away = True
        member.save()
    ticket = _create(customer, team_category)
    assert ticket.service_team == team
    assert ticket.assignee is None
    assert _assignments(ticket) == []
    team.refresh_from_db()
    assert team.last_assigned_agent is None


def test_an_inactive_team_assigns_nothing(customer, team_category, team, agents):
    team.is_active = False
    team.save()
    assert _create(customer, team_category).assignee is None


def test_a_sub_category_routes_to_the_team_of_its_ancestor(customer, team_category, team, agents):
    leaf = CategoryFactory(name="Panoramic", parent=team_category, service_team=None)
    ticket = _create(customer, leaf)
    assert ticket.service_team == team
    assert ticket.assignee == agents[0]


def test_reports_through_the_portal_follow_the_teams_current_rule(client, customer, team_category, team, agents):
    client.force_login(customer)

    def report(title):
        response = client.post(reverse("portal:ticket_create"), {"title": title, "priority": "3",
                                                                 "category_1": team_category.pk})
        assert response.status_code == 302
        return Ticket.objects.get(title=title)

    assert [report("First").assignee, report("Second").assignee] == agents[:2]
    ServiceTeam.objects.filter(pk=team.pk).update(auto_assign=ServiceTeam.AutoAssign.NONE)
    assert report("Third").assignee is None
    ServiceTeam.objects.filter(pk=team.pk).update(auto_assign=ROUND_ROBIN)
    assert report("Fourth").assignee == agents[2]


# --- re-categorization ------------------------------------------------------------------------------------------


def test_recategorizing_into_a_round_robin_team_assigns_its_next_agent(customer, category, agent, team_category,
                                                                      team, agents):
    ticket = _create(customer, category)
    services.ticket_assign(ticket=ticket, user=agent, assignee=agent)
    services.ticket_change_category(ticket=ticket, user=agent, category=team_category)
    ticket.refresh_from_db()
    assert ticket.service_team == team
    assert ticket.assignee == agents[0]
    event = TicketEvent.objects.filter(ticket=ticket, type=TicketEvent.Type.ASSIGNED).last()
    assert event.actor is None
    assert event.data["previous_id"] == agent.pk


def test_recategorizing_keeps_an_assignee_who_belongs_to_the_new_team(customer, category, agent, team_category,
                                                                     agents):
    ticket = _create(customer, category)
    services.ticket_assign(ticket=ticket, user=agent, assignee=agents[2])
    services.ticket_change_category(ticket=ticket, user=agent, category=team_category)
    ticket.refresh_from_db()
    assert ticket.assignee == agents[2]


def test_recategorizing_into_a_team_without_automatic_assignment_keeps_the_ticket_as_it_is(
    customer, category, agent, team_category, agents
):
    ticket = _create(customer, team_category)
    assert ticket.assignee == agents[0]
    services.ticket_change_category(ticket=ticket, user=agent, category=category)
    ticket.refresh_from_db()
    assert ticket.assignee == agents[0]
    assert len(_assignments(ticket)) == 1


def test_admin_shows_the_last_agent_assigned_read_only(client, vendor_admin, team, agents, customer,
                                                       team_category):
    _create(customer, team_category)
    client.force_login(vendor_admin)
    response = client.get(reverse("admin:tickets_serviceteam_change", args=[team.pk]))
    assert response.status_code == 200
    assert str(agents[0]) in response.content.decode()
    assert 'name="last_assigned_agent"' not in response.content.decode()


# --- concurrency ------------------------------------------------------------------------------------------------

THREADS = 6
TICKETS_PER_THREAD = 4


@pytest.mark.postgres(reason="needs PostgreSQL row locking")
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("no_hourly_limits")
def test_concurrent_creations_get_distinct_agents_in_turn(customer, team_category, agents):
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def create_tickets(worker: int) -> None:
        try:
            barrier.wait(timeout=30)
            for i in range(TICKETS_PER_THREAD):
                services.ticket_create(author=customer, title=f"Worker {worker} #{i}", category=team_category)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create_tickets, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assignees = list(Ticket.objects.order_by("number").values_list("assignee_id", flat=True))
    total = THREADS * TICKETS_PER_THREAD
    # In the order the tickets were created, the agents take turns: nobody twice while another waits.
    assert assignees == [agents[n % 3].pk for n in range(total)]
