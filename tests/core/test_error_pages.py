"""Error pages in the site's layout, saying what happened and what to do next.

The test client runs with DEBUG off, as production does (pytest-django's default): Django's handlers
then draw the templates and the views of portal/views/errors.py.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import AttachmentFactory, TicketFactory
from tests.html import parse

pytestmark = pytest.mark.django_db

NOT_YOURS = "This ticket does not exist or is not yours"
WAITING = "Your account is waiting for approval"


@pytest.fixture
def error_urls(settings):
    settings.ROOT_URLCONF = "tests.core.error_urls"


def in_layout(response) -> bool:
    """The page has the site's top bar and main region, not Django's bare text."""
    page = parse(response)
    return any(header.testid == "site-header" for header in page.find_all("header")) and page.exists("main")


def heading(response) -> str:
    return parse(response).find("h1").text


def main_of(response) -> str:
    return parse(response).find("main").html


def test_an_unknown_page_is_a_404_in_the_layout(client, customer):
    client.force_login(customer)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert in_layout(response)
    assert heading(response) == "Page not found"
    assert f'href="{reverse("portal:home")}"' in main_of(response)


def test_a_404_for_someone_not_logged_in_is_in_the_layout_too(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and in_layout(response) and heading(response) == "Page not found"


def test_a_refusal_is_a_403_in_the_layout(client, customer, error_urls):
    client.force_login(customer)
    response = client.get("/test-errors/403/")
    assert response.status_code == 403
    assert in_layout(response)
    assert heading(response) == "You may not open this page"


def test_a_bad_request_is_a_400_in_the_layout(client, error_urls):
    response = client.get("/test-errors/400/")
    assert response.status_code == 400
    assert in_layout(response)
    assert heading(response) == "The request could not be understood"


def test_a_server_error_is_a_styled_500_without_the_database(error_urls, django_assert_num_queries):
    client = Client(raise_request_exception=False)
    with django_assert_num_queries(0):
        response = client.get("/test-errors/500/")
    assert response.status_code == 500
    page = parse(response)
    assert page.find("h1").text == "Something went wrong"
    stylesheets = [link.get("href") for link in page.find_all("link") if link.get("rel") == "stylesheet"]
    assert stylesheets == ["/static/tessera/tessera.css"]
    assert not page.exists("details"), "no user menu"
    assert page.find("html").get("lang") == "en"


def test_a_server_error_speaks_the_language_of_the_request(error_urls):
    client = Client(raise_request_exception=False, headers={"accept-language": "it"})
    response = client.get("/test-errors/500/")
    assert response.status_code == 500 and parse(response).find("html").get("lang") == "it"


@pytest.mark.parametrize("url_name", ["ticket_detail", "ticket_pane", "ticket_close"])
def test_a_foreign_and_an_unknown_ticket_get_the_same_404(client, customer, outsider, url_name):
    foreign = TicketFactory(created_by=outsider)
    client.force_login(customer)
    answers = [client.get(reverse(f"portal:{url_name}", args=[number])) for number in (foreign.number, "0000000001")]
    for response in answers:
        assert response.status_code == 404
        assert in_layout(response)
        assert heading(response) == NOT_YOURS
        assert f'href="{reverse("portal:ticket_list")}"' in main_of(response)
    assert main_of(answers[0]) == main_of(answers[1]), "nothing tells a foreign ticket from one that does not exist"


def test_a_foreign_attachment_gets_the_same_404_as_an_unknown_one(client, customer, outsider):
    attachment = AttachmentFactory(ticket=TicketFactory(created_by=outsider))
    client.force_login(customer)
    foreign = client.get(reverse("portal:attachment_download", args=[attachment.ticket.number, attachment.pk]))
    unknown = client.get(reverse("portal:attachment_download", args=["0000000001", attachment.pk + 1]))
    assert foreign.status_code == unknown.status_code == 404
    assert heading(foreign) == NOT_YOURS
    assert main_of(foreign) == main_of(unknown)


def test_a_colleagues_ticket_not_shared_is_not_yours_either(client, customer, colleague):
    ticket = TicketFactory(created_by=colleague)
    client.force_login(customer)
    response = client.get(reverse("portal:ticket_detail", args=[ticket.number]))
    assert response.status_code == 404 and heading(response) == NOT_YOURS


def test_the_ticket_page_in_italian_has_the_italian_layout(client, customer, outsider):
    customer.language = "it"
    customer.save(update_fields=["language"])
    client.force_login(customer)
    response = client.get(reverse("portal:ticket_detail", args=[TicketFactory(created_by=outsider).number]))
    assert response.status_code == 404
    assert parse(response).find("html").get("lang") == "it"
    assert in_layout(response)


def test_the_desk_says_it_in_an_agents_terms(client, agent, settings, outsider):
    settings.TESSERA_AGENTS_SEE_ONLY_TEAM_TICKETS = True
    other_teams = TicketFactory(created_by=outsider)  # a category of another team
    client.force_login(agent)
    answers = [client.get(reverse("desk:ticket", args=[number])) for number in (other_teams.number, "0000000001")]
    for response in answers:
        assert response.status_code == 404
        assert heading(response) == "This ticket does not exist or is not in your queues"
        assert f'href="{reverse("desk:queues")}"' in main_of(response)
    assert main_of(answers[0]) == main_of(answers[1])


def test_a_customer_on_a_desk_ticket_url_finds_only_a_missing_page(client, customer):
    ticket = TicketFactory(created_by=customer)
    client.force_login(customer)
    response = client.get(reverse("desk:ticket", args=[ticket.number]))
    assert response.status_code == 404 and heading(response) == "Page not found"


@pytest.mark.parametrize(
    ("url", "status"),
    [
        (lambda ticket: reverse("portal:ticket_detail", args=[ticket.number]), 404),
        (lambda ticket: reverse("portal:ticket_detail", args=["0000000001"]), 404),
        (lambda ticket: reverse("portal:ticket_create"), 403),
    ],
)
def test_a_user_waiting_for_approval_is_told_so(client, restricted_user, org_admin, url, status):
    ticket = TicketFactory(created_by=org_admin)
    client.force_login(restricted_user)
    response = client.get(url(ticket))
    assert response.status_code == status
    assert in_layout(response)
    assert heading(response) == WAITING
    text = parse(response).find("main").text
    assert "The administrator of Praxis Rossi approves new users" in text
    assert "You will receive an e-mail as soon as your access is activated." in text
    assert ticket.title not in text


def test_without_an_administrator_the_vendor_approves(client, restricted_user):
    client.force_login(restricted_user)
    response = client.get(reverse("portal:ticket_detail", args=["0000000001"]))
    assert heading(response) == WAITING
    assert "our support staff approve its new users" in parse(response).find("main").text


def test_a_deactivated_member_is_told_so(client, inactive_member):
    client.force_login(inactive_member)
    response = client.get(reverse("portal:ticket_detail", args=["0000000001"]))
    assert response.status_code == 404 and heading(response) == "Your access has been deactivated"


def test_a_user_not_linked_yet_is_sent_to_link_the_account(client, unlinked_user):
    client.force_login(unlinked_user)
    response = client.get(reverse("portal:ticket_create"))
    assert response.status_code == 403
    assert heading(response) == "Link your account to your organization"
    assert f'href="{reverse("portal:link")}"' in main_of(response)


def test_in_debug_developers_keep_djangos_technical_404(client, customer, settings):
    settings.DEBUG = True
    client.force_login(customer)
    response = client.get(reverse("portal:ticket_detail", args=["0000000001"]))
    assert response.status_code == 404
    assert "Django tried these URL patterns" in response.content.decode() or "Raised by:" in response.content.decode()


def test_an_active_member_never_sees_the_approval_page(client, customer):
    client.force_login(customer)
    response = client.get("/no-such-page/")
    assert heading(response) == "Page not found"
