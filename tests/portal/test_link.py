"""Seed 001 "Effettua il primo accesso": customer code and postal code at first login, then the wait."""

import pytest
from django.urls import reverse

from tessera.organizations.models import LinkRequest, Membership, Role
from tessera.organizations.services import link_request_approve, link_request_reject
from tests.factories import UserFactory, pending_applicant
from tests.html import parse

pytestmark = pytest.mark.usefixtures("worker_keeps_test_connection")

HOME = reverse("portal:home")
LINK = reverse("portal:link")
NO_MATCH = "We could not find a customer with this customer code and postal code."
RIGHT = {"customer_code": "100001", "postal_code": "20121"}


def form_error(page: str) -> str:
    return parse(page).find(testid="link-error").inner_html


def test_first_login_without_organization_goes_to_the_link_page(client, unlinked_user):
    client.force_login(unlinked_user)
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"] == LINK
    page = client.get(LINK).content.decode()
    assert "Link your account to your organization" in page
    assert '<label for="id_customer_code">Customer code' in page and '<label for="id_postal_code">Postal code' in page
    assert "You find your customer code on any invoice we sent you." in page


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(LINK)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_matching_codes_wait_for_approval(client, unlinked_user, organization, org_admin, deliver, mailoutbox):
    client.force_login(unlinked_user)
    with deliver():
        response = client.post(LINK, {"customer_code": " 100001 ", "postal_code": "20 121"})
    assert response.status_code == 302 and response["Location"] == LINK
    page = client.get(LINK).content.decode()
    assert "Waiting for approval" in page and "usually within 24–48 hours" in page and "Praxis Rossi" in page
    assert LinkRequest.objects.get(user=unlinked_user).state == LinkRequest.State.PENDING
    assert Membership.objects.get(user=unlinked_user).role == Role.RESTRICTED
    [message] = mailoutbox
    assert message.to == [org_admin.email]
    assert message.subject == "New user waiting for approval: nobody@example.test (Praxis Rossi)"
    # Home keeps showing the wait, not the tiles.
    assert client.get(HOME)["Location"] == LINK


def test_wrong_code_and_wrong_postal_code_show_the_same_message(client, unlinked_user, organization,
                                                                other_organization):
    client.force_login(unlinked_user)
    pages = []
    for data in (
        {"customer_code": "999999", "postal_code": "20121"},  # no such customer
        {"customer_code": "100001", "postal_code": "80331"},  # a real customer, wrong postal code
        {"customer_code": "200002", "postal_code": "20121"},  # a real customer, another's postal code
    ):
        response = client.post(LINK, data)
        assert response.status_code == 200
        page = response.content.decode()
        assert f'value="{data["customer_code"]}"' in page and f'value="{data["postal_code"]}"' in page
        pages.append(form_error(page))
    assert NO_MATCH in pages[0]
    assert pages[0] == pages[1] == pages[2]
    assert not LinkRequest.objects.exists() and not Membership.objects.filter(user=unlinked_user).exists()


def test_empty_fields_are_marked(client, unlinked_user):
    client.force_login(unlinked_user)
    page = client.post(LINK, {"customer_code": "", "postal_code": ""}).content.decode()
    assert page.count('class="field-error"') == 2


def test_too_many_wrong_tries_by_one_user(client, unlinked_user, organization):
    client.force_login(unlinked_user)
    for attempt in range(5):
        response = client.post(LINK, {**RIGHT, "customer_code": "999999"}, REMOTE_ADDR=f"10.0.0.{attempt + 1}")
        assert response.status_code == 200
    response = client.post(LINK, RIGHT, REMOTE_ADDR="10.0.1.1")
    assert response.status_code == 429
    assert "Too many unsuccessful tries. Please wait 15 minutes and try again." in response.content.decode()
    assert not LinkRequest.objects.exists()


def test_too_many_wrong_tries_from_one_address(settings, client, organization):
    settings.TESSERA_LINK_NETWORK_FAILURE_LIMIT = 5  # 50 by default: a practice shares one address
    for _ in range(5):
        client.force_login(UserFactory())
        client.post(LINK, {**RIGHT, "customer_code": "999999"}, REMOTE_ADDR="10.0.0.9")
    newcomer = UserFactory()
    client.force_login(newcomer)
    response = client.post(LINK, RIGHT, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429 and "Too many unsuccessful tries" in response.content.decode()
    response = client.post(LINK, RIGHT, REMOTE_ADDR="10.0.0.10")
    assert response.status_code == 302
    assert LinkRequest.objects.get().user == newcomer


def test_a_waiting_user_cannot_send_again(client, organization):
    link_request = pending_applicant(organization)
    client.force_login(link_request.user)
    page = client.post(LINK, RIGHT).content.decode()
    assert "Waiting for approval" in page and "<form method=\"post\" novalidate>" not in page
    assert LinkRequest.objects.count() == 1


def test_after_approval_home_shows_the_tiles(client, organization, org_admin):
    link_request = pending_applicant(organization)
    link_request_approve(link_request=link_request, approved_by=org_admin)
    client.force_login(link_request.user)
    assert client.get(LINK)["Location"] == HOME
    assert "Report a problem" in client.get(HOME).content.decode()


def test_after_rejection_the_reason_is_shown_and_the_user_may_try_again(client, organization, org_admin):
    link_request = pending_applicant(organization)
    link_request_reject(link_request=link_request, rejected_by=org_admin, reason="Unknown <person>")
    client.force_login(link_request.user)
    assert client.get(HOME)["Location"] == LINK
    page = client.get(LINK).content.decode()
    assert "was not approved" in page and "Unknown &lt;person&gt;" in page
    assert client.post(LINK, RIGHT).status_code == 302
    assert LinkRequest.objects.filter(user=link_request.user, state=LinkRequest.State.PENDING).exists()


def test_members_and_staff_are_sent_away(client, customer, agent):
    client.force_login(customer)
    assert client.get(LINK)["Location"] == HOME
    client.force_login(agent)
    assert client.get(LINK)["Location"] == reverse("desk:home")
