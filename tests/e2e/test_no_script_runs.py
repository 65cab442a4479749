"""Hostile text typed by users is shown as text: no script of theirs runs in anyone's browser."""

import pytest

from tessera.organizations.models import Role
from tests.factories import (
    PASSWORD,
    CategoryFactory,
    CommentFactory,
    MembershipFactory,
    OrganizationFactory,
    TicketFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAYLOADS = [
    "<script>window.__xss = 1</script>",
    '<img src=x onerror="window.__xss = 2">',
    '"><svg onload="window.__xss = 3">',
    "javascript:window.__xss=4",
]


def test_payloads_in_title_comment_and_names_do_not_run(page):
    organization = OrganizationFactory(name='<b onmouseover="window.__xss=5">Evil</b>')
    user = UserFactory(email="anna@rossi.test", first_name=PAYLOADS[1], last_name=PAYLOADS[2])
    MembershipFactory(organization=organization, user=user, role=Role.MANAGER)
    category = CategoryFactory(name=PAYLOADS[0])
    tickets = [TicketFactory(created_by=user, category=category, title=payload, description=payload)
               for payload in PAYLOADS]
    for ticket in tickets:
        CommentFactory(ticket=ticket, author=user, body=" ".join(PAYLOADS))

    page.goto("/accounts/login/")
    page.get_by_label("E-mail or user name").fill("anna@rossi.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    for url in ["/", "/tickets/", f"/tickets/?q={PAYLOADS[0]}", *(f"/tickets/{t.number}/" for t in tickets)]:
        page.goto(url)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__xss") is None, url
    page.goto(f"/tickets/{tickets[0].number}/")
    assert PAYLOADS[0] in page.get_by_role("heading", level=1).inner_text()  # shown as text
