from django.urls import reverse

from tests.factories import TicketFactory

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
    assert rows["New"] == 1 and rows["Open"] == 1 and rows["Closed"] == 1
