"""A ticket from arrival to completion, in Chromium: the agent in the desk, the customer in the portal."""

import pytest

from tessera.tickets import services
from tessera.tickets.models import CannedResponse, Comment, Ticket
from tessera.tickets.workflow import Status
from tests.factories import AgentFactory

from .conftest import SCREENSHOTS, close_quietly, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def new_ticket(dental_support):
    team, customer, category = dental_support.team, dental_support.customer, dental_support.imaging
    CannedResponse.objects.create(team=team, title="Greeting", body="Dear {customer_name}, we are on it.")
    return services.ticket_create(
        author=customer, title="X-ray sensor not found", category=category,
        description="Since the update the sensor is not detected.",
    )


def shot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"desk-{name}.png"), full_page=True)


def status_in_desk(page) -> str:
    return page.get_by_test_id("ticket-status").inner_text()


def change_status(page, option, message=""):
    page.get_by_label("New status").select_option(label=option)
    if message:
        page.get_by_label("Message to the customer").fill(message)
    page.get_by_role("button", name="Change status").click()


def test_agent_and_customer_work_a_ticket_to_completion(page, browser, live_server, new_ticket):
    number = new_ticket.number
    desk_url, portal_url = f"/desk/tickets/{number}/", f"/tickets/{number}/"

    # The agent takes the new ticket.
    log_in(page, "marco@vendor.test", desk_url)
    assert status_in_desk(page) == "Open"
    page.get_by_role("button", name="Assign to me").click()
    page.get_by_text("The ticket is now assigned to you.").wait_for()
    assert "Marco Verdi" in page.get_by_test_id("ticket-facts").inner_text()

    # A canned response goes into the reply box without a page load (htmx), filled in for this customer.
    page.get_by_label("Message", exact=True).fill("Hello!")
    page.get_by_label("Macro").select_option(label="Greeting")
    with page.expect_response(lambda r: r.url.endswith("/canned/")):
        page.get_by_role("button", name="Insert").click()
    page.wait_for_function("() => document.querySelector('#id_body').value.includes('we are on it')")
    assert page.get_by_label("Message", exact=True).input_value() == "Hello!\n\nDear Anna Rossi, we are on it."
    page.get_by_role("button", name="Send reply to customer").click()
    page.get_by_text("Your reply has been sent to the customer.").wait_for()

    # An internal note, visibly apart from what the customer reads.
    page.get_by_label("Message", exact=True).fill("Probably the driver of build 16.")
    page.get_by_role("button", name="Add internal note").click()
    page.get_by_text("Your internal note has been added.").wait_for()
    note = page.locator(".timeline-note")
    assert "Internal note" in note.inner_text() and "Probably the driver of build 16." in note.inner_text()

    # ... and asks the customer for information: a message is required.
    change_status(page, "Request information → Customer action")
    page.locator(".field-error").get_by_text("Tell the customer which information you need.").wait_for()
    change_status(page, "Request information → Customer action", "Which version of the imaging module do you use?")
    page.get_by_text("The status is now “Customer action”.").wait_for()
    shot(page, "customer-action")

    # The customer answers in the portal.
    customer_context = browser.new_context(base_url=live_server.url, locale="en-US")
    portal = customer_context.new_page()
    portal.set_default_timeout(10_000)
    try:
        log_in(portal, "anna@rossi.test", portal_url)
        assert "Which version of the imaging module do you use?" in portal.content()
        assert "Probably the driver" not in portal.content()
        assert "Customer action" in portal.locator(".ticket-facts").inner_text()
        portal.get_by_label("Your comment").fill("Version 5.2, build 17.")
        portal.get_by_role("button", name="Add comment").click()
        portal.get_by_text("Your comment has been added.").wait_for()
        assert "Additional info" in portal.locator(".ticket-facts").inner_text()

        # The agent sees the answer and provides a solution.
        page.reload()
        assert status_in_desk(page) == "Additional info"
        assert page.get_by_test_id("timeline").get_by_text("Version 5.2, build 17.").is_visible()
        change_status(page, "Provide solution → Solution provided", "Install the sensor driver 3.1 and restart.")
        page.get_by_text("The status is now “Solution provided”.").wait_for()

        # The customer accepts it.
        portal.reload()
        assert "Install the sensor driver 3.1 and restart." in portal.content()
        portal.get_by_role("button", name="Accept solution").click()
        portal.get_by_text("The ticket is now completed.").wait_for()
        assert "Completed" in portal.locator(".ticket-facts").inner_text()
        shot(portal, "portal-completed")
    except Exception:
        SCREENSHOTS.mkdir(exist_ok=True)
        portal.screenshot(path=str(SCREENSHOTS / "desk-flow-customer-failure.png"), full_page=True)
        raise
    finally:
        close_quietly(customer_context)

    page.reload()
    assert status_in_desk(page) == "Completed"
    assert "This ticket is closed" in page.content()
    shot(page, "completed")

    ticket = Ticket.objects.get(number=number)
    assert ticket.status == Status.COMPLETED and ticket.closed_at is not None
    bodies = [b.replace("\r\n", "\n") for b in Comment.objects.filter(ticket=ticket).values_list("body", flat=True)]
    assert bodies == [
        "Hello!\n\nDear Anna Rossi, we are on it.",
        "Probably the driver of build 16.",
        "Which version of the imaging module do you use?",
        "Version 5.2, build 17.",
        "Install the sensor driver 3.1 and restart.",
    ]


@pytest.mark.parametrize("width", [1280, 360])
def test_the_workspace_has_no_serious_accessibility_violation(browser, live_server, new_ticket, width):
    from axe_playwright_python.sync_playwright import Axe

    agent = AgentFactory(email="lea@vendor.test")
    services.comment_add(ticket=new_ticket, author=agent, body="A note", is_internal=True)
    services.ticket_cc_add(ticket=new_ticket, user=agent, cc_emails=["it@rossi.test"])
    services.ticket_link(ticket=new_ticket, user=agent, other=services.ticket_create(
        author=new_ticket.created_by, title="Related", category=new_ticket.category))
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        log_in(page, "lea@vendor.test", f"/desk/tickets/{new_ticket.number}/")
        page.get_by_label("Message", exact=True).fill("")
        page.get_by_role("button", name="Send reply to customer").click()  # a form with an error on show
        page.locator(".field-error").get_by_text("Write a message or attach a file.").wait_for()
        shot(page, f"workspace-{width}")
        violations = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in Axe().run(page).response["violations"]
            if v["impact"] in {"serious", "critical"}
        ]
        assert violations == []
    finally:
        close_quietly(context)
