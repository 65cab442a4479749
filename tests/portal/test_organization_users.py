"""Seed 001 "Utente Amministratore": the organization's administrator manages its users."""

import pytest
from django.urls import reverse

from tessera.organizations.models import LinkRequest, Membership, Role
from tests.factories import MembershipFactory, UserFactory, pending_applicant
from tests.html import parse

pytestmark = pytest.mark.usefixtures("worker_keeps_test_connection")

USERS = reverse("portal:organization_users")


def member_urls(membership_pk):
    return [
        reverse(f"portal:organization_user_{action}", args=[membership_pk])
        for action in ("activate", "role", "deactivate", "reactivate")
    ]


def link_request_urls(link_request_pk):
    return [
        reverse("portal:organization_link_approve", args=[link_request_pk]),
        reverse("portal:organization_link_reject", args=[link_request_pk]),
    ]


def row(page: str, membership) -> str:
    start = page.index(f'data-testid="membership-{membership.pk}"')
    return page[start:page.index("</tr>", start)]


def test_the_admin_sees_users_and_waiting_requests(client, org_admin, customer, manager, restricted_user,
                                                   inactive_member, organization, outsider):
    link_request = pending_applicant(organization, email="new@rossi.test", first_name="Nina", last_name="Neri")
    client.force_login(org_admin)
    page = client.get(USERS).content.decode()
    assert "Users of my organization" in page
    for user in (org_admin, customer, manager, restricted_user, inactive_member):
        assert user.email in page
    assert outsider.email not in page
    assert "Basic user" in row(page, customer.membership) and "Active" in row(page, customer.membership)
    assert "Manager" in row(page, manager.membership)
    assert "Inactive" in row(page, inactive_member.membership) and "Reactivate" in row(page, inactive_member.membership)
    assert "Activation" in row(page, restricted_user.membership)
    assert "Never" in row(page, manager.membership)  # last login
    assert "Waiting for approval" in row(page, link_request.user.membership)
    requests_part = page[page.index('data-testid="link-request-'):]
    assert "Nina Neri" in requests_part and "new@rossi.test" in requests_part and "100001" in requests_part
    assert parse(page).find(testid="pending-count").text == "1"


def test_nav_link_only_for_org_admins(client, org_admin, customer, manager):
    client.force_login(org_admin)
    assert "Users of my organization" in client.get(reverse("portal:home")).content.decode()
    for user in (customer, manager):
        client.force_login(user)
        assert "Users of my organization" not in client.get(reverse("portal:home")).content.decode()


def test_activation_with_a_role(client, org_admin, restricted_user, deliver, mailoutbox):
    client.force_login(org_admin)
    with deliver():
        response = client.post(member_urls(restricted_user.membership.pk)[0], {"role": Role.MANAGER})
    assert response.status_code == 302 and response["Location"] == USERS
    assert Membership.objects.get(user=restricted_user).role == Role.MANAGER
    [message] = mailoutbox
    assert message.to == [restricted_user.email] and "Manager" in message.body
    assert "is now active as Manager" in client.get(USERS).content.decode()


def test_activation_approves_the_waiting_request(client, org_admin, organization):
    link_request = pending_applicant(organization)
    client.force_login(org_admin)
    client.post(member_urls(link_request.user.membership.pk)[0], {"role": Role.ADMIN})
    link_request.refresh_from_db()
    assert link_request.state == LinkRequest.State.APPROVED and link_request.decided_by == org_admin
    assert Membership.objects.get(user=link_request.user).role == Role.ADMIN


def test_an_invalid_role_is_shown_next_to_the_field(client, org_admin, restricted_user):
    client.force_login(org_admin)
    response = client.post(member_urls(restricted_user.membership.pk)[0], {"role": Role.RESTRICTED})
    assert response.status_code == 200
    assert "Select a valid choice." in row(response.content.decode(), restricted_user.membership)
    assert Membership.objects.get(user=restricted_user).role == Role.RESTRICTED


def test_change_role(client, org_admin, customer):
    client.force_login(org_admin)
    response = client.post(member_urls(customer.membership.pk)[1], {"role": Role.MANAGER})
    assert response["Location"] == USERS
    assert Membership.objects.get(user=customer).role == Role.MANAGER


def test_the_last_admin_is_protected(client, org_admin):
    client.force_login(org_admin)
    response = client.post(member_urls(org_admin.membership.pk)[1], {"role": Role.BASIC})
    assert response.status_code == 200
    cell = row(response.content.decode(), org_admin.membership)
    assert "is the organization&#x27;s only active administrator" in cell
    assert '<option value="basic" selected>' in cell  # what was chosen stays chosen
    response = client.post(member_urls(org_admin.membership.pk)[2], {"confirm": "yes"})
    assert "only active administrator" in row(response.content.decode(), org_admin.membership)
    assert Membership.objects.get(user=org_admin).is_admin


def test_an_admin_who_steps_down_is_sent_home(client, org_admin, organization):
    MembershipFactory(organization=organization, role=Role.ADMIN)
    client.force_login(org_admin)
    response = client.post(member_urls(org_admin.membership.pk)[1], {"role": Role.BASIC})
    assert response["Location"] == reverse("portal:home")
    assert client.get(USERS).status_code == 404


