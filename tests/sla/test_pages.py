"""The SLA on the desk's and the portal's pages: due times with time left, the two queues, sort by due time."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tessera.sla.models import TicketSLA
from tessera.tickets import services
from tessera.tickets.workflow import Status
from tests.factories import CategoryFactory, create_tickets
from tests.html import parse

from .conftest import rome


def _open(customer, category, *, at):
    with time_machine.travel(at, tick=False):
        return services.ticket_create(author=customer, title="X-ray viewer freezes", category=category)


@pytest.mark.parametrize(("now", "state", "left"), [
    (rome(2027, 1, 12, 8), "ok", "3 h 0 min left"),
    (rome(2027, 1, 12, 10, 30), "near", "30 min left"),
    (rome(2027, 1, 12, 11, 45), "overdue", "45 min overdue"),
])
def test_the_workspace_shows_each_due_time_with_the_time_left(
    client, default_policy, customer, agent, category, now, state, left
):
    ticket = _open(customer, category, at=rome(2027, 1, 8, 15))
    with time_machine.travel(now, tick=False):
        client.force_login(agent)  # a session of that day: one from today would have expired by then
        page = parse(client.get(reverse("desk:ticket", args=[ticket.number])))
    first = page.find(testid="sla-first_response")
    assert first.get("data-state") == state
    assert first.find(testid="sla-due-at").get("datetime") == rome(2027, 1, 12, 11).isoformat()
    assert " ".join(first.find(testid="sla-left").text.split()) == left
    assert page.find(testid="sla-resolution").get("data-state") in {"ok", "near", "overdue"}


def test_the_workspace_says_when_the_first_response_was_met_and_the_clock_is_paused(
    client, default_policy, customer, agent, category
):
    ticket = _open(customer, category, at=rome(2027, 1, 8, 15))
    with time_machine.travel(rome(2027, 1, 8, 16), tick=False):
        services.ticket_change_status(ticket=ticket, user=agent, action="request_info", message="Which version?")
    client.force_login(agent)
    page = parse(client.get(reverse("desk:ticket", args=[ticket.number])))
    assert page.find(testid="sla-first_response").get("data-state") == "done"
    assert page.find(testid="sla-resolution").get("data-state") == "paused"


def test_without_a_policy_the_workspace_shows_no_sla(client, customer, agent, category):
    ticket = _open(customer, category, at=rome(2027, 1, 8, 15))
    client.force_login(agent)
    assert parse(client.get(reverse("desk:ticket", args=[ticket.number]))).find_all(testid="sla-card") == []


def test_the_customer_sees_when_support_aims_to_answer_and_nothing_else(
    client, default_policy, customer, agent, category
):
    ticket = _open(customer, category, at=rome(2027, 1, 8, 15))
    url = reverse("portal:ticket_detail", args=[ticket.number])
    with time_machine.travel(rome(2027, 1, 12, 10), tick=False):
        client.force_login(customer)
        response = client.get(url)
    notice = parse(response).find(testid="sla-answer-by")
    assert " ".join(notice.text.split()) == "We aim to answer by Jan. 12, 2027, 11 a.m."
    body = response.content.decode()
    assert "sla-card" not in body and "Service level" not in body and "Resolution" not in body
    with time_machine.travel(rome(2027, 1, 12, 10, 30), tick=False):
        services.comment_add(ticket=ticket, author=agent, body="We are on it.")
        response = client.get(url)
    assert parse(response).find_all(testid="sla-answer-by") == []


def _queue(client, key, **params):
    response = client.get(reverse("desk:queue", kwargs={"queue": key}), params)
    assert response.status_code == 200
    return response


def _listed(response) -> list[str]:
    return [row.testid.removeprefix("row-") for row in parse(response).find_all("tr", testid_prefix="row-")]


def test_breaching_soon_and_overdue_queues_and_the_sort_by_due_time(client, default_policy, customer, agent, category):
    early = _open(customer, category, at=rome(2027, 1, 12, 9))  # first response due 13:00
    late = _open(customer, category, at=rome(2027, 1, 12, 10))  # due 14:00
    later = _open(customer, category, at=rome(2027, 1, 12, 12))  # due 16:00
    with time_machine.travel(rome(2027, 1, 12, 13, 30), tick=False):
        client.force_login(agent)
        assert _listed(_queue(client, "overdue")) == [early.number]
        assert _listed(_queue(client, "breaching-soon")) == [late.number]
        assert _listed(_queue(client, "open", sort="due")) == [early.number, late.number, later.number]
        assert _listed(_queue(client, "open", sort="-due")) == [later.number, late.number, early.number]
        row = parse(_queue(client, "open", sort="due")).find(testid=f"row-{early.number}")
        assert "sla-overdue" in row.find("td", class_="col-due").find("time").get("class")


def test_queues_with_sla_issue_a_constant_number_of_queries(
    client, default_policy, customer, agent, django_assert_max_num_queries
):
    category = CategoryFactory(name="Imaging", service_team=agent.service_teams.first())
    client.force_login(agent)

    def make(count: int) -> None:
        now = timezone.now()
        tickets = create_tickets(count, created_by=customer, category=category, status=Status.OPEN)
        TicketSLA.objects.bulk_create(
            TicketSLA(ticket=t, policy=default_policy, first_response_due_at=now + timedelta(minutes=i - count // 2),
                      next_due_at=now + timedelta(minutes=i - count // 2), next_due_kind="first_response",
                      resolution_due_at=now + timedelta(days=1), computed_at=now)
            for i, t in enumerate(tickets)
        )

    def measure(key: str, **params) -> int:
        with django_assert_max_num_queries(10) as captured:
            _queue(client, key, **params)
        return len(captured.captured_queries)

    make(6)
    few = [measure("open", sort="due"), measure("overdue"), measure("breaching-soon", sort="-due")]
    make(120)
    assert [measure("open", sort="due"), measure("overdue"), measure("breaching-soon", sort="-due")] == few
