"""The desk's helpdesk tools in Chromium (issue 18): macros, Markdown with its preview, time spent, tags and the
queue they filter, a customer's reply marking the ticket, and the customer panel with the SLA tier.

Screenshots are kept under test-results/desk-helpdesk-*.png.
"""

import pytest

from tessera.sla.models import Calendar, OrganizationPolicy, Policy
from tessera.tickets import services
from tessera.tickets.models import CannedResponse, Comment, Priority, Ticket
from tessera.tickets.workflow import Action, Status

from .axe import blocking_violations
from .conftest import SCREENSHOTS, close_quietly, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AGENT = "marco@vendor.test"
CUSTOMER = "anna@rossi.test"


def shot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"desk-helpdesk-{name}.png"), full_page=True)


@pytest.fixture
def ticket(dental_support):
    return services.ticket_create(
        author=dental_support.customer, title="Sensor not found", category=dental_support.imaging,
        description="Since this morning the sensor is not found.",
    )


def test_a_macro_answers_changes_status_priority_and_tags_in_one_click(page, dental_support, ticket):
    services.ticket_change_status(ticket=ticket, user=dental_support.agent, action=Action.START)
    CannedResponse.objects.create(
        title="Restart the sensor service", team=dental_support.team,
        body="Hello {customer_name}, please **restart** the sensor service.",
        action=Action.PROVIDE_SOLUTION, set_priority=Priority.HIGH,
        note="Known issue of driver 3.0.", add_tags="sensor, restart",
    )
    log_in(page, AGENT, f"/desk/tickets/{ticket.number}/")
    page.get_by_label("Macro").select_option(label="Restart the sensor service")
    page.get_by_role("button", name="Apply macro").click()

    timeline = page.get_by_test_id("timeline")
    timeline.get_by_text("please restart the sensor service").wait_for()
    assert timeline.locator("strong", has_text="restart").count() == 1  # the macro's Markdown, rendered
    assert "Known issue of driver 3.0." in page.locator(".timeline-note").inner_text()
    assert page.get_by_test_id("ticket-tags").inner_text().split() == ["restart", "sensor"]
    facts = page.get_by_test_id("ticket-facts").inner_text()
    assert "Solution provided" in facts and "high" in facts
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority) == (Status.SOLUTION_PROVIDED, Priority.HIGH)
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["restart", "sensor"]
    public = ticket.comments.get(is_internal=False, author=dental_support.agent)
    assert public.body.startswith("Hello Anna Rossi, please **restart**") and public.is_markdown
    shot(page, "macro")


def test_markdown_is_previewed_sent_with_its_time_and_the_customer_reads_it_formatted(
    page, browser, live_server, dental_support, ticket
):
    log_in(page, AGENT, f"/desk/tickets/{ticket.number}/")
    page.get_by_label("Message", exact=True).fill("Please try this:\n\n1. **Close** the viewer\n2. Open it again")
    with page.expect_response(lambda r: r.url.endswith("/preview/")):
        page.get_by_role("button", name="Preview").click()
    preview = page.get_by_test_id("reply-preview")
    preview.locator("strong", has_text="Close").wait_for()
    assert preview.locator("ol li").count() == 2
    assert page.get_by_label("Message", exact=True).input_value().startswith("Please try this:")  # the draft stays
    assert blocking_violations(page) == []
    shot(page, "preview")

    page.get_by_label("Time spent (minutes)").fill("15")
    page.get_by_role("button", name="Send reply to customer").click()
    page.get_by_text("Your reply has been sent to the customer.").wait_for()
    assert page.get_by_test_id("time-spent").inner_text() == "15 minutes spent"
    assert page.get_by_test_id("time-spent-total").inner_text() == "15 minutes"
    comment = Comment.objects.get(ticket=ticket, author=dental_support.agent)
    assert (comment.time_spent, comment.is_markdown) == (15, True)

    customer = browser.new_context(base_url=live_server.url, locale="en-US")
    portal = customer.new_page()
    portal.set_default_timeout(10_000)
    try:
        log_in(portal, CUSTOMER, f"/tickets/{ticket.number}/")
        answer = portal.locator("strong", has_text="Close")
        answer.wait_for()
        items = portal.locator("ol > li").evaluate_all("items => items.map(item => item.textContent.trim())")
        assert "Open it again" in items  # a numbered list item of its own
        assert "**Close**" not in portal.content()
        assert "15 minutes" not in portal.content()  # time spent is for the vendor's reports, not the customer
    finally:
        close_quietly(customer)


