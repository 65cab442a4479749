"""A customer's reply marks the ticket as updated for support: a bell in the queues and a queue of its own."""

import pytest
from django.urls import reverse

from tessera.tickets import services
from tessera.tickets.models import Ticket
from tessera.tickets.workflow import Action, Status
from tests.html import parse


@pytest.fixture
def ticket(customer, category, agent):
    ticket = services.ticket_create(author=customer, title="Lab results missing", category=category)
    services.ticket_assign(ticket=ticket, user=agent, assignee=agent)
    return Ticket.objects.get(pk=ticket.pk)


def updated_queue(client):
    page = parse(client.get(reverse("desk:queue", kwargs={"queue": "updated"})).content.decode())
    return [row.testid.removeprefix("row-") for row in page.find_all(testid_prefix="row-")]


@pytest.mark.parametrize(("status", "after"), [
    (Status.IN_PROCESS, Status.IN_PROCESS),  # already in work: it stays, marked
    (Status.ON_HOLD, Status.ON_HOLD),  # the hold's reason still holds: marked, not moved
    (Status.CUSTOMER_ACTION, Status.ADDITIONAL_INFO),  # support asked: the answer brings it back into work
])
def test_a_customer_reply_marks_the_ticket_and_moves_it_where_the_workflow_says(
    client, agent, customer, ticket, status, after
):
    Ticket.objects.filter(pk=ticket.pk).update(status=status)
    client.force_login(customer)
    client.post(reverse("portal:ticket_comment", args=[ticket.number]), {"body": "Here is the file."})
    ticket.refresh_from_db()
    assert ticket.customer_updated_at is not None and ticket.status == after
    client.force_login(agent)
    assert updated_queue(client) == [ticket.number]
    page = parse(client.get(reverse("desk:queue", kwargs={"queue": "open"})).content.decode())
    assert page.find_one(testid=f"row-{ticket.number}").exists(testid="updated-mark")


def test_the_assignee_opening_the_ticket_clears_the_mark_and_another_agent_does_not(
    client, agent, other_agent, customer, ticket
):
    services.comment_add(ticket=ticket, author=customer, body="Any news?")
    client.force_login(other_agent)
    client.get(reverse("desk:ticket", args=[ticket.number]))
    ticket.refresh_from_db()
    assert ticket.customer_updated_at is not None
    client.force_login(agent)
    client.get(reverse("desk:ticket", args=[ticket.number]))
    ticket.refresh_from_db()
    assert ticket.customer_updated_at is None
    assert updated_queue(client) == []


def test_an_agents_public_answer_clears_the_mark_an_internal_note_does_not(agent, other_agent, customer, ticket):
    services.comment_add(ticket=ticket, author=customer, body="Any news?")
    services.comment_add(ticket=ticket, author=other_agent, body="Looking", is_internal=True)
    ticket.refresh_from_db()
    assert ticket.customer_updated_at is not None
    services.comment_add(ticket=ticket, author=other_agent, body="Fixed now.")
    ticket.refresh_from_db()
    assert ticket.customer_updated_at is None


def test_closed_tickets_are_not_in_the_queue(client, agent, customer, ticket):
    services.comment_add(ticket=ticket, author=customer, body="Thanks")
    services.ticket_change_status(ticket=ticket, user=agent, action=Action.COMPLETE)
    client.force_login(agent)
    assert updated_queue(client) == []
