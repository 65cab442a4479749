"""'My tickets' in Chromium: filter, search, a saved default filter across logins, the side pane, CSV export;
the layout at 360, 1280 and 1920 px (issue 13) and screenshots of home and the list (test-results/portal-*.png)."""

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tessera.organizations.models import Role
from tessera.tickets.workflow import Status
from tests.factories import (
    PASSWORD,
    CategoryFactory,
    CommentFactory,
    MembershipFactory,
    OrganizationFactory,
    TicketFactory,
    UserFactory,
)

from .conftest import SCREENSHOTS, close_quietly

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tickets():
    organization = OrganizationFactory(name="Praxis Rossi", customer_code="100001")
    manager = MembershipFactory(
        organization=organization, role=Role.MANAGER,
        user=UserFactory(email="maria@rossi.test", first_name="Maria", last_name="Rossi"),
    ).user
    colleague = MembershipFactory(
        organization=organization, role=Role.BASIC,
        user=UserFactory(email="bruno@rossi.test", first_name="Bruno", last_name="Bianchi"),
    ).user
    outsider = MembershipFactory(organization=OrganizationFactory(name="Zahnarzt Weber"), role=Role.ADMIN).user
    imaging = CategoryFactory(name="Imaging", parent=CategoryFactory(name="XDENT"))
    billing = CategoryFactory(name="Billing")
    rows = [
        (manager, "Printer offline", Status.OPEN, imaging),
        (colleague, "Printer toner empty", Status.COMPLETED, billing),
        (manager, "Invoice totals wrong", Status.COMPLETED, billing),
        (colleague, "Scanner not found", Status.IN_PROCESS, imaging),
        (manager, "X-ray import fails", Status.CUSTOMER_ACTION, imaging),
        (manager, "=1+2 appears in the invoice", Status.SOLUTION_PROVIDED, billing),
    ]
    made = {title: TicketFactory(created_by=user, title=title, status=status, category=category)
            for user, title, status, category in rows}
    TicketFactory(created_by=outsider, title="Weber's printer", status=Status.COMPLETED, category=billing)
    return made


def login(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("E-mail or user name").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Report a problem").wait_for()


def logout(page):
    page.locator("details.usermenu summary").click()
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("heading", name="Log in").wait_for()


def open_my_tickets(page):
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="My tickets").click()
    page.get_by_role("heading", name="My tickets", level=1).wait_for()


def listed_titles(page) -> list[str]:
    return page.locator("tbody .ticket-title").all_inner_texts()


def open_status_filter(page):
    details = page.get_by_test_id("status-filter")
    if details.get_attribute("open") is None:
        details.locator("summary").click()


