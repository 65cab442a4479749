"""Errors where people look, in Chromium: the error summary takes the focus and leads to each field;
attachments too large or of a type not allowed are refused before they are sent."""

import pytest

from tessera.tickets.models import Attachment, Ticket

from .conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEW_TICKET = "/tickets/new/"


def active_element(page) -> dict:
    return page.evaluate(
        "() => ({id: document.activeElement.id, summary: document.activeElement.hasAttribute('data-error-summary')})"
    )


def test_an_empty_ticket_form_shows_the_summary_focused_and_its_links_lead_to_the_fields(page, dental_support):
    log_in(page, "anna@rossi.test", NEW_TICKET)
    page.get_by_role("button", name="Submit").click()
    summary = page.get_by_test_id("error-summary")
    summary.wait_for()
    assert summary.is_visible()
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    assert active_element(page)["summary"], "the summary has the focus, so a screen reader reads it first"
    assert page.title().startswith("Error: ")

    summary.get_by_role("link").first.click()
    assert active_element(page) == {"id": "id_title", "summary": False}
    page.keyboard.type("Sensor not found")  # the focus is in the field: typing fills it
    assert page.get_by_label("Title").input_value() == "Sensor not found"

    category_link = summary.locator("a[href='#id_category_1']")
    category_link.click()
    assert active_element(page)["id"] == "id_category_1"


def _choose_file(page, name: str, content: bytes, mime: str = "application/octet-stream"):
    page.get_by_label("Attachments").set_input_files(files=[{"name": name, "mimeType": mime, "buffer": content}])


def _chosen_files(page) -> int:
    return page.evaluate("() => document.getElementById('id_attachments').files.length")


def test_a_file_too_large_or_of_a_wrong_type_is_refused_before_upload_and_a_fine_one_goes(
    page, dental_support, settings
):
    settings.TESSERA_ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024
    log_in(page, "anna@rossi.test", NEW_TICKET)
    refusal = page.get_by_test_id("attachment-error")

    _choose_file(page, "scan.pdf", b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024))
    refusal.wait_for()
    assert refusal.inner_text() == "The file scan.pdf is larger than 2 MB."
    assert refusal.get_attribute("aria-live") == "polite"
    assert _chosen_files(page) == 0, "the refused file is not sent"
    assert page.evaluate("() => document.getElementById('id_attachments').validationMessage") == refusal.inner_text()

    _choose_file(page, "tool.exe", b"MZ" + b"\0" * 100)
    assert refusal.inner_text().startswith("Files of type .exe cannot be attached. Allowed: bmp, csv,")
    assert _chosen_files(page) == 0

    _choose_file(page, "notes.txt", b"The sensor was not detected after the update.", "text/plain")
    assert not refusal.is_visible()
    assert _chosen_files(page) == 1
    assert page.evaluate("() => document.getElementById('id_attachments').validationMessage") == ""

    page.get_by_label("Title").fill("Sensor not found")
    with page.expect_response(lambda r: "/tickets/new/categories/" in r.url):
        page.get_by_label("Category 1").select_option(label="Imaging")
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    page.get_by_label("Description").fill("Since the update the sensor is not detected.")
    page.get_by_role("button", name="Submit").click()
    page.get_by_text("has been created and sent to Dental support").wait_for()
    assert page.get_by_role("link", name="notes.txt").is_visible()
    assert list(Attachment.objects.filter(ticket=Ticket.objects.get()).values_list("original_name", flat=True)) == [
        "notes.txt"
    ]


def test_the_summary_and_the_error_pages_have_no_serious_accessibility_violation(page, dental_support, outsider):
    from tests.factories import TicketFactory

    from .test_accessibility import blocking_violations

    foreign = TicketFactory(created_by=outsider)
    log_in(page, "anna@rossi.test", NEW_TICKET)
    page.get_by_role("button", name="Submit").click()
    page.get_by_test_id("error-summary").wait_for()
    assert blocking_violations(page) == []

    page.goto(f"/tickets/{foreign.number}/")
    page.get_by_role("heading", name="This ticket does not exist or is not yours").wait_for()
    assert blocking_violations(page) == []
    page.get_by_role("link", name="My tickets").last.click()
    page.wait_for_url("**/tickets/")
