"""Each ticket's SLA figures follow what the ticket services do, in business time, paused where the policy says."""

import time_machine

from tessera.notifications.models import OutgoingEmail
from tessera.sla.models import OrganizationPolicy, Policy, Target, TeamLead, TicketSLA
from tessera.sla.selectors import customer_answer_by, due_times
from tessera.sla.services import check_breaches
from tessera.tickets import services
from tessera.tickets.automation import run_automation_pass
from tessera.tickets.models import TicketEvent
from tessera.tickets.workflow import Action
from tests.factories import AgentFactory

from .conftest import rome


def _open(customer, category, *, at, priority=3):
    with time_machine.travel(at, tick=False):
        return services.ticket_create(author=customer, title="X-ray viewer freezes", category=category,
                                      priority=priority)


def test_a_new_ticket_is_due_in_business_time_across_the_weekend_and_a_holiday(default_policy, customer, category):
    ticket = _open(customer, category, at=rome(2027, 1, 8, 15))
    sla = TicketSLA.objects.get(ticket=ticket)
    assert sla.policy == default_policy
    assert sla.first_response_due_at == rome(2027, 1, 12, 11)  # Fri 15-17, Tue 9-11 (Mon 11th: holiday)
    assert sla.resolution_due_at == rome(2027, 1, 13, 15)  # 16 hours: Fri 2, Tue 8, Wed 6
    assert sla.next_due_at == sla.first_response_due_at
    assert customer_answer_by(ticket) == rome(2027, 1, 12, 11)


def test_the_first_public_reply_by_support_meets_the_first_target(default_policy, customer, agent, category):
    ticket = _open(customer, category, at=rome(2027, 1, 8, 15))
    with time_machine.travel(rome(2027, 1, 8, 16), tick=False):
        services.comment_add(ticket=ticket, author=agent, body="Internal", is_internal=True)
        assert TicketSLA.objects.get(ticket=ticket).first_response_at is None
        services.comment_add(ticket=ticket, author=agent, body="We are looking into it.")
    sla = TicketSLA.objects.get(ticket=ticket)
    assert sla.first_response_at == rome(2027, 1, 8, 16)
    assert not sla.first_response_breached
    assert sla.next_due_at == sla.resolution_due_at
    assert customer_answer_by(ticket) is None  # the customer is told nothing more


def test_waiting_for_the_customer_pauses_the_clock_and_moves_the_due_time(default_policy, customer, agent, category):
    ticket = _open(customer, category, at=rome(2027, 1, 12, 9))
    with time_machine.travel(rome(2027, 1, 12, 10), tick=False):
        services.ticket_change_status(ticket=ticket, user=agent, action=Action.REQUEST_INFO, message="Which version?")
    sla = TicketSLA.objects.get(ticket=ticket)
    assert sla.next_due_at is None  # answered, and the resolution clock stands still
    assert due_times(sla, now=rome(2027, 1, 12, 11))[1].state == "paused"
    with time_machine.travel(rome(2027, 1, 13, 10), tick=False):  # a whole working day later
        services.comment_add(ticket=ticket, author=customer, body="Version 4.2")
    sla = TicketSLA.objects.get(ticket=ticket)
    assert sla.paused_minutes == 8 * 60
    # 16 business hours from Tue 9:00, one of which ran before the pause: 15 more from Wed 10:00 is Thu 17:00.
    assert sla.resolution_due_at == rome(2027, 1, 14, 17)


def test_a_priority_change_applies_the_new_targets_from_the_start(default_policy, customer, agent, category):
    ticket = _open(customer, category, at=rome(2027, 1, 12, 9))
    with time_machine.travel(rome(2027, 1, 12, 9, 30), tick=False):
        services.ticket_change_priority(ticket=ticket, user=agent, priority=1)
    assert TicketSLA.objects.get(ticket=ticket).first_response_due_at == rome(2027, 1, 12, 10)


def test_closing_stops_the_clock(default_policy, customer, agent, category):
    ticket = _open(customer, category, at=rome(2027, 1, 12, 9))
    with time_machine.travel(rome(2027, 1, 12, 9, 30), tick=False):
        services.ticket_close(ticket=ticket, user=customer)
    sla = TicketSLA.objects.get(ticket=ticket)
    assert sla.resolved_at == rome(2027, 1, 12, 9, 30)
    assert sla.next_due_at is None and not sla.resolution_breached


def test_an_organization_follows_its_own_policy(default_policy, office_calendar, customer, category, organization):
    premium = Policy.objects.create(name="Premium", calendar=office_calendar)
    Target.objects.create(policy=premium, priority=3, first_response_minutes=30, resolution_minutes=240)
    OrganizationPolicy.objects.create(organization=organization, policy=premium)
    ticket = _open(customer, category, at=rome(2027, 1, 12, 9))
    sla = TicketSLA.objects.get(ticket=ticket)
    assert sla.policy == premium
    assert sla.first_response_due_at == rome(2027, 1, 12, 9, 30)


def test_without_a_policy_no_figures_are_kept(customer, category):
    ticket = _open(customer, category, at=rome(2027, 1, 12, 9))
    assert not TicketSLA.objects.filter(ticket=ticket).exists()
    assert customer_answer_by(ticket) is None


def test_a_breach_is_recorded_once_and_the_team_lead_is_told(
    default_policy, customer, agent, category, service_team
):
    lead = AgentFactory(email="lead@vendor.test")
    TeamLead.objects.create(team=service_team, lead=lead)
    ticket = _open(customer, category, at=rome(2027, 1, 8, 15))
    assert check_breaches(rome(2027, 1, 12, 10, 59)) == 0
    result = run_automation_pass(now=rome(2027, 1, 12, 11, 1))
    assert result.as_dict()["sla_breaches"] == 1
    assert check_breaches(rome(2027, 1, 12, 12)) == 0  # told once
    event = TicketEvent.objects.get(ticket=ticket, type=TicketEvent.Type.SLA_BREACHED)
    assert event.data["target"] == "first_response"
    assert TicketSLA.objects.get(ticket=ticket).first_response_breached
    sent = OutgoingEmail.objects.get(to="lead@vendor.test")  # delivered by the task worker
    assert ticket.number in sent.subject
    assert "first response" in sent.text.lower()
