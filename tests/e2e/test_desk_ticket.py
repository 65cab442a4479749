"""The desk ticket page in Chromium: extra fields, closed tickets, the first status, merged tickets, its look.

Screenshots of the page are kept under test-results/desk-ticket-*.png at 1920, 1366 and 360 px.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tessera.tickets import services
from tessera.tickets.models import CategoryField, Comment, Ticket
from tessera.tickets.workflow import Status
from tests.factories import AgentFactory, CategoryFactory, CategoryFieldFactory, TicketCCFactory

from .conftest import SCREENSHOTS, close_quietly, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AGENT = "marco@vendor.test"
BLOCKING = {"serious", "critical"}


@pytest.fixture
def devices(dental_support):
    """A category asking for the device's serial number (required) and its model (a choice)."""
    category = CategoryFactory(name="Devices", service_team=dental_support.team)
    CategoryFieldFactory(category=category, key="serial", label="Serial number", required=True)
    CategoryFieldFactory(
        category=category, key="model", label="Model", kind=CategoryField.Kind.CHOICE, choices="X200\nX300"
    )
    return category


def desk_url(ticket) -> str:
    return f"/desk/tickets/{ticket.number}/"


def open_by_keyboard(page, summary, path_end):
    with page.expect_response(lambda r: r.url.endswith(path_end) and r.request.headers.get("hx-request") == "true"):
        page.locator("summary", has_text=summary).focus()
        page.keyboard.press("Enter")


def shot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"desk-ticket-{name}.png"), full_page=True)


def horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_recategorizing_asks_for_required_fields_and_agents_edit_them(page, dental_support, devices):
    ticket = services.ticket_create(
        author=dental_support.customer, title="Sensor not found", category=dental_support.imaging
    )
    log_in(page, AGENT, desk_url(ticket))

    open_by_keyboard(page, "Re-categorize", "/category/")
    page.get_by_role("combobox", name="Category", exact=True).select_option(label="Devices")
    page.get_by_role("button", name="Re-categorize").click()
    # Refused: the new category's fields are asked for, the message at the field, the choice kept.
    page.get_by_text("Extra fields of the new category").wait_for()
    assert page.get_by_role("combobox", name="Category", exact=True).input_value() == str(devices.pk)
    assert page.locator("#id_cf_serial_error").inner_text() == "This field is required."
    assert Ticket.objects.get(pk=ticket.pk).category == dental_support.imaging
    page.get_by_label("Serial number").fill("SN-4711")
    page.get_by_label("Model").select_option("X200")
    page.get_by_role("button", name="Re-categorize").click()
    page.get_by_text("The category has been changed").wait_for()
    facts = page.get_by_test_id("ticket-facts").inner_text()
    assert "SN-4711" in facts and "X200" in facts

    open_by_keyboard(page, "Edit extra fields", "/fields/")
    page.get_by_label("Serial number").fill("SN-4712")
    page.get_by_role("button", name="Save extra fields").click()
    page.get_by_text("The extra fields have been saved.").wait_for()
    assert "SN-4711 → SN-4712" in page.get_by_test_id("field-changes").last.inner_text()
    assert Ticket.objects.get(pk=ticket.pk).field_values == {"serial": "SN-4712", "model": "X200"}


def test_a_closed_ticket_takes_notes_and_is_reopened_with_a_reason(page, dental_support):
    ticket = services.ticket_create(
        author=dental_support.customer, title="Printer offline", category=dental_support.imaging
    )
    services.ticket_change_status(ticket=ticket, user=dental_support.agent, action="complete")
    log_in(page, AGENT, desk_url(ticket))
    assert page.get_by_role("button", name="Send reply to customer").count() == 0

    page.get_by_label("Message").fill("Customer called: all fine for now.")
    page.get_by_role("button", name="Add internal note").click()
    page.get_by_text("Your internal note has been added.").wait_for()
    assert Comment.objects.get(ticket=ticket).is_internal

    page.get_by_role("button", name="Reopen").click()
    page.locator("#id_reason_error").wait_for()
    page.get_by_label("Reason for reopening").fill("The printer dropped off again this morning.")
    page.get_by_role("button", name="Reopen").click()
    page.get_by_text("The ticket has been reopened").wait_for()
    assert page.get_by_test_id("ticket-status").inner_text() == "In process"
    assert "The printer dropped off again this morning." in page.get_by_test_id("timeline").inner_text()