def test_tags_are_edited_and_filter_the_queue(page, dental_support, ticket):
    other = services.ticket_create(author=dental_support.customer, title="Printer offline",
                                   category=dental_support.imaging)
    log_in(page, AGENT, f"/desk/tickets/{ticket.number}/")
    page.locator("summary", has_text="Edit tags").click()
    page.get_by_label("Tags").fill("Billing, urgent-fix")
    page.get_by_role("button", name="Save tags").click()
    tags = page.get_by_test_id("ticket-tags")
    tags.wait_for()
    assert tags.inner_text().split() == ["Billing", "urgent-fix"]

    tags.get_by_role("link", name="Billing").click()
    page.wait_for_url("**/desk/queues/open/?tag=Billing")
    rows = page.locator("tbody tr[data-ticket]").evaluate_all("rows => rows.map(row => row.dataset.ticket)")
    assert rows == [ticket.number]
    assert other.number not in rows
    assert page.get_by_label("Tag").input_value() == "Billing"
    shot(page, "tag-queue")


def test_a_customer_reply_marks_the_ticket_for_its_assignee_and_the_panel_tells_who_asked(
    page, browser, live_server, dental_support, ticket
):
    services.ticket_assign(ticket=ticket, user=dental_support.agent, assignee=dental_support.agent)
    services.ticket_change_status(ticket=ticket, user=dental_support.agent, action=Action.REQUEST_INFO,
                                  message="Which sensor model is it?")
    older = services.ticket_create(author=dental_support.customer, title="Viewer slow",
                                   category=dental_support.imaging)
    calendar = Calendar.objects.create(name="Office")
    premium = Policy.objects.create(name="Premium 4h", calendar=calendar)
    OrganizationPolicy.objects.create(organization=ticket.organization, policy=premium)

    customer = browser.new_context(base_url=live_server.url, locale="en-US")
    portal = customer.new_page()
    portal.set_default_timeout(10_000)
    try:
        log_in(portal, CUSTOMER, f"/tickets/{ticket.number}/")
        portal.get_by_label("Your comment").fill("It is the X200.")
        portal.get_by_role("button", name="Add comment").click()
        portal.get_by_text("Your comment has been added.").wait_for()
    finally:
        close_quietly(customer)

    log_in(page, AGENT, "/desk/queues/updated/")
    row = page.locator(f'tr[data-ticket="{ticket.number}"]')
    row.get_by_test_id("updated-mark").wait_for()
    assert page.locator("tbody tr[data-ticket]").count() == 1
    shot(page, "updated-queue")

    row.get_by_role("link", name="Sensor not found").click()
    page.wait_for_url(f"**/desk/tickets/{ticket.number}/")
    assert page.get_by_test_id("timeline").get_by_text("It is the X200.").is_visible()
    panel = page.get_by_test_id("customer-context")
    assert page.get_by_test_id("sla-tier").inner_text().strip() == "SLA tier: Premium 4h"
    assert older.number in panel.get_by_test_id("requester-tickets").inner_text()
    assert "anna@rossi.test" in panel.get_by_test_id("contacts").inner_text()
    assert "Customer code 100001" in panel.inner_text()
    assert blocking_violations(page) == []
    shot(page, "customer-panel")

    # The assignee has looked: the mark is gone, and so is the ticket from the queue.
    page.goto("/desk/queues/updated/")
    page.get_by_role("heading", name="Updated by customer").wait_for()
    assert page.locator("tbody tr[data-ticket]").count() == 0
    assert Ticket.objects.get(pk=ticket.pk).customer_updated_at is None
