"""The desk's keyboard shortcuts in Chromium: j, k and o in a queue; r, n and a on a ticket; ? for the help.

Screenshots are kept under test-results/desk-keys-*.png: the help, a marked row, a note being written, the hint.
"""

import pytest

from tessera.tickets import services
from tessera.tickets.models import Comment, Ticket

from .axe import blocking_violations
from .conftest import SCREENSHOTS, close_quietly, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AGENT = "marco@vendor.test"
MARKED = "document.querySelector('tr.is-keys-current')?.dataset.ticket ?? null"
FOCUSED = "document.activeElement.id"
IN_REPLY_BOX = "document.activeElement.matches('form.reply-form textarea')"


@pytest.fixture
def tickets(dental_support):
    """Three open tickets of the agent's team, nobody's yet."""
    return [
        services.ticket_create(author=dental_support.customer, title=title, category=dental_support.imaging)
        for title in ("Sensor not found", "X-ray viewer slow", "Printer offline")
    ]


def shot(page, name):
    """The window as the agent sees it, under test-results/desk-keys-<name>.png."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"desk-keys-{name}.png"))


def numbers_in_order(page) -> list[str]:
    return page.locator("tbody tr[data-ticket]").evaluate_all("rows => rows.map(row => row.dataset.ticket)")


def test_j_and_k_mark_rows_of_a_queue_and_o_opens_the_marked_ticket(page, tickets):
    log_in(page, AGENT, "/desk/queues/open/")
    order = numbers_in_order(page)
    assert sorted(order) == sorted(t.number for t in tickets)
    assert page.evaluate(MARKED) is None

    page.keyboard.press("j")
    assert page.evaluate(MARKED) == order[0]
    page.keyboard.press("j")
    assert page.evaluate(MARKED) == order[1]
    page.keyboard.press("j")
    page.keyboard.press("k")
    # The marked row's link has the focus, so a screen reader follows the mark.
    assert page.evaluate(MARKED) == order[1]
    assert page.evaluate(FOCUSED) == f"open-{order[1]}"
    assert page.locator(f'tr[data-ticket="{order[1]}"]').evaluate("row => getComputedStyle(row).backgroundColor") != (
        page.locator(f'tr[data-ticket="{order[0]}"]').evaluate("row => getComputedStyle(row).backgroundColor")
    )

    shot(page, "queue-marked")

    # Letters typed in the queue's search box stay there.
    search = page.get_by_label("Search", exact=True)
    search.fill("")
    search.press_sequentially("jko")
    assert search.input_value() == "jko"
    assert page.url.endswith("/desk/queues/open/")
    assert page.evaluate(MARKED) == order[1]

    page.locator(f"#open-{order[1]}").focus()
    page.keyboard.press("o")
    page.wait_for_url(f"**/desk/tickets/{order[1]}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith(order[1])


def test_the_mark_and_the_focus_survive_the_queue_refreshing_itself(page, tickets, settings):
    settings.TESSERA_DESK_QUEUE_REFRESH_SECONDS = 1
    log_in(page, AGENT, "/desk/queues/open/")
    order = numbers_in_order(page)
    page.keyboard.press("j")
    page.keyboard.press("j")
    with page.expect_response(lambda r: r.request.headers.get("x-tessera-refresh") == "1"):
        pass
    page.wait_for_timeout(200)
    assert page.evaluate(MARKED) == order[1]
    assert page.evaluate(FOCUSED) == f"open-{order[1]}"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/desk/tickets/{order[1]}/")


def test_r_n_and_a_on_a_ticket_never_while_typing(page, dental_support, tickets):
    ticket = tickets[0]
    log_in(page, AGENT, f"/desk/tickets/{ticket.number}/")
    box = page.locator("form.reply-form textarea")

    page.keyboard.press("r")
    assert page.evaluate(IN_REPLY_BOX)
    assert "the customer will read it" in page.get_by_test_id("compose-mode").inner_text()
    # Letters in the reply are letters: nothing is assigned, nothing opens.
    page.keyboard.type("a j k o n r ? /")
    assert box.input_value() == "a j k o n r ? /"
    assert page.url.endswith(f"/desk/tickets/{ticket.number}/")
    assert not page.get_by_test_id("keys-help").is_visible()
    assert Ticket.objects.get(pk=ticket.pk).assignee is None

    # n, once the focus has left the box: the same box, now saying it holds an internal note.
    page.get_by_role("heading", name="Description").click()
    page.keyboard.press("n")
    assert page.evaluate(IN_REPLY_BOX)
    assert "internal note" in page.get_by_test_id("compose-mode").inner_text()
    box.fill("Checked the sensor driver.")
    # The box and the buttons that send it both in sight, on a laptop's 720 pixels too.
    assert page.evaluate(
        "() => { const box = document.querySelector('form.reply-form textarea').getBoundingClientRect();"
        " const actions = document.querySelector('form.reply-form .actions').getBoundingClientRect();"
        " return box.top >= 0 && actions.bottom <= innerHeight; }"
    )
    shot(page, "note")
    page.get_by_role("button", name="Add internal note").click()
    page.get_by_text("Your internal note has been added.").wait_for()
    assert Comment.objects.get(ticket=ticket).is_internal

    # Modifiers belong to the browser: Ctrl+A selects, it does not assign.
    page.keyboard.press("Control+a")
    assert Ticket.objects.get(pk=ticket.pk).assignee is None

    page.keyboard.press("a")
    page.get_by_text("The ticket is now assigned to you.").wait_for()
    assert "Assigned to Marco Verdi" in page.locator(".desk-ticket-summary").inner_text()
    assert Ticket.objects.get(pk=ticket.pk).assignee == dental_support.agent

    # Already mine: a says so instead of doing nothing unseen.
    page.keyboard.press("a")
    page.locator("#keys-status", has_text="already yours").wait_for(state="attached")


def test_question_mark_shows_the_help_and_escape_closes_it(page, tickets):
    ticket = tickets[0]
    log_in(page, AGENT, f"/desk/tickets/{ticket.number}/")
    hint = page.get_by_test_id("keys-hint")
    assert hint.is_visible()
    assert hint.inner_text().strip() == "Press ? for keyboard shortcuts"

    breadcrumb = page.get_by_role("link", name="Desk", exact=True).last
    breadcrumb.focus()
    page.keyboard.press("?")
    help_dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    help_dialog.wait_for()
    text = help_dialog.inner_text()
    for line in (
        "Mark the next ticket", "Mark the previous ticket", "Open the marked ticket", "Write a reply to the customer",
        "Write an internal note", "Assign the ticket to me", "Search all tickets", "Show this help",
    ):
        assert line in text
    # While the help is open, the page's shortcuts rest.
    page.keyboard.press("a")
    assert Ticket.objects.get(pk=ticket.pk).assignee is None
    assert blocking_violations(page) == []
    shot(page, "help")

    page.keyboard.press("Escape")
    help_dialog.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Desk"

    # The hint opens it too, and its button closes it, the focus back on the hint.
    hint.click()
    help_dialog.wait_for()
    help_dialog.get_by_role("button", name="Close").click()
    help_dialog.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.dataset.testid") == "keys-hint"

    # / goes to the search box in the header.
    page.keyboard.press("/")
    assert page.evaluate(FOCUSED) == "header-search-q"


def test_no_shortcut_in_a_list_an_editable_area_or_behind_another_dialog(page, tickets):
    ticket = tickets[0]
    log_in(page, AGENT, f"/desk/tickets/{ticket.number}/")
    page.locator("select[name=priority]").first.focus()
    page.keyboard.press("a")
    page.keyboard.press("?")
    page.evaluate("""() => {
      const editable = document.createElement('div');
      editable.contentEditable = 'true';
      editable.id = 'editable';
      document.querySelector('main').append(editable);
      editable.focus();
    }""")
    page.keyboard.type("an?")
    assert page.locator("#editable").inner_text() == "an?"
    assert not page.get_by_test_id("keys-help").is_visible()
    assert Ticket.objects.get(pk=ticket.pk).assignee is None
    page.evaluate("""() => {
      const other = document.createElement('dialog');
      other.innerHTML = '<p>Another question</p><button type="button">OK</button>';
      document.body.append(other);
      other.showModal();
    }""")
    page.keyboard.press("a")
    page.keyboard.press("?")
    page.wait_for_timeout(300)
    assert not page.get_by_test_id("keys-help").is_visible()
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_a_queue_page_with_the_help_open_has_no_serious_accessibility_violation(page, tickets):
    log_in(page, AGENT, "/desk/queues/open/")
    page.keyboard.press("j")
    page.keyboard.press("?")
    page.get_by_role("dialog", name="Keyboard shortcuts").wait_for()
    assert blocking_violations(page) == []
    shot(page, "queue-help")
    # On a phone the help is one column, with nothing cut off at the side.
    page.set_viewport_size({"width": 360, "height": 740})
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    assert dialog.evaluate("d => d.scrollWidth <= d.clientWidth && d.getBoundingClientRect().right <= innerWidth")
    shot(page, "help-360")
    page.keyboard.press("Escape")
    page.get_by_test_id("keys-hint").scroll_into_view_if_needed()
    shot(page, "hint")


def test_on_a_closed_ticket_r_writes_an_internal_note(page, dental_support, tickets):
    ticket = tickets[0]
    services.ticket_change_status(ticket=ticket, user=dental_support.agent, action="complete")
    log_in(page, AGENT, f"/desk/tickets/{ticket.number}/")
    page.keyboard.press("r")
    assert page.evaluate(IN_REPLY_BOX)
    assert "internal note" in page.get_by_test_id("compose-mode").inner_text()
    page.get_by_role("heading", name="Description").click()
    page.keyboard.press("a")
    page.locator("#keys-status", has_text="closed").wait_for(state="attached")
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_without_javascript_there_is_no_hint_of_shortcuts(browser, live_server, tickets):
    context = browser.new_context(base_url=live_server.url, locale="en-US", java_script_enabled=False)
    page = context.new_page()
    log_in(page, AGENT, "/desk/queues/open/")
    assert page.get_by_test_id("keys-hint").count() == 1
    assert not page.get_by_test_id("keys-hint").is_visible()
    assert not page.get_by_test_id("keys-help").is_visible()
    close_quietly(context)


def test_j_and_o_work_on_the_search_results_too(page, tickets):
    log_in(page, AGENT, "/desk/search/?q=slow")
    hits = page.locator("li[data-ticket]").evaluate_all("items => items.map(item => item.dataset.ticket)")
    assert hits == [tickets[1].number]
    page.keyboard.press("j")
    assert page.evaluate("document.querySelector('li.is-keys-current')?.dataset.ticket") == tickets[1].number
    page.keyboard.press("o")
    page.wait_for_url(f"**/desk/tickets/{tickets[1].number}/")
