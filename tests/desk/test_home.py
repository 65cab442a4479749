from django.urls import reverse

from tessera.tickets.selectors import queues
from tests.factories import TicketFactory
from tests.html import parse

DESK = reverse("desk:home")


def test_customers_get_404_on_the_desk(client, customer, org_admin):
    for user in (customer, org_admin):
        client.force_login(user)
        assert client.get(DESK).status_code == 404


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(DESK)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_agent_sees_counts_per_status_category(client, agent, customer, category):
    TicketFactory(created_by=customer, category=category, status="open")
    TicketFactory(created_by=customer, category=category, status="in_process")
    TicketFactory(created_by=customer, category=category, status="canceled")
    client.force_login(agent)
    response = client.get(DESK)
    rows = dict(response.context["rows"])
    assert rows["New"].value == 1 and rows["Open"].value == 1 and rows["Closed"].value == 1
    assert not rows["Closed"].more and rows["Waiting for customer"].value == 0


def test_counts_per_status_category_stop_at_the_limit(
    client, agent, customer, category, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr("tessera.tickets.selectors.queues.COUNT_LIMIT", 2)
    for status in ("completed", "canceled", "error"):
        TicketFactory(created_by=customer, category=category, status=status)
    client.force_login(agent)
    with django_assert_max_num_queries(4):  # session, user, the status categories' counts, the queues' counts
        response = client.get(DESK)
    assert dict(response.context["rows"])["Closed"] == queues.TicketCount(2, more=True)
    closed = parse(response).find(testid="status-closed").find("span", class_="status-count")
    assert closed.text == "2+More than 2 tickets"
