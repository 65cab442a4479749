"""'My tickets' in Chromium: filter, search, a saved default filter across logins, the side pane, CSV export."""

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tessera.organizations.models import Role
from tessera.tickets.workflow import Status
from tests.factories import (
    PASSWORD,
    CategoryFactory,
    MembershipFactory,
    OrganizationFactory,
    TicketFactory,
    UserFactory,
)

from .conftest import SCREENSHOTS

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


def test_filter_search_save_pane_and_export(page, tickets):
    count = page.get_by_test_id("ticket-count")
    login(page, "maria@rossi.test")
    open_my_tickets(page)
    expect(count).to_have_text("Ticket count: 6")
    assert "Weber's printer" not in listed_titles(page)
    page.wait_for_load_state("load")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "ticket-list.png"), full_page=True)

    # Filter by status.
    page.get_by_label("Completed", exact=True).check()
    page.get_by_role("button", name="Show tickets").click()
    expect(count).to_have_text("Ticket count: 2")
    assert sorted(listed_titles(page)) == ["Invoice totals wrong", "Printer toner empty"]
    expect(page.get_by_label("Completed", exact=True)).to_be_checked()

    # Search within it; Enter in the search box applies the form.
    page.get_by_label("Search").fill("printer")
    page.get_by_label("Search").press("Enter")
    expect(count).to_have_text("Ticket count: 1")
    assert listed_titles(page) == ["Printer toner empty"]
    page.get_by_label("Search").fill(tickets["X-ray import fails"].number.lstrip("0"))
    page.get_by_label("Completed", exact=True).uncheck()
    page.get_by_role("button", name="Show tickets").click()
    expect(count).to_have_text("Ticket count: 1")
    assert listed_titles(page) == ["X-ray import fails"]

    # Save a default filter: it is there again after logging out and in.
    page.get_by_label("Search").fill("")
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
    expect(page.get_by_label("Solution provided", exact=True)).to_be_checked()
    expect(page.get_by_label("Open", exact=True)).not_to_be_checked()

    # Click a row: the ticket appears in the pane beside the list, the address remembers it.
    invoice = tickets["Invoice totals wrong"]
    pane = page.get_by_test_id("ticket-pane")
    page.get_by_role("link", name=re.compile("Invoice totals wrong")).click()
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