def test_filter_search_save_pane_and_export(page, tickets):
    count = page.get_by_test_id("ticket-count")
    login(page, "maria@rossi.test")
    open_my_tickets(page)
    expect(count).to_have_text("Ticket count: 6")
    assert "Weber's printer" not in listed_titles(page)
    page.wait_for_load_state("load")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "ticket-list.png"), full_page=True)

    # Filter by status: the statuses are folded in the filter bar until asked for.
    expect(page.get_by_label("Completed", exact=True)).to_be_hidden()
    open_status_filter(page)
    page.get_by_label("Completed", exact=True).check()
    page.get_by_role("button", name="Show tickets").click()
    expect(count).to_have_text("Ticket count: 2")
    assert sorted(listed_titles(page)) == ["Invoice totals wrong", "Printer toner empty"]
    expect(page.get_by_test_id("status-filter-summary")).to_contain_text("Completed")
    open_status_filter(page)
    expect(page.get_by_label("Completed", exact=True)).to_be_checked()

    # Search within it; Enter in the search box applies the form.
    page.get_by_label("Search").fill("printer")
    page.get_by_label("Search").press("Enter")
    expect(count).to_have_text("Ticket count: 1")
    assert listed_titles(page) == ["Printer toner empty"]
    page.get_by_label("Search").fill(tickets["X-ray import fails"].number.lstrip("0"))
    open_status_filter(page)
    page.get_by_label("Completed", exact=True).uncheck()
    page.get_by_role("button", name="Show tickets").click()
    expect(count).to_have_text("Ticket count: 1")
    assert listed_titles(page) == ["X-ray import fails"]

    # Save a default filter: it is there again after logging out and in.
    page.get_by_label("Search").fill("")
    open_status_filter(page)
    page.get_by_label("Completed", exact=True).check()
    page.get_by_label("Solution provided", exact=True).check()
    page.get_by_role("button", name="Save as my default filter").click()
    expect(page.get_by_role("status").filter(has_text="Your filter is saved")).to_be_visible()
    expect(count).to_have_text("Ticket count: 3")
    logout(page)
    login(page, "maria@rossi.test")
    open_my_tickets(page)
    expect(count).to_have_text("Ticket count: 3")
    expect(page.get_by_test_id("saved-filter-applied")).to_be_visible()
    open_status_filter(page)
    expect(page.get_by_label("Solution provided", exact=True)).to_be_checked()
    expect(page.get_by_label("Open", exact=True)).not_to_be_checked()

    # Click a row (not its link): the ticket appears in the pane beside the list, the address remembers it.
    invoice = tickets["Invoice totals wrong"]
    pane = page.get_by_test_id("ticket-pane")
    page.get_by_test_id(f"row-{invoice.number}").locator("td").nth(2).click()
    expect(pane).to_contain_text(invoice.number)
    expect(pane).to_contain_text("Completed")
    expect(pane).to_contain_text("Billing")
    expect(pane).to_contain_text("Maria Rossi")
    expect(pane.get_by_role("link", name="Open ticket")).to_have_attribute("href", f"/tickets/{invoice.number}/")
    expect(page).to_have_url(re.compile(f"selected={invoice.number}"))
    assert page.get_by_role("heading", name="My tickets", level=1).is_visible()  # still the list page
    page.screenshot(path=str(SCREENSHOTS / "ticket-list-pane.png"), full_page=True)

    # Export the list as it is filtered: a CSV Excel opens, formulas neutralized.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    download = download_info.value
    assert re.fullmatch(r"tickets-100001-\d{4}-\d{2}-\d{2}-\d{4}\.csv", download.suggested_filename)
    content = Path(download.path()).read_text(encoding="utf-8")
    assert content.startswith("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))
    assert header[:3] == ["Number", "Title", "Status"]
    titles = sorted(row[1] for row in rows)
    assert titles == ["'=1+2 appears in the invoice", "Invoice totals wrong", "Printer toner empty"]


def test_list_is_usable_on_a_phone(page, tickets):
    page.set_viewport_size({"width": 360, "height": 740})
    login(page, "maria@rossi.test")
    open_my_tickets(page)
    page.wait_for_load_state("load")
    page.screenshot(path=str(SCREENSHOTS / "ticket-list-phone.png"), full_page=True)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360
    # On a phone a row's link goes straight to the ticket page.
    page.get_by_role("link", name=re.compile("Scanner not found")).click()
    expect(page).to_have_url(re.compile(rf"/tickets/{tickets['Scanner not found'].number}/$"))


# --- issue 13: the layout at 1280 px, the two ways to open a ticket, the phone's filter bar, screenshots ----------

LONG_TITLE = (
    "The panoramic X-ray images of the second treatment room are imported without the patient's name "
    "and the practice management software then refuses to archive them"
)


@pytest.fixture
def many_tickets(tickets):
    """The six tickets above, and more with long titles, long names and deep categories in every status."""
    manager = tickets["Printer offline"].created_by
    deep = CategoryFactory(
        name="Radiography archive interface",
        parent=CategoryFactory(name="Imaging and diagnostics", parent=CategoryFactory(name="XDENT practice suite")),
    )
    colleague = MembershipFactory(
        organization=manager.membership.organization, role=Role.BASIC,
        user=UserFactory(
            email="bartholomew@rossi.test", first_name="Bartholomew-Alexander", last_name="Featherstonehaugh-Rossi"
        ),
    ).user
    made = dict(tickets)
    scanner = tickets["Scanner not found"]
    conversation = ((1, "Is the scanner connected by USB?"), (2, "Yes, by USB."), (3, "Please restart the service."))
    for hours, body in conversation:
        CommentFactory(ticket=scanner, body=body, created_at=scanner.created_at + timedelta(hours=hours))
    for i, status in enumerate(Status):
        author = colleague if i % 2 else manager
        made[f"long-{i}"] = TicketFactory(
            created_by=author, title=f"{LONG_TITLE} ({i})", status=status, category=deep, priority=1 + i % 4,
        )
    return made


def _no_horizontal_overflow(page) -> dict:
    return page.evaluate(
        """() => {
            const table = document.querySelector('[data-testid="ticket-table"]');
            return {
                scrollWidth: document.documentElement.scrollWidth,
                innerWidth: window.innerWidth,
                table: table.getBoundingClientRect().width,
                container: table.parentElement.getBoundingClientRect().width,
            };
        }"""
    )


def _title_lines(page) -> list[dict]:
    return page.evaluate(
        """() => [...document.querySelectorAll('tbody a.ticket-link')].map(link => {
            const style = getComputedStyle(link);
            return {
                height: link.getBoundingClientRect().height,
                lineHeight: parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5,
                truncated: link.scrollWidth > link.clientWidth,
                title: link.getAttribute('title'),
            };
        })"""
    )


def test_my_tickets_fits_1280_px_with_one_line_titles(page, many_tickets):
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, "maria@rossi.test")
    page.goto("/tickets/?status=all")
    page.wait_for_load_state("load")
    sizes = _no_horizontal_overflow(page)
    assert sizes["scrollWidth"] <= sizes["innerWidth"], sizes
    assert sizes["table"] <= sizes["container"] + 0.5, sizes
    # Every column is there and visible.
    headers = page.locator("[data-testid=ticket-table] thead th")
    for name in ("Number", "Title", "Status", "Priority", "Created by", "Creation date", "Change date", "Category"):
        expect(headers.filter(has_text=name).first).to_be_visible()
    lines = _title_lines(page)
    assert lines and all(line["height"] < 1.6 * line["lineHeight"] for line in lines), lines
    assert any(line["truncated"] for line in lines)  # the long ones end in an ellipsis ...
    assert all(LONG_TITLE in line["title"] for line in lines if line["truncated"])  # ... the full title on hover
    # ... and on focus: the focused link shows the whole title.
    long_link = page.get_by_test_id(f"ticket-link-{many_tickets['long-0'].number}")
    long_link.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    focused = long_link.evaluate(
        "link => ({height: link.getBoundingClientRect().height, over: link.scrollWidth > link.clientWidth})"
    )
    assert not focused["over"] and focused["height"] > 1.6 * lines[0]["lineHeight"]

    # With the pane open beside the list, still no horizontal scrolling.
    page.get_by_test_id(f"row-{many_tickets['long-3'].number}").locator("td").nth(1).click()
    expect(page.get_by_test_id("ticket-pane")).to_contain_text(many_tickets["long-3"].number)
    sizes = _no_horizontal_overflow(page)
    assert sizes["scrollWidth"] <= sizes["innerWidth"], sizes
    assert sizes["table"] <= sizes["container"] + 0.5, sizes
    assert all(line["height"] < 1.6 * line["lineHeight"] for line in _title_lines(page))


