"""The workspace's occasional forms in Chromium: loaded by htmx when opened, a page of their own without scripts."""

import pytest

from tessera.tickets import services
from tessera.tickets.models import Ticket, TicketLink
from tessera.tickets.workflow import Status
from tests.factories import CategoryFactory

from .conftest import SCREENSHOTS, close_quietly, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AGENT = "marco@vendor.test"


@pytest.fixture
def tickets(dental_support):
    customer, imaging = dental_support.customer, dental_support.imaging
    CategoryFactory(name="Sensors", parent=imaging, service_team=None)
    first = services.ticket_create(author=customer, title="X-ray sensor not found", category=imaging)
    second = services.ticket_create(author=customer, title="Sensor missing again", category=imaging)
    return first, second


def open_by_keyboard(page, summary, path_end):
    """Open a disclosure with the keyboard; htmx loads its form."""
    with page.expect_response(lambda r: r.url.endswith(path_end) and r.request.headers.get("hx-request") == "true"):
        page.locator("summary", has_text=summary).focus()
        page.keyboard.press("Enter")


def test_forms_load_when_opened_and_work(page, tickets):
    first, second = tickets
    log_in(page, AGENT, f"/desk/tickets/{first.number}/")
    assert page.get_by_label("Ticket number").count() == 0  # not on the page until asked for

    open_by_keyboard(page, "Link a related ticket", "/links/")
    page.get_by_label("Ticket number").fill(second.number.lstrip("0"))
    page.get_by_role("button", name="Link ticket").click()
    page.get_by_text(f"Ticket {second.number} is now linked.").wait_for()
    assert TicketLink.objects.count() == 1

    open_by_keyboard(page, "Re-categorize", "/category/")
    page.get_by_role("combobox", name="Category", exact=True).select_option(label="Imaging › Sensors")
    page.get_by_role("button", name="Re-categorize").click()
    page.get_by_text("The category has been changed").wait_for()
    assert Ticket.objects.get(pk=first.pk).category.name == "Sensors"

    # A refused value comes back in the open disclosure, next to the field.
    open_by_keyboard(page, "Add to CC", "/cc/")
    page.get_by_label("Other e-mail addresses").fill("not-an-address")
    page.get_by_role("button", name="Add to CC").click()
    page.locator(".field-error").get_by_text("not-an-address is not a valid e-mail address.").wait_for()
    assert page.get_by_label("Other e-mail addresses").input_value() == "not-an-address"
    page.get_by_label("Other e-mail addresses").fill("it@rossi.test")
    page.get_by_role("button", name="Add to CC").click()
    page.get_by_text("Added to CC: it@rossi.test").wait_for()


def test_without_javascript_each_form_opens_as_a_page(browser, live_server, tickets):
    first, second = tickets
    context = browser.new_context(base_url=live_server.url, locale="en-US", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        log_in(page, AGENT, f"/desk/tickets/{second.number}/")
        page.locator("summary", has_text="Merge this duplicate").click()
        page.get_by_role("link", name="Open “Merge this duplicate” on a page of its own").click()
        page.wait_for_url(f"**/desk/tickets/{second.number}/merge/")
        page.get_by_label("Merge into ticket number").fill(first.number)
        page.get_by_role("button", name="Merge…").click()
        page.get_by_role("button", name="Merge", exact=True).click()
        page.get_by_text(f"Ticket {second.number} has been merged into this ticket and closed.").wait_for()
        assert Ticket.objects.get(pk=second.pk).status == Status.COMPLETED_SILENT
    except Exception:
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "desk-on-demand-no-script-failure.png"), full_page=True)
        raise
    finally:
        close_quietly(context)


@pytest.mark.parametrize("width", [1280, 360])
def test_opened_forms_and_their_pages_have_no_serious_accessibility_violation(browser, live_server, tickets, width):
    from axe_playwright_python.sync_playwright import Axe

    first, _second = tickets
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)

    def violations():
        return [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in Axe().run(page).response["violations"]
            if v["impact"] in {"serious", "critical"}
        ]

    try:
        log_in(page, AGENT, f"/desk/tickets/{first.number}/")
        for summary, path_end in (("Re-categorize", "/category/"), ("Add to CC", "/cc/"),
                                  ("Link a related ticket", "/links/"), ("Merge this duplicate", "/merge/")):
            open_by_keyboard(page, summary, path_end)
        page.get_by_label("Merge into ticket number").wait_for()
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"desk-on-demand-{width}.png"), full_page=True)
        assert violations() == []
        page.goto(f"/desk/tickets/{first.number}/category/")
        assert violations() == []
    finally:
        close_quietly(context)
