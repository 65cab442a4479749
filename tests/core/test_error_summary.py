"""After a failed submit, the GOV.UK error summary at the top of the form lists every error, each a link to its field.

The links point at ids that exist in the page (a link to nowhere helps no one); a non-field error is listed
without a link. The messages next to the fields stay.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import OrganizationFactory, TicketFactory
from tests.html import parse


def summary_of(response):
    """The summary's heading, and its items as (text, the id it links to or None)."""
    page = parse(response)
    summaries = page.find_all(testid="error-summary")
    assert len(summaries) == 1, "one summary, for the form that failed"
    summary = summaries[0]
    assert summary.get("role") == "alert" and summary.get("tabindex") == "-1" and summary.has("data-error-summary")
    items = []
    for item in summary.find_all("li"):
        links = item.find_all("a")
        items.append((item.text, links[0].get("href").removeprefix("#") if links else None))
    return page, summary.find("h2").text, items


def assert_links_reach_fields(page, items, expected_ids):
    linked = [target for _text, target in items if target]
    assert set(linked) == set(expected_ids)
    ids = {element.get("id") for element in page.iter() if element.get("id")}
    for target in linked:
        assert target in ids, f"#{target} is not in the page"


@pytest.mark.django_db
def test_registration_lists_every_error_with_a_link_to_its_field(client):
    response = client.post(
        reverse("accounts:register"), {"email": "not an address", "password": "short", "password_repeat": "other"}
    )
    page, heading, items = summary_of(response)
    assert heading == "There is a problem"
    targets = {target for _text, target in items}
    assert {"id_email", "id_consent"} <= targets
    assert_links_reach_fields(page, items, targets - {None})
    # The message stays next to the field too; the summary names the field, but a checkbox's sentence of a label.
    assert f"E-mail address: {page.find(id='id_email_error').text}" in [text for text, _t in items]
    assert "Please accept the terms of use and the privacy policy." in [text for text, _t in items]


def test_ticket_create_lists_the_missing_fields(client, customer, category):
    client.force_login(customer)
    response = client.post(reverse("portal:ticket_create"), {"title": "", "description": ""})
    page, heading, items = summary_of(response)
    assert heading == "There is a problem"
    targets = {target for _text, target in items}
    assert {"id_title", "id_category_1"} <= targets
    assert ("Title: This field is required.", "id_title") in items, "each item says which field"
    assert_links_reach_fields(page, items, targets - {None})


def test_ticket_create_refused_attachment_links_to_the_file_input(client, customer, category):
    client.force_login(customer)
    response = client.post(
        reverse("portal:ticket_create"),
        {
            "title": "Printer",
            "description": "Broken",
            "category_1": category.pk,
            "priority": 3,
            "attachments": [SimpleUploadedFile("virus.exe", b"MZ" + b"\0" * 10)],
        },
    )
    page, _heading, items = summary_of(response)
    assert ("Files of type .exe cannot be attached." in items[0][0]) and items[0][1] == "id_attachments"
    assert_links_reach_fields(page, items, {"id_attachments"})


def test_desk_reply_without_text_links_to_the_message(client, agent, customer):
    ticket = TicketFactory(organization=customer.membership.organization, created_by=customer)
    client.force_login(agent)
    response = client.post(reverse("desk:ticket_reply", args=[ticket.number]), {"body": "", "send": "public"})
    assert response.status_code == 400
    page, heading, items = summary_of(response)
    assert heading == "There is a problem"
    assert items == [("Message: Write a message or attach a file.", "id_body")]
    assert_links_reach_fields(page, items, {"id_body"})


def test_password_change_lists_its_errors_in_its_own_form(client, customer):
    client.force_login(customer)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password": "x", "new_password_repeat": "y"},
        follow=True,
    )
    page, _heading, items = summary_of(response)
    assert [target for _text, target in items] == ["id_new_password_repeat"]
    assert_links_reach_fields(page, items, {"id_new_password_repeat"})
    summary = page.find(testid="error-summary")
    assert summary.parent.get("action") == reverse("accounts:password_change"), "inside the form that failed"


def test_organization_invitation_lists_its_errors(client, vendor_admin):
    organization = OrganizationFactory()
    client.force_login(vendor_admin)
    response = client.post(
        reverse("desk:organization_invite", args=[organization.pk]),
        {"first_name": "", "last_name": "Rossi", "email": "nope"},
    )
    page, _heading, items = summary_of(response)
    assert {target for _text, target in items} == {"id_first_name", "id_email"}
    assert_links_reach_fields(page, items, {"id_first_name", "id_email"})


def test_a_non_field_error_is_listed_without_a_link(client, customer):
    response = client.post(reverse("accounts:login"), {"username": customer.email, "password": "wrong-password"})
    _page, _heading, items = summary_of(response)
    assert len(items) == 1 and items[0][1] is None and items[0][0]


@pytest.mark.django_db
def test_no_summary_before_the_form_is_sent(client):
    assert not parse(client.get(reverse("accounts:register"))).exists(testid="error-summary")
