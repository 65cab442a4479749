"""The desk ticket page's fixes, through the views: extra fields, closed tickets, the first status, merges."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tessera.desk.forms import AGENT_ACTIONS, status_changes
from tessera.tickets import services
from tessera.tickets.models import Comment, Ticket, TicketEvent
from tessera.tickets.workflow import Action, Status
from tests.factories import CategoryFactory, CategoryFieldFactory, TicketCCFactory, TicketFactory
from tests.html import parse

Type = TicketEvent.Type


def url(name, ticket, *args):
    return reverse(f"desk:{name}", args=[ticket.number, *args])


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def devices(service_team):
    category = CategoryFactory(name="Devices", service_team=service_team)
    CategoryFieldFactory(category=category, key="serial", label="Serial number", required=True)
    CategoryFieldFactory(category=category, key="model", label="Model")
    return category


# 1. Re-categorizing asks for the new category's required fields; agents edit the values.


def test_recategorizing_asks_for_the_required_field_then_saves_it_with_the_move(
    agent_client, customer, category, devices
):
    ticket = TicketFactory(created_by=customer, category=category, field_values={"model": "X200"})
    response = agent_client.post(url("ticket_category", ticket), {"category": devices.pk})
    assert response.status_code == 400
    page = parse(response.content.decode())
    form = page.find(testid="category-form")
    asked = form.find(testid="category-extra-fields")
    assert "Serial number" in asked.text
    serial = form.find("input", name="cf_serial")
    assert serial.get("aria-invalid") == "true" or "This field is required." in form.text
    assert form.find("input", name="cf_model").get("value") == "X200"  # pre-filled from the ticket
    assert form.find("select", name="category").find("option", selected=True).get("value") == str(devices.pk)
    ticket.refresh_from_db()
    assert ticket.category == category

    data = {"category": devices.pk, "fields_for": str(devices.pk), "cf_serial": "SN-77", "cf_model": "X200"}
    response = agent_client.post(url("ticket_category", ticket), data, follow=True)
    ticket.refresh_from_db()
    assert ticket.category == devices and ticket.field_values == {"model": "X200", "serial": "SN-77"}
    timeline = parse(response.content.decode()).find(testid="timeline")
    assert "Devices" in timeline.text and "Serial number:" in timeline.find(testid="field-changes").text


def test_a_category_whose_required_fields_the_ticket_fills_moves_at_once(agent_client, customer, category, devices):
    ticket = TicketFactory(created_by=customer, category=category, field_values={"serial": "SN-1"})
    agent_client.post(url("ticket_category", ticket), {"category": devices.pk})
    ticket.refresh_from_db()
    assert ticket.category == devices and ticket.field_values == {"serial": "SN-1"}


def test_agents_edit_the_extra_fields_and_the_customer_sees_the_new_values(agent_client, client, customer, devices):
    ticket = TicketFactory(created_by=customer, category=devices, field_values={"serial": "SN-1"})
    form = parse(agent_client.get(url("ticket_fields", ticket)).content.decode()).find(testid="fields-form")
    assert form.find("input", name="cf_serial").get("value") == "SN-1"

    response = agent_client.post(url("ticket_fields", ticket), {"cf_serial": "", "cf_model": "Z9"})
    assert response.status_code == 400
    form = parse(response.content.decode()).find(testid="fields-form")
    assert "This field is required." in form.text and form.find("input", name="cf_model").get("value") == "Z9"

    response = agent_client.post(url("ticket_fields", ticket), {"cf_serial": "SN-2", "cf_model": "Z9"}, follow=True)
    assert "The extra fields have been saved." in messages_of(response)
    changes = parse(response.content.decode()).find(testid="field-changes").text
    assert "Serial number: SN-1 → SN-2" in changes and "Model: none → Z9" in changes
    client.force_login(customer)
    portal = client.get(reverse("portal:ticket_detail", args=[ticket.number])).content.decode()
    assert "SN-2" in portal and "Z9" in portal


def test_a_category_without_extra_fields_says_so(agent_client, customer, category):
    ticket = TicketFactory(created_by=customer, category=category)
    page = parse(agent_client.get(url("ticket_fields", ticket)).content.decode())
    assert page.exists(testid="no-extra-fields")


# 2. Closed tickets: internal notes, and reopening with a reason.


@pytest.fixture
def closed(customer, category):
    return TicketFactory(created_by=customer, category=category, status=Status.COMPLETED, title="Backup fails")


def test_a_closed_ticket_offers_an_internal_note_and_reopening(agent_client, closed):
    page = parse(agent_client.get(url("ticket", closed)).content.decode())
    reply = page.find("form", action=url("ticket_reply", closed))
    assert reply.exists("button", value="internal") and not reply.exists("button", value="public")
    assert page.exists(testid="reopen-form")
    response = agent_client.post(url("ticket_reply", closed), {"body": "Called back.", "send": "internal"}, follow=True)
    assert "Your internal note has been added." in messages_of(response)
    assert Comment.objects.get(ticket=closed).is_internal


def test_reopening_needs_a_reason_at_the_field_then_tells_the_customer(
    agent_client, client, customer, closed, deliver, mailoutbox
):
    response = agent_client.post(url("ticket_reopen", closed), {"reason": " "})
    assert response.status_code == 400
    form = parse(response.content.decode()).find(testid="reopen-form")
    assert "Tell the customer why the ticket is reopened." in form.text
    with deliver():
        response = agent_client.post(url("ticket_reopen", closed), {"reason": "It failed again."}, follow=True)
    closed.refresh_from_db()
    assert closed.status == Status.IN_PROCESS
    page = parse(response.content.decode())
    assert "In process" in page.find(testid="ticket-status").text
    assert "Reopen" in page.find(testid="timeline").text
    (message,) = [m for m in mailoutbox if customer.email in m.to]
    assert "It failed again." in message.body
    client.force_login(customer)
    assert "It failed again." in client.get(reverse("portal:ticket_detail", args=[closed.number])).content.decode()


def test_an_open_ticket_is_not_reopened(agent_client, customer, category):
    ticket = TicketFactory(created_by=customer, category=category, status=Status.IN_PROCESS)
    response = agent_client.post(url("ticket_reopen", ticket), {"reason": "why"}, follow=True)
    assert "This ticket is open already." in messages_of(response)
    assert not TicketEvent.objects.filter(ticket=ticket).exists()


def test_reopen_is_not_among_the_plain_status_changes():
    assert Action.REOPEN not in AGENT_ACTIONS
    assert status_changes(Status.COMPLETED) == []


# 3. "Request being sent" has a status card with what an agent can do.


def test_a_ticket_still_being_sent_has_a_status_card_with_actions(agent_client, customer, category):
    ticket = TicketFactory(created_by=customer, category=category, status=Status.SENDING)
    page = parse(agent_client.get(url("ticket", ticket)).content.decode())
    card = page.find(testid="status-card")
    assert "Request being sent" in card.text and card.exists(testid="sending-notice")
    assert card.exists("form", action=url("ticket_assign_me", ticket))
    assert card.exists("a", href="#reply") and "Take this ticket" in card.text
    options = [o.get("value") for o in card.find("select", name="action").find_all("option")]
    assert "start" in options and "complete" in options
    assert page.exists("button", value="public")  # the reply form

    response = agent_client.post(url("ticket_status", ticket), {"action": "start"}, follow=True)
    assert "The status is now “In process”." in messages_of(response)
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROCESS


# 4. A merged ticket says where it went: desk, portal and pane notice.


@pytest.fixture
def merged(agent, customer, category):
    target = TicketFactory(created_by=customer, category=category, title="Export fails")
    duplicate = TicketFactory(created_by=customer, category=category, title="Export broken")
    services.ticket_merge(ticket=duplicate, user=agent, target=target)
    return Ticket.objects.get(pk=duplicate.pk), target


def test_the_desk_page_of_a_merged_ticket_links_to_the_target(agent_client, merged):
    duplicate, target = merged
    notice = parse(agent_client.get(url("ticket", duplicate)).content.decode()).find(testid="merged-notice")
    assert f"This ticket was merged into {target.number}" in notice.text
    assert notice.exists("a", href=url("ticket", target))
    assert not parse(agent_client.get(url("ticket", duplicate)).content.decode()).exists(testid="reopen-form")


def render_notice(ticket, user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string("portal/ticket_merged_notice.html", {"ticket": ticket, "user": user}, request=request)


def test_the_portal_notice_links_only_for_a_customer_who_may_see_the_target(merged, customer, colleague, organization):
    duplicate, target = merged
    notice = parse(render_notice(duplicate, customer)).find(testid="merged-notice")
    assert f"This ticket was merged into {target.number}." in notice.text
    assert notice.exists("a", href=reverse("portal:ticket_detail", args=[target.number]))
    # A colleague in CC of the duplicate only (a basic user) may see it but not the target: the number, no link.
    TicketCCFactory(ticket=duplicate, user=colleague, email=colleague.email)
    notice = parse(render_notice(duplicate, colleague)).find(testid="merged-notice")
    assert target.number in notice.text and not notice.exists("a")
    assert render_notice(target, customer).strip() == ""  # not merged: nothing


def test_the_extra_fields_form_costs_the_same_queries_however_many_fields(
    agent_client, customer, devices, django_assert_max_num_queries
):
    ticket = TicketFactory(created_by=customer, category=devices)
    with CaptureQueriesContext(connection) as few:
        agent_client.get(url("ticket_fields", ticket))
    for n in range(8):
        CategoryFieldFactory(category=devices, key=f"extra_{n}", label=f"Extra {n}")
    with django_assert_max_num_queries(len(few)):
        response = agent_client.get(url("ticket_fields", ticket))
    assert "Extra 7" in response.content.decode()


def test_a_closed_ticket_page_costs_the_same_queries_however_long_its_timeline(
    agent_client, agent, closed, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as few:
        agent_client.get(url("ticket", closed))
    for n in range(6):
        services.comment_add(ticket=closed, author=agent, body=f"note {n}", is_internal=True)
    with django_assert_max_num_queries(len(few)):
        response = agent_client.get(url("ticket", closed))
    assert "note 5" in response.content.decode()
