"""Two agents on one ticket in Chromium, each in a browser context of their own.

Giulia sees that Marco has the ticket open, then that he is typing; Marco replies;
Giulia's reply, written on the page she opened before, is stopped with what changed
and her draft kept, and her second send goes through. axe-core checks the page with
the presence line and the stale message on it.
"""

import pytest

from tessera.tickets import services
from tessera.tickets.models import Comment
from tests.factories import AgentFactory

from .axe import blocking_violations
from .conftest import SCREENSHOTS, close_quietly, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

#: A heartbeat every 10 s: a change shows within one round, with room to spare on a busy machine.
ROUND = 20_000


@pytest.fixture
def agents_page(browser, live_server, request):
    """A function that opens a page in a new browser context (another agent's browser); screenshots on failure."""
    contexts = []

    def open_page():
        context = browser.new_context(base_url=live_server.url, locale="en-US")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    failed = getattr(request.node, "report_call", None)
    for i, context in enumerate(contexts):
        if failed is not None and failed.failed:
            SCREENSHOTS.mkdir(exist_ok=True)
            for page in context.pages:
                page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}-{i}.png"), full_page=True)
        close_quietly(context)


def test_two_agents_answering_one_ticket(agents_page, dental_support):
    giulia = AgentFactory(email="giulia@vendor.test", first_name="Giulia", last_name="Neri")
    dental_support.team.members.add(giulia)
    ticket = services.ticket_create(
        author=dental_support.customer, title="X-ray sensor not found", category=dental_support.imaging,
        description="Since the update the sensor is not detected.",
    )
    desk_url = f"/desk/tickets/{ticket.number}/"
    marco_page, giulia_page = agents_page(), agents_page()
    log_in(marco_page, "marco@vendor.test", desk_url)
    log_in(giulia_page, "giulia@vendor.test", desk_url)

    # Giulia sees that Marco has the ticket open, then that he is typing.
    presence = giulia_page.get_by_test_id("presence")
    presence.get_by_text("Marco Verdi is viewing").wait_for(timeout=ROUND)
    giulia_page.get_by_label("Message", exact=True).focus()
    marco_page.get_by_label("Message", exact=True).fill("Please reinstall the sensor driver.")
    presence.get_by_text("Marco Verdi is typing a reply…").wait_for(timeout=ROUND)
    assert "Giulia" not in presence.inner_text()  # nobody is told about themselves
    # The news came without taking the focus from where Giulia is.
    assert giulia_page.evaluate("document.activeElement.id") == "id_body"

    # Giulia writes her answer while Marco sends his.
    giulia_page.get_by_label("Message", exact=True).fill("Could you send us a screenshot?")
    marco_page.get_by_role("button", name="Send reply to customer").click()
    marco_page.get_by_text("Your reply has been sent to the customer.").wait_for()

    # Her page is out of date: nothing is sent; she reads what changed, and her draft is still there.
    giulia_page.get_by_role("button", name="Send reply to customer").click()
    summary = giulia_page.get_by_test_id("error-summary")
    summary.get_by_text("This ticket changed since you opened it.").wait_for()
    change = giulia_page.get_by_test_id("ticket-change")
    assert "Marco Verdi" in change.inner_text() and "Please reinstall the sensor driver." in change.inner_text()
    assert giulia_page.get_by_label("Message", exact=True).input_value() == "Could you send us a screenshot?"
    assert list(Comment.objects.values_list("author__email", flat=True)) == ["marco@vendor.test"]
    assert giulia_page.get_by_test_id("timeline").get_by_text("Please reinstall the sensor driver.").is_visible()

    # The presence line and the stale message are on the page together: axe-core finds nothing serious.
    giulia_page.get_by_test_id("presence").get_by_text("Marco Verdi is viewing").wait_for(timeout=ROUND)
    SCREENSHOTS.mkdir(exist_ok=True)
    giulia_page.screenshot(path=str(SCREENSHOTS / "desk-collision-stale.png"), full_page=True)
    assert blocking_violations(giulia_page) == []

    # Sending again is deliberate, and goes through.
    giulia_page.get_by_role("button", name="Send reply to customer").click()
    giulia_page.get_by_text("Your reply has been sent to the customer.").wait_for()
    assert list(Comment.objects.order_by("pk").values_list("author__email", flat=True)) == [
        "marco@vendor.test", "giulia@vendor.test",
    ]


def test_a_hidden_tab_sends_no_heartbeat(agents_page, dental_support):
    ticket = services.ticket_create(
        author=dental_support.customer, title="Printer offline", category=dental_support.imaging,
    )
    page = agents_page()
    beats = []
    page.on("request", lambda r: beats.append(r.url) if r.url.endswith("/presence/") else None)
    log_in(page, "marco@vendor.test", f"/desk/tickets/{ticket.number}/")
    page.wait_for_function("() => document.querySelector('[data-presence]') !== null")
    page.wait_for_timeout(500)
    assert len(beats) == 1  # the first, when the page loads
    # The tab goes to the background: the rounds stop; back in view, one at once.
    page.evaluate("""() => {
        Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true});
        document.dispatchEvent(new Event('visibilitychange'));
    }""")
    page.wait_for_timeout(11_000)
    assert len(beats) == 1
    with page.expect_response(lambda r: r.url.endswith("/presence/")):  # answered before the test ends
        page.evaluate("""() => {
            Object.defineProperty(document, 'visibilityState', {value: 'visible', configurable: true});
            document.dispatchEvent(new Event('visibilitychange'));
        }""")
    assert len(beats) == 2