def test_a_ticket_still_being_sent_can_be_taken_and_worked(page, dental_support):
    ticket = services.ticket_create(
        author=dental_support.customer, title="Half-sent request", category=dental_support.imaging
    )
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.SENDING)
    log_in(page, AGENT, desk_url(ticket))
    card = page.get_by_test_id("status-card")
    assert "Request being sent" in card.inner_text()
    shot(page, "sending")
    card.get_by_role("button", name="Take this ticket").click()
    page.get_by_text("The ticket is now assigned to you.").wait_for()
    page.get_by_label("New status").select_option(label="Start work → In process")
    page.get_by_role("button", name="Change status").click()
    page.get_by_text("The status is now “In process”.").wait_for()


def test_a_merged_ticket_points_to_its_target(page, dental_support):
    customer = dental_support.customer
    target = services.ticket_create(author=customer, title="Export fails", category=dental_support.imaging)
    duplicate = services.ticket_create(author=customer, title="Export broken", category=dental_support.imaging)
    services.ticket_merge(ticket=duplicate, user=dental_support.agent, target=target)
    log_in(page, AGENT, desk_url(duplicate))
    notice = page.get_by_test_id("merged-notice")
    assert f"This ticket was merged into {target.number}" in notice.inner_text()
    notice.get_by_role("link").click()
    page.wait_for_url(f"**{desk_url(target)}")


@pytest.fixture
def busy_ticket(dental_support, devices):
    """A ticket with a bit of everything: a long title, CC, extra fields, replies, notes, events."""
    customer, agent = dental_support.customer, dental_support.agent
    other = AgentFactory(email="giulia.bianchi.senior.support@vendor.test", first_name="Giulia", last_name="Bianchi")
    dental_support.team.members.add(other)
    ticket = services.ticket_create(
        author=customer,
        category=devices,
        priority=2,
        field_values={"serial": "SN-0042", "model": "X300"},
        title="After the update to 24.3 the intraoral sensor is no longer detected in the imaging module",
        description="Since this morning's update the sensor is not detected.\nWe restarted twice.",
        cc_emails=["it-department@rossi.test"],
    )
    TicketCCFactory(ticket=ticket, email="practice.manager.with.a.long.address@rossi.test")
    services.ticket_assign(ticket=ticket, user=agent, assignee=agent)
    services.ticket_change_status(ticket=ticket, user=agent, action="start")
    services.comment_add(ticket=ticket, author=agent, body="Could you send us the driver log?", source="desk")
    services.comment_add(
        ticket=ticket,
        author=agent,
        is_internal=True,
        source="desk",
        body="Known issue with firmware 3.1 — ask for the log before escalating.",
    )
    services.comment_add(ticket=ticket, author=customer, body="Here is the log, thank you.")
    services.ticket_change_field_values(ticket=ticket, user=agent, values={"serial": "SN-0043", "model": "X300"})
    return ticket


@pytest.mark.parametrize("width", [1920, 1366, 360])
def test_the_page_fits_its_width_and_has_no_serious_accessibility_violation(browser, live_server, busy_ticket, width):
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 1000})
    page = context.new_page()
    log_in(page, AGENT, desk_url(busy_ticket))
    shot(page, str(width))
    page.screenshot(path=str(SCREENSHOTS / f"desk-ticket-{width}-top.png"))  # what the agent sees first
    assert horizontal_overflow(page) <= 0
    results = Axe().run(page)
    blocking = [
        f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]
    assert blocking == []
    if width == 1366:
        busy_ticket.refresh_from_db()
        services.ticket_change_status(ticket=busy_ticket, user=busy_ticket.assignee, action="complete", message="")
        page.goto(desk_url(busy_ticket))
        shot(page, f"{width}-closed")
        assert horizontal_overflow(page) <= 0
        assert [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in BLOCKING] == []
    close_quietly(context)