def test_deactivating_asks_first_and_changes_nothing_until_confirmed(client, org_admin, customer):
    customer.first_name, customer.last_name = "Maria", "Rossi"
    customer.save()
    client.force_login(org_admin)
    deactivate = member_urls(customer.membership.pk)[2]
    response = client.post(deactivate)  # the button on the users page
    assert response.status_code == 200
    page = parse(response.content.decode())
    question = page.find(testid="deactivate-confirmation")
    assert "Deactivate Maria Rossi?" in question.text
    assert question.find("button", testid="confirm-deactivate").text == "Yes, deactivate"
    assert question.find("a", href=USERS).text == "Cancel"
    assert Membership.objects.get(user=customer).is_active
    assert client.get(deactivate).status_code == 405  # a link never changes anything
    assert Membership.objects.get(user=customer).is_active
    assert client.post(deactivate, {"confirm": "yes"})["Location"] == USERS
    assert not Membership.objects.get(user=customer).is_active


def test_the_deactivation_question_reads_the_same_whatever_the_number_of_users(
    client, org_admin, customer, organization, django_assert_max_num_queries
):
    for _ in range(5):
        MembershipFactory(organization=organization, role=Role.BASIC)
    client.force_login(org_admin)
    with django_assert_max_num_queries(8):
        assert client.post(member_urls(customer.membership.pk)[2]).status_code == 200


def test_deactivate_and_reactivate(client, org_admin, customer):
    client.force_login(org_admin)
    assert client.post(member_urls(customer.membership.pk)[2], {"confirm": "yes"})["Location"] == USERS
    assert not Membership.objects.get(user=customer).is_active
    assert "Inactive" in row(client.get(USERS).content.decode(), customer.membership)
    assert client.post(member_urls(customer.membership.pk)[3])["Location"] == USERS
    assert Membership.objects.get(user=customer).is_active


def test_approve_a_request(client, org_admin, organization, deliver, mailoutbox):
    link_request = pending_applicant(organization, email="new@rossi.test")
    client.force_login(org_admin)
    with deliver():
        response = client.post(link_request_urls(link_request.pk)[0])
    assert response["Location"] == USERS
    assert Membership.objects.get(user=link_request.user).role == Role.BASIC
    assert [message.to for message in mailoutbox] == [["new@rossi.test"]]
    assert mailoutbox[0].subject == "Your access to Praxis Rossi is active"
    # A decided request is no longer there.
    assert client.post(link_request_urls(link_request.pk)[0]).status_code == 404


def test_reject_a_request_with_a_reason(client, org_admin, organization, deliver, mailoutbox):
    link_request = pending_applicant(organization, email="new@rossi.test")
    client.force_login(org_admin)
    reject_url = link_request_urls(link_request.pk)[1]
    page = client.get(reject_url).content.decode()
    assert '<label for="id_reason">Reason' in page and "new@rossi.test" in page
    response = client.post(reject_url, {"reason": "   "})
    assert response.status_code == 200 and 'class="field-error"' in response.content.decode()
    with deliver():
        response = client.post(reject_url, {"reason": "We do not know you."})
    assert response["Location"] == USERS
    link_request.refresh_from_db()
    assert link_request.state == LinkRequest.State.REJECTED
    assert not Membership.objects.filter(user=link_request.user).exists()
    [message] = mailoutbox
    assert message.to == ["new@rossi.test"] and "We do not know you." in message.body


@pytest.mark.parametrize("method", ["get", "post"])
def test_outsider_admin_finds_nothing(client, outsider, org_admin, customer, restricted_user, organization, method):
    link_request = pending_applicant(organization)
    client.force_login(outsider)
    urls = [*member_urls(customer.membership.pk), *member_urls(restricted_user.membership.pk),
            *link_request_urls(link_request.pk)]
    for url in urls:
        response = getattr(client, method)(url, {"role": Role.ADMIN, "reason": "x"})
        assert response.status_code == 404, url
    # The outsider's own page lists nothing of this organization.
    page = client.get(USERS).content.decode()
    assert customer.email not in page and link_request.user.email not in page
    assert Membership.objects.get(user=customer).role == Role.BASIC
    assert Membership.objects.get(user=restricted_user).role == Role.RESTRICTED
    link_request.refresh_from_db()
    assert link_request.state == LinkRequest.State.PENDING


def test_ids_from_another_organization_are_not_found(client, org_admin, outsider, other_organization):
    link_request = pending_applicant(other_organization)
    client.force_login(org_admin)
    for url in [*member_urls(outsider.membership.pk), *link_request_urls(link_request.pk)]:
        assert client.post(url, {"role": Role.BASIC, "reason": "x"}).status_code == 404, url
    assert Membership.objects.get(user=outsider).is_admin


def test_non_admins_and_staff_find_nothing(client, organization, customer, manager, restricted_user,
                                           inactive_member, agent, org_admin):
    link_request = pending_applicant(organization)
    inactive_admin = MembershipFactory(organization=organization, role=Role.ADMIN, is_active=False).user
    urls = [USERS, *member_urls(customer.membership.pk), *link_request_urls(link_request.pk)]
    for user in (customer, manager, restricted_user, inactive_member, inactive_admin, agent):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
            assert client.post(url, {"role": Role.ADMIN, "reason": "x"}).status_code == 404, (user, url)
    assert Membership.objects.get(user=customer).role == Role.BASIC


def test_anonymous_is_sent_to_login(client, customer):
    for url in [USERS, *member_urls(customer.membership.pk)]:
        response = client.post(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_get_on_an_action_is_not_allowed(client, org_admin, customer):
    client.force_login(org_admin)
    assert client.get(member_urls(customer.membership.pk)[2]).status_code == 405


@pytest.mark.parametrize("rows", [3, 30])
def test_users_page_query_count_is_constant(client, org_admin, organization, rows, django_assert_max_num_queries):
    for _ in range(rows):
        MembershipFactory(organization=organization, role=Role.BASIC, user=UserFactory())
        pending_applicant(organization)
    client.force_login(org_admin)
    with django_assert_max_num_queries(6):
        response = client.get(USERS)
    assert response.status_code == 200
