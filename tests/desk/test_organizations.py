"""Customers in the desk: search, pages, and one organization's users and waiting requests."""

import pytest
from django.urls import NoReverseMatch, reverse

from tessera.organizations.models import Role
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory, pending_applicant
from tests.html import parse

pytestmark = pytest.mark.usefixtures("worker_keeps_test_connection")

ORGANIZATIONS = reverse("desk:organizations")


def detail_url(organization):
    return reverse("desk:organization_detail", args=[organization.pk])


def test_list_with_counts(client, agent, organization, other_organization, customer, org_admin, inactive_member):
    pending_applicant(organization)
    client.force_login(agent)
    response = client.get(ORGANIZATIONS)
    page = response.content.decode()
    assert "Praxis Rossi" in page and "Zahnarzt Weber" in page and detail_url(organization) in page
    rossi = next(org for org in response.context["page"].object_list if org.pk == organization.pk)
    # customer, org_admin and the restricted applicant are active; the former member is not.
    assert (rossi.active_user_count, rossi.pending_link_request_count) == (3, 1)


@pytest.mark.parametrize(
    ("search", "found"), [("rossi", "Praxis Rossi"), ("200002", "Zahnarzt Weber"), ("münchen", "Zahnarzt Weber")]
)
def test_search_by_name_customer_code_or_city(client, agent, organization, other_organization, search, found):
    other_organization.city = "München"
    other_organization.save()
    client.force_login(agent)
    names = [org.name for org in client.get(ORGANIZATIONS, {"q": search}).context["page"].object_list]
    assert names == [found]


def test_no_match(client, agent, organization):
    client.force_login(agent)
    assert "No organization matches your search." in client.get(ORGANIZATIONS, {"q": "nothing"}).content.decode()


def test_pages_keep_the_search(client, agent):
    for n in range(30):
        OrganizationFactory(name=f"Studio {n:02d}")
    OrganizationFactory(name="Clinica")
    client.force_login(agent)
    first = client.get(ORGANIZATIONS, {"q": "studio"})
    assert len(first.context["page"].object_list) == 25
    assert "?q=studio&amp;page=2" in first.content.decode()
    second = client.get(ORGANIZATIONS, {"q": "studio", "page": 2})
    assert [org.name for org in second.context["page"].object_list] == [f"Studio {n}" for n in range(25, 30)]


def test_organization_page_lists_users_and_waiting_requests(
    client, agent, organization, customer, org_admin, inactive_member, outsider
):
    link_request = pending_applicant(organization, email="new@rossi.test")
    client.force_login(agent)
    page = client.get(detail_url(organization)).content.decode()
    assert "Praxis Rossi" in page and "100001" in page
    for user in (customer, org_admin, inactive_member):
        assert user.email in page
    assert "Administrator" in page and "Basic user" in page and "Inactive" in page
    assert outsider.email not in page
    assert f'data-testid="link-request-{link_request.pk}"' in page
    assert reverse("desk:approval_approve", args=[link_request.pk]) in page


def test_invite_link_only_when_the_invitation_page_exists(client, agent, organization):
    client.force_login(agent)
    page = client.get(detail_url(organization)).content.decode()
    try:
        invite_url = reverse("desk:organization_invite", args=[organization.pk])
    except NoReverseMatch:
        assert "Invite a contact" not in page
    else:
        [link] = [a for a in parse(page).find_all("a") if a.get("href") == invite_url]
        assert link.text == "Invite a contact"


def test_unknown_organization_is_404(client, agent):
    client.force_login(agent)
    assert client.get(reverse("desk:organization_detail", args=[999999])).status_code == 404


def test_customers_find_nothing(client, organization, customer, org_admin, outsider):
    for user in (customer, org_admin, outsider):
        client.force_login(user)
        assert client.get(ORGANIZATIONS).status_code == 404
        assert client.get(detail_url(organization)).status_code == 404


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_is_constant(client, agent, rows, django_assert_max_num_queries):
    for _ in range(rows):
        organization = OrganizationFactory()
        MembershipFactory(organization=organization, role=Role.ADMIN, user=UserFactory())
        pending_applicant(organization)
    client.force_login(agent)
    with django_assert_max_num_queries(7):
        response = client.get(ORGANIZATIONS)
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [3, 30])
def test_organization_page_query_count_is_constant(client, agent, organization, rows, django_assert_max_num_queries):
    for _ in range(rows):
        MembershipFactory(organization=organization, role=Role.BASIC, user=UserFactory())
        pending_applicant(organization)
    client.force_login(agent)
    with django_assert_max_num_queries(7):
        response = client.get(detail_url(organization))
    assert response.status_code == 200


def test_customer_lookup_by_a_users_e_mail_or_last_name(client, agent, organization, other_organization, customer):
    customer.last_name = "Verdi"
    customer.save()
    client.force_login(agent)
    for term in ("customer@rossi", "verdi"):
        page = client.get(reverse("desk:organizations"), {"q": term}).content.decode()
        assert organization.name in page and other_organization.name not in page, term


def test_staff_require_two_factor_of_an_organization_and_it_is_audited(client, agent, organization, customer):
    from tessera.audit.models import AuditAction, AuditEntry

    client.force_login(agent)
    page = parse(client.get(detail_url(organization)).content.decode())
    assert page.find_one(testid="two-factor-state").text.startswith("Not required")
    response = client.post(reverse("desk:organization_two_factor", args=[organization.pk]), {"required": "on"},
                           follow=True)
    assert "Two-factor authentication is now required for every user of" in response.content.decode()
    assert parse(response.content.decode()).find_one(testid="two-factor-state").text.startswith("Required")
    organization.refresh_from_db()
    assert organization.require_two_factor
    entry = AuditEntry.objects.get(action=AuditAction.ORGANIZATION_TWO_FACTOR)
    assert (entry.actor, entry.organization_id, entry.data["required"]) == (agent, organization.pk, True)

    client.post(reverse("desk:organization_two_factor", args=[organization.pk]), {})
    organization.refresh_from_db()
    assert not organization.require_two_factor


def test_the_two_factor_setting_of_an_unknown_organization_is_404(client, agent):
    client.force_login(agent)
    assert client.post(reverse("desk:organization_two_factor", args=[987654]), {"required": "on"}).status_code == 404