def test_title_link_opens_the_ticket_page_a_row_click_the_pane(page, many_tickets):
    page.set_viewport_size({"width": 1280, "height": 800})
    scanner = many_tickets["Scanner not found"]
    login(page, "maria@rossi.test")
    page.goto("/tickets/?status=all")
    pane = page.get_by_test_id("ticket-pane")
    expect(pane).to_have_count(0)

    # A click elsewhere in the row: the pane, the list stays.
    page.get_by_test_id(f"row-{scanner.number}").locator("td").nth(3).click()
    expect(pane).to_contain_text("Scanner not found")
    expect(page).to_have_url(re.compile(rf"/tickets/\?.*selected={scanner.number}"))
    expect(page.get_by_test_id(f"row-{scanner.number}")).to_have_attribute("aria-current", "true")
    # Closing the pane gives the list its room back.
    page.get_by_test_id("pane-close").click()
    expect(pane).to_have_count(0)

    # Keyboard: the preview link opens the pane, Enter on the title link the ticket page.
    page.get_by_test_id(f"preview-{scanner.number}").focus()
    page.keyboard.press("Enter")
    expect(pane).to_contain_text("Scanner not found")
    # Comments in the pane, newest first: the order switches in place.
    comments = pane.get_by_test_id("comment")
    expect(comments.first).to_contain_text("Please restart the service.")
    expect(pane.get_by_test_id("comment-order-toggle")).to_have_text(re.compile("Show oldest first"))
    pane.get_by_test_id("comment-order-toggle").click()
    expect(pane.get_by_test_id("comment-order-toggle")).to_have_text(re.compile("Show newest first"))
    expect(comments.first).to_contain_text("Is the scanner connected by USB?")
    assert page.get_by_role("heading", name="My tickets", level=1).is_visible()

    page.get_by_test_id(f"ticket-link-{scanner.number}").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/tickets/{scanner.number}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Scanner not found")
    # The order chosen in the pane holds on the ticket page too (kept in the session).
    expect(page.get_by_test_id("comment").first).to_contain_text("Is the scanner connected by USB?")
    page.get_by_test_id("comment-order-toggle").click()
    expect(page.get_by_test_id("comment").first).to_contain_text("Please restart the service.")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "portal-ticket-1280.png"), full_page=True)


