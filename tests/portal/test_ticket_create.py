"""Report a problem: who can be put in CC, the patient-data notice, the title's limit."""

import pytest
from django.urls import reverse

from tessera.tickets.models import Ticket
from tests.html import parse

from .test_ticket_pages import form_data
from .test_ticket_pages import tree as tree  # noqa: PLC0414 (the category tree fixture, by its name)

CREATE = reverse("portal:ticket_create")

pytestmark = pytest.mark.django_db


def test_only_active_members_are_offered_in_cc(
    client, customer, colleague, restricted_user, inactive_user, inactive_member, tree
):
    client.force_login(customer)
    response = client.get(CREATE)
    assert response.status_code == 200
    form = response.context["form"]
    offered = set(form.fields["cc_users"].queryset)
    assert offered == {colleague}
    page = parse(response.content.decode())
    offered_names = [box.parent.text for box in page.find_all("input", name="cc_users")]
    assert offered_names == [colleague.get_full_name()]


def test_a_restricted_colleague_sent_anyway_is_refused_at_the_field(client, customer, restricted_user, tree):
    client.force_login(customer)
    response = client.post(CREATE, form_data(tree, cc_users=[restricted_user.pk]))
    assert response.status_code == 200
    assert "cc_users" in response.context["form"].errors
    assert Ticket.objects.count() == 0
    assert 'value="Month end export fails"' in response.content.decode()


def test_the_patient_data_notice_appears_once(client, customer, tree):
    client.force_login(customer)
    page = parse(client.get(CREATE).content.decode())
    assert page.find("main").text.count("patient data") == 1


def test_the_title_field_says_its_limit(client, customer, tree):
    client.force_login(customer)
    page = parse(client.get(CREATE).content.decode())
    title = page.find_one("input", id="id_title")
    assert title.get("maxlength") == "200"
    help_ids = (title.get("aria-describedby") or "").split()
    assert "At most 200 characters." in [page.find(id=ident).text for ident in help_ids if page.exists(id=ident)]


def test_a_too_long_title_is_an_error_at_the_field_and_nothing_typed_is_lost(client, customer, tree):
    client.force_login(customer)
    long_title = ("Month end export fails again " * 15)[:399] + "!"  # 400 characters
    response = client.post(CREATE, form_data(tree, title=long_title))
    assert response.status_code == 200
    assert Ticket.objects.count() == 0
    page = parse(response.content.decode())
    assert page.find(id="id_title_error").text == (
        "The title has 400 characters; at most 200 are allowed. Please shorten it."
    )
    assert page.find("input", id="id_title").get("value").strip() == long_title.strip()
    assert page.find("input", id="id_external_reference").get("value") == "REF-9"
    assert "Steps: open month end, click export." in page.find("textarea", id="id_description").text
