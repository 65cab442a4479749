from django.urls import reverse

from tessera.tickets.workflow import Status
from tests.factories import TicketFactory

HOME = reverse("portal:home")


def test_home_shows_both_tiles_and_counts(client, customer, category):
    TicketFactory(created_by=customer, category=category, status=Status.OPEN)
    TicketFactory(created_by=customer, category=category, status=Status.CUSTOMER_ACTION)
    TicketFactory(created_by=customer, category=category, status=Status.COMPLETED)
    client.force_login(customer)
    page = client.get(HOME).content.decode()
    assert "Report a problem" in page and "My tickets" in page
    assert "2 open tickets" in page
    assert "1 waiting for you" in page


def test_counts_never_include_other_organizations(client, customer, outsider, category):
    TicketFactory(created_by=outsider, category=category)
    client.force_login(customer)
    assert "0 open tickets" in client.get(HOME).content.decode()


def test_restricted_user_sees_activation_notice_not_tiles(client, restricted_user):
    client.force_login(restricted_user)
    page = client.get(HOME).content.decode()
    assert "waiting for activation" in page
    assert "Report a problem" not in page


def test_unlinked_user_is_sent_to_link_an_organization(client, unlinked_user):
    client.force_login(unlinked_user)
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"] == reverse("portal:link")


def test_staff_are_sent_to_the_desk(client, agent):
    client.force_login(agent)
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"] == reverse("desk:home")


def test_home_query_count_is_constant(client, customer, category, django_assert_max_num_queries):
    client.force_login(customer)
    for _ in range(30):
        TicketFactory(created_by=customer, category=category)
    with django_assert_max_num_queries(5):
        client.get(HOME)