def test_filter_bar_is_compact_on_a_phone(page, many_tickets):
    page.set_viewport_size({"width": 360, "height": 740})
    login(page, "maria@rossi.test")
    page.goto("/tickets/?status=all")
    page.wait_for_load_state("load")
    bar = page.get_by_test_id("filterbar").bounding_box()
    assert bar["height"] < 740 / 2, bar  # well below the first screen's height: tickets show on it too
    first_row = page.locator("tbody tr").first.bounding_box()
    assert first_row["y"] < 740, first_row
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.mark.parametrize("width", [360, 1280, 1920])
def test_screenshots_of_home_and_my_tickets(page, many_tickets, width):
    """Screenshots to look at (test-results/portal-*.png); neither page scrolls sideways at any width."""
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "maria@rossi.test")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.goto("/")
    page.wait_for_load_state("load")
    page.screenshot(path=str(SCREENSHOTS / f"portal-home-{width}.png"), full_page=True)
    page.screenshot(path=str(SCREENSHOTS / f"portal-home-{width}-first-screen.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.goto("/tickets/?status=all")
    page.wait_for_load_state("load")
    page.screenshot(path=str(SCREENSHOTS / f"portal-my-tickets-{width}.png"), full_page=True)
    page.screenshot(path=str(SCREENSHOTS / f"portal-my-tickets-{width}-first-screen.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if width >= 1280:
        page.get_by_test_id(f"row-{many_tickets['long-4'].number}").locator("td").nth(1).click()
        expect(page.get_by_test_id("ticket-pane")).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / f"portal-my-tickets-pane-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [360, 1280])
def test_home_and_my_tickets_have_no_serious_accessibility_violations(page, many_tickets, width):
    from axe_playwright_python.sync_playwright import Axe

    def blocking() -> list[str]:
        results = Axe().run(page)
        return [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v["impact"] in {"serious", "critical"}
        ]

    page.set_viewport_size({"width": width, "height": 900})
    login(page, "maria@rossi.test")
    found = {"home": blocking()}
    page.goto(f"/tickets/?status=all&selected={many_tickets['Scanner not found'].number}")
    open_status_filter(page)
    found["my-tickets"] = blocking()
    assert {name: v for name, v in found.items() if v} == {}


def test_pane_and_comment_order_work_without_javascript(browser, live_server, many_tickets):
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        login(page, "maria@rossi.test")
        page.goto("/tickets/?status=all")
        scanner = many_tickets["Scanner not found"]
        page.get_by_test_id(f"preview-{scanner.number}").click()
        pane = page.get_by_test_id("ticket-pane")
        expect(pane).to_contain_text("Scanner not found")
        expect(pane.get_by_test_id("comment").first).to_contain_text("Please restart the service.")
        pane.get_by_test_id("comment-order-toggle").click()
        expect(page.get_by_test_id("ticket-pane").get_by_test_id("comment").first).to_contain_text(
            "Is the scanner connected by USB?"
        )
        page.get_by_test_id("pane-close").click()
        expect(page.get_by_test_id("ticket-pane")).to_have_count(0)
        # The status filter opens without a script too.
        open_status_filter(page)
        expect(page.get_by_label("Completed", exact=True)).to_be_visible()
    finally:
        close_quietly(context)
