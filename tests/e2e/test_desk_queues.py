"""The desk's queues and list pages in a real Chromium: compact enough to work, at every width, and accessible.

Each page is kept as a screenshot under test-results/desk-<page>-<width>.png for review.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from tessera.accounts.models import User
from tessera.organizations.models import LinkRequest, Organization
from tessera.tickets.models import Category, Ticket
from tessera.tickets.workflow import Status
from tests.factories import create_tickets

from .conftest import SCREENSHOTS, close_quietly

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "tessera-demo-1"
BLOCKING = {"serious", "critical"}
AGENT = "agent@tessera.example"
ADMIN = "admin@tessera.example"
LONG_TITLE = (
    "After the update to version 5.2 the appointment calendar of the second practice location shows every "
    "appointment twice and the printed day list is cut off after the first page ({n})"
)

# Rows of the queue whose box lies wholly inside the window (the page as it loads: header, filters and all).
ROWS_FULLY_VISIBLE = """() => [...document.querySelectorAll('tbody tr[data-testid^="row-"]')].filter(row => {
  const box = row.getBoundingClientRect();
  return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight;
}).length"""
NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"
# How far the page's own content (main) reaches out sideways, where it does (the site header is base.html's).
MAIN_STICKS_OUT = """() => {
  const main = document.querySelector('main');
  return main.scrollWidth > main.clientWidth ? main.scrollWidth - main.clientWidth : 0;
}"""


def log_in(page, email):
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


def blocking_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def forty_long_tickets_for(email: str) -> None:
    """40 open tickets with long titles assigned to the agent: their queue "Mine" holds at least a page of them."""
    agent = User.objects.get(email=email)
    customer = User.objects.filter(is_staff=False, membership__role="manager").order_by("pk").first()
    category = Category.objects.exclude(service_team=None).order_by("pk").first()
    tickets = create_tickets(40, created_by=customer, category=category, status=Status.IN_PROCESS, assignee=agent)
    for index, ticket in enumerate(tickets):
        Ticket.objects.filter(pk=ticket.pk).update(title=LONG_TITLE.format(n=index), priority=1 + index % 4)


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)
    forty_long_tickets_for(AGENT)


def test_a_queue_of_forty_long_titles_fits_1366_by_900(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900}, locale="en-US")
    page = context.new_page()
    log_in(page, AGENT)
    page.goto("/desk/queues/mine/")
    assert page.get_by_role("heading", name="Mine", exact=True).is_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate("() => document.documentElement.scrollWidth")
    visible = page.evaluate(ROWS_FULLY_VISIBLE)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "desk-queue-1366-viewport.png"))
    assert visible >= 15, f"only {visible} rows fully visible at 1366x900"
    # A long title stays on one line, cut with an ellipsis, and is whole in its tooltip.
    title = page.locator("td.col-title a").first
    assert title.get_attribute("title").startswith("After the update to version 5.2")
    assert title.evaluate("link => link.closest('td').scrollWidth > link.closest('td').clientWidth")  # cut
    row_height = title.evaluate("link => link.closest('tr').offsetHeight")
    title.focus()  # the keyboard reaches it: the whole title shows
    assert title.evaluate("link => link.closest('tr').offsetHeight") > row_height
    assert title.evaluate("link => getComputedStyle(link.closest('td')).whiteSpace") == "normal"
    title.blur()
    row_heights = page.evaluate(
        "() => [...document.querySelectorAll('tbody tr[data-testid^=\"row-\"]')].map(r => r.offsetHeight)"
    )
    assert max(row_heights) < 48, row_heights
    # Scripts add a range selection (Shift+click) and say how many tickets are selected.
    boxes = page.locator('#bulk-form input[name="ticket"]')
    boxes.nth(0).click()
    boxes.nth(4).click(modifiers=["Shift"])
    assert [boxes.nth(i).is_checked() for i in range(6)] == [True] * 5 + [False]
    assert page.locator("#selected-count").inner_text() == "5 tickets selected."
    page.get_by_label("Select every ticket on this page").check()
    assert boxes.evaluate_all("boxes => boxes.every(box => box.checked)")
    close_quietly(context)


def test_a_filter_not_understood_is_named_on_the_page(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900}, locale="en-US")
    page = context.new_page()
    log_in(page, AGENT)
    page.goto("/desk/queues/open/?priority=99&team=abc")
    notice = page.get_by_test_id("ignored-filters")
    assert "Priority '99' is not a valid choice; the filter was ignored." in notice.inner_text()
    assert "Service team 'abc' is not a valid choice; the filter was ignored." in notice.inner_text()
    assert page.locator('tbody tr[data-testid^="row-"]').count() > 0
    page.screenshot(path=str(SCREENSHOTS / "desk-queue-ignored-filters-1366.png"))
    close_quietly(context)


def desk_pages() -> dict[str, str]:
    organization = Organization.objects.order_by("name").first()
    link_request = LinkRequest.objects.filter(state=LinkRequest.State.PENDING).order_by("pk").first()
    return {
        "home": "/desk/",
        "queue": "/desk/queues/mine/",
        "queue-open-filtered": "/desk/queues/open/?priority=1&sort=-priority",
        "queue-ignored-filters": "/desk/queues/open/?priority=99&team=abc",
        "approvals": "/desk/approvals/",
        "approval-reject": f"/desk/approvals/{link_request.pk}/reject/",
        "organizations": "/desk/organizations/",
        "organization": f"/desk/organizations/{organization.pk}/",
        "invite": f"/desk/organizations/{organization.pk}/invite/",
        "outbox": "/desk/outbox/",
        "audit-log": "/desk/audit/",
        "search": "/desk/search/",
        "search-results": "/desk/search/?q=printer",
    }


@pytest.mark.parametrize("width", [1366, 1920, 360])
def test_desk_list_pages_have_no_serious_violations(browser, live_server, demo, width):
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900}, locale="en-US")
    page = context.new_page()
    log_in(page, ADMIN)
    forty_long_tickets_for(ADMIN)
    SCREENSHOTS.mkdir(exist_ok=True)
    found, sideways = {}, {}
    for name, url in desk_pages().items():
        response = page.goto(url)
        assert response.status == 200, (name, url, response.status)
        page.screenshot(path=str(SCREENSHOTS / f"desk-{name}-{width}.png"), full_page=True)
        page.screenshot(path=str(SCREENSHOTS / f"desk-{name}-{width}-top.png"))
        found[name] = blocking_violations(page)
        if sticking_out := page.evaluate(MAIN_STICKS_OUT):
            sideways[name] = sticking_out
    close_quietly(context)
    assert {name: v for name, v in found.items() if v} == {}
    assert sideways == {}
