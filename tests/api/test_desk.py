"""The agents' endpoints: queues, assignment, status actions, internal notes, merging; customers get 403."""

import pytest

from tessera.tickets.models import Comment, Ticket
from tessera.tickets.services import ticket_create
from tessera.tickets.workflow import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(customer, category):
    return ticket_create(author=customer, title="Printer broken", category=category)


def test_queues_with_their_counts_and_tickets(api, agent, ticket):
    queues = {q["key"]: q for q in api(agent).get("/api/v1/queues/").json()}
    assert queues["open"]["count"] == 1 and queues["open"]["more"] is False
    rows = api(agent).get("/api/v1/queues/open/tickets/").json()["results"]
    assert [row["number"] for row in rows] == [ticket.number]
    assert api(agent).get("/api/v1/queues/nope/tickets/").status_code == 404


@pytest.mark.parametrize("path", ["queues/", "queues/open/tickets/"])
def test_customers_have_no_queues(api, customer, path):
    assert api(customer).get(f"/api/v1/{path}").status_code == 403


def test_assign_and_unassign(api, agent, other_agent, customer, ticket):
    url = f"/api/v1/tickets/{ticket.number}/assign/"
    response = api(agent).post(url, {"assignee": other_agent.pk}, format="json")
    assert response.status_code == 200 and response.json()["assignee"]["id"] == other_agent.pk
    assert api(agent).post(url, {"assignee": customer.pk}, format="json").json()["errors"] == {
        "assignee": ["Tickets can only be assigned to active support staff."]}
    assert api(agent).post(url, {"assignee": None}, format="json").json()["assignee"] is None
    assert api(customer).post(url, {"assignee": agent.pk}, format="json").status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_status_actions_follow_the_workflow(api, agent, ticket):
    url = f"/api/v1/tickets/{ticket.number}/status/"
    assert api(agent).post(url, {"action": "start"}, format="json").json()["status"] == Status.IN_PROCESS
    response = api(agent).post(url, {"action": "provide_solution"}, format="json")
    assert response.json()["errors"] == {"message": ["Write the message the customer will receive."]}
    response = api(agent).post(url, {"action": "provide_solution", "message": "Update the driver."}, format="json")
    assert response.json()["status"] == Status.SOLUTION_PROVIDED
    assert api(agent).post(url, {"action": "complete"}, format="json").json()["status"] == Status.COMPLETED
    refused = api(agent).post(url, {"action": "start"}, format="json")
    assert refused.status_code == 409 and "completed" in refused.json()["detail"]
    assert api(agent).post(url, {"action": "fly"}, format="json").json()["errors"] == {
        "action": ['"fly" is not a valid choice.']}


def test_internal_notes_never_reach_the_customer(api, agent, customer, ticket):
    response = api(agent).post(f"/api/v1/tickets/{ticket.number}/notes/", {"body": "Call back Friday"},
                               format="json")
    assert response.status_code == 201 and response.json()["is_internal"] is True
    assert Comment.objects.get(ticket=ticket).is_internal
    assert api(customer).get(f"/api/v1/tickets/{ticket.number}/comments/").json() == []
    assert api(customer).post(f"/api/v1/tickets/{ticket.number}/notes/", {"body": "x"},
                              format="json").status_code == 403


def test_merge_a_duplicate(api, agent, customer, category, ticket):
    duplicate = ticket_create(author=customer, title="Printer broken again", category=category)
    response = api(agent).post(f"/api/v1/tickets/{duplicate.number}/merge/", {"target": ticket.number},
                               format="json")
    assert response.status_code == 200 and response.json()["number"] == ticket.number
    duplicate.refresh_from_db()
    assert duplicate.merged_into == ticket and duplicate.is_closed
    missing = api(agent).post(f"/api/v1/tickets/{ticket.number}/merge/", {"target": "9999999999"}, format="json")
    assert missing.json()["errors"] == {"target": ["No ticket with this number."]}
