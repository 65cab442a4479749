"""The vendor's inbox of link requests waiting for approval."""

import pytest
from django.urls import reverse

from tessera.organizations.models import LinkRequest, Membership, Role
from tests.factories import OrganizationFactory, pending_applicant
from tests.html import parse

pytestmark = pytest.mark.usefixtures("worker_keeps_test_connection")

APPROVALS = reverse("desk:approvals")


def approve_url(link_request):
    return reverse("desk:approval_approve", args=[link_request.pk])


def reject_url(link_request):
    return reverse("desk:approval_reject", args=[link_request.pk])


def test_inbox_lists_pending_requests_of_every_organization_with_a_count(
    client, agent, organization, other_organization
):
    first = pending_applicant(organization, email="new@rossi.test", first_name="Nina", last_name="Neri")
    second = pending_applicant(other_organization, email="neu@weber.test")
    decided = pending_applicant(organization, email="old@rossi.test")
    decided.state = LinkRequest.State.APPROVED
    decided.save()
    client.force_login(agent)
    page = client.get(APPROVALS).content.decode()
    assert parse(page).find(testid="pending-count").text == "2"
    for text in ("Nina Neri", "new@rossi.test", "Praxis Rossi", "100001", "neu@weber.test", "Zahnarzt Weber", "200002"):
        assert text in page
    assert "old@rossi.test" not in page
    assert page.index("new@rossi.test") < page.index("neu@weber.test")  # oldest first
    assert approve_url(first) in page and reject_url(second) in page


def test_approve(client, agent, organization, deliver, mailoutbox):
    link_request = pending_applicant(organization, email="new@rossi.test")
    client.force_login(agent)
    with deliver():
        response = client.post(approve_url(link_request))
    assert response["Location"] == APPROVALS
    link_request.refresh_from_db()
    assert link_request.state == LinkRequest.State.APPROVED and link_request.decided_by == agent
    assert Membership.objects.get(user=link_request.user).role == Role.BASIC
    [message] = mailoutbox
    assert message.to == ["new@rossi.test"]
    assert message.subject == "Your access to Praxis Rossi is active"
    assert "Basic user" in message.body
    assert "is now a Basic user of Praxis Rossi" in client.get(APPROVALS).content.decode()
    assert client.post(approve_url(link_request)).status_code == 404  # decided: no longer in the inbox


def test_reject_needs_a_reason_and_sends_it(client, agent, organization, deliver, mailoutbox):
    link_request = pending_applicant(organization, email="new@rossi.test", language="de")
    client.force_login(agent)
    page = client.get(reject_url(link_request)).content.decode()
    assert '<label for="id_reason">Reason' in page and "new@rossi.test" in page and "100001" in page
    response = client.post(reject_url(link_request), {"reason": ""})
    assert response.status_code == 200 and 'id="id_reason_error"' in response.content.decode()
    with deliver():
        response = client.post(reject_url(link_request), {"reason": "Customer code of a former customer."})
    assert response["Location"] == APPROVALS
    link_request.refresh_from_db()
    assert link_request.state == LinkRequest.State.REJECTED
    assert link_request.rejection_reason == "Customer code of a former customer."
    assert not Membership.objects.filter(user=link_request.user).exists()
    [message] = mailoutbox
    assert message.to == ["new@rossi.test"]
    assert message.subject == "Ihre Anfrage auf Verknüpfung mit Praxis Rossi wurde nicht freigegeben"
    assert "Customer code of a former customer." in message.body


def test_decisions_from_the_organization_page_return_there(client, agent, organization):
    first, second = pending_applicant(organization), pending_applicant(organization)
    back = reverse("desk:organization_detail", args=[organization.pk])
    client.force_login(agent)
    assert client.post(approve_url(first), {"next": back})["Location"] == back
    assert client.post(reject_url(second), {"reason": "No", "next": back})["Location"] == back
    third = pending_applicant(organization)
    assert client.post(approve_url(third), {"next": "https://evil.example/"})["Location"] == APPROVALS


@pytest.mark.parametrize("method", ["get", "post"])
def test_customers_find_nothing(client, organization, customer, org_admin, outsider, restricted_user, method):
    link_request = pending_applicant(organization)
    for user in (customer, org_admin, outsider, restricted_user):
        client.force_login(user)
        for url in (APPROVALS, approve_url(link_request), reject_url(link_request)):
            assert getattr(client, method)(url, {"reason": "x"}).status_code == 404, (user, url)
    link_request.refresh_from_db()
    assert link_request.state == LinkRequest.State.PENDING


def test_anonymous_is_sent_to_login(client, organization):
    link_request = pending_applicant(organization)
    for url in (APPROVALS, approve_url(link_request), reject_url(link_request)):
        response = client.post(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_unknown_request_is_404(client, agent):
    client.force_login(agent)
    assert client.post(reverse("desk:approval_approve", args=[999999])).status_code == 404


@pytest.mark.parametrize("rows", [3, 30])
def test_inbox_query_count_is_constant(client, agent, rows, django_assert_max_num_queries):
    for _ in range(rows):
        pending_applicant(OrganizationFactory())
    client.force_login(agent)
    with django_assert_max_num_queries(6):
        response = client.get(APPROVALS)
    assert response.status_code == 200


def test_empty_inbox_says_so(client, agent):
    client.force_login(agent)
    empty = parse(client.get(APPROVALS)).find(testid="no-approvals")
    assert "No request is waiting for approval." in empty.text
    assert parse(client.get(APPROVALS)).find(testid="pending-count").text == "0"


def test_inbox_pages_of_25(client, agent):
    for n in range(27):
        pending_applicant(OrganizationFactory(), email=f"applicant{n:02d}@example.test")
    client.force_login(agent)
    first = parse(client.get(APPROVALS))
    assert len(first.find_all("tr", testid_prefix="link-request-")) == 25
    pages = first.find("nav", class_="pagination")
    assert pages.find("span", aria_current="page").text == "1"
    assert [a.get("href") for a in pages.find_all("a", rel="next")] == ["?page=2"]
    second = parse(client.get(APPROVALS, {"page": 2}))
    assert len(second.find_all("tr", testid_prefix="link-request-")) == 2
    assert second.find("nav", class_="pagination").find("span", aria_current="page").text == "2"
