"""The services behind the desk ticket page's fixes: reopening, notes on closed tickets, the first status, extra
fields on re-categorizing and on their own, and telling the customers of a merged ticket where it went."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tessera.tickets import services
from tessera.tickets.models import CategoryField, Comment, Ticket, TicketEvent
from tessera.tickets.workflow import Action, Status
from tests.factories import CategoryFactory, CategoryFieldFactory, TicketCCFactory, TicketFactory

Type = TicketEvent.Type


@pytest.fixture
def closed(customer, category):
    ticket = TicketFactory(created_by=customer, category=category, title="Backup fails", status=Status.COMPLETED)
    TicketCCFactory(ticket=ticket, email="it@rossi.test")
    return ticket


def sent_to(mailoutbox, address):
    return [message for message in mailoutbox if address in message.to]


# Reopening a closed ticket, with a reason the customer is told.


def test_an_agent_reopens_a_closed_ticket_and_the_customer_and_cc_are_told_why(
    agent, customer, closed, deliver, mailoutbox
):
    with deliver():
        services.ticket_reopen(ticket=closed, user=agent, reason="The backup failed again last night.")
    closed.refresh_from_db()
    assert closed.status == Status.IN_PROCESS and closed.closed_at is None
    event = TicketEvent.objects.get(ticket=closed, type=Type.STATUS_CHANGED)
    assert event.data["action"] == Action.REOPEN and event.data["old"] == Status.COMPLETED
    reason = Comment.objects.get(ticket=closed)
    assert not reason.is_internal and reason.body == "The backup failed again last night."
    for address in (customer.email, "it@rossi.test"):
        (message,) = sent_to(mailoutbox, address)
        assert "reopened" in message.subject and "The backup failed again last night." in message.body
    assert len(mailoutbox) == 2  # one message each: the reason is not sent again as a reply


@pytest.mark.parametrize("reason", ["", "   "])
def test_reopening_needs_a_reason(agent, closed, reason):
    with pytest.raises(ValidationError) as refused:
        services.ticket_reopen(ticket=closed, user=agent, reason=reason)
    assert "reason" in refused.value.error_dict
    closed.refresh_from_db()
    assert closed.status == Status.COMPLETED


def test_customers_cannot_reopen_and_a_merged_ticket_stays_closed(agent, customer, closed, category):
    with pytest.raises(PermissionDenied):
        services.ticket_reopen(ticket=closed, user=customer, reason="Please")
    target = TicketFactory(created_by=customer, category=category)
    duplicate = TicketFactory(created_by=customer, category=category)
    services.ticket_merge(ticket=duplicate, user=agent, target=target)
    with pytest.raises(ValidationError):
        services.ticket_reopen(ticket=Ticket.objects.get(pk=duplicate.pk), user=agent, reason="Back")
    assert Ticket.objects.get(pk=duplicate.pk).status == Status.COMPLETED_SILENT


# Closed tickets still take internal notes.


def test_an_internal_note_on_a_closed_ticket_is_kept_and_a_public_reply_refused(agent, closed, deliver, mailoutbox):
    with deliver():
        note = services.comment_add(ticket=closed, author=agent, body="Customer called, all fine.", is_internal=True)
    assert note.is_internal and Comment.objects.filter(ticket=closed).count() == 1
    assert mailoutbox == []
    with pytest.raises(PermissionDenied):
        services.comment_add(ticket=closed, author=agent, body="Hello", is_internal=False)


# "Request being sent": agents can work it.


def test_an_agent_can_change_the_status_of_a_ticket_still_being_sent(agent, customer, category):
    ticket = TicketFactory(created_by=customer, category=category, status=Status.SENDING)
    services.ticket_change_status(ticket=ticket, user=agent, action=Action.START)
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROCESS


# Extra fields.


@pytest.fixture
def devices(service_team):
    """A category asking for the device's serial number (required) and its model (optional)."""
    category = CategoryFactory(name="Devices", service_team=service_team)
    CategoryFieldFactory(category=category, key="serial", label="Serial number", required=True)
    CategoryFieldFactory(category=category, key="model", label="Model")
    return category


def test_moving_to_a_category_with_a_required_field_needs_its_value(agent, customer, category, devices):
    ticket = TicketFactory(created_by=customer, category=category)
    with pytest.raises(ValidationError) as refused:
        services.ticket_change_category(ticket=ticket, user=agent, category=devices)
    assert set(refused.value.error_dict) == {"serial"}
    ticket.refresh_from_db()
    assert ticket.category == category and not TicketEvent.objects.filter(ticket=ticket).exists()

    services.ticket_change_category(
        ticket=ticket, user=agent, category=devices, field_values={"serial": "SN-1", "model": ""}
    )
    ticket.refresh_from_db()
    assert ticket.category == devices and ticket.field_values == {"serial": "SN-1"}
    category_event = TicketEvent.objects.get(ticket=ticket, type=Type.CATEGORY_CHANGED)
    fields_event = TicketEvent.objects.get(ticket=ticket, type=Type.FIELDS_CHANGED)
    assert fields_event.operation_id == category_event.operation_id  # one unit of work
    assert fields_event.data["changes"] == [{"key": "serial", "label": "Serial number", "old": None, "new": "SN-1"}]


def test_a_move_keeps_the_values_the_ticket_has_under_the_same_names(agent, customer, category, devices):
    ticket = TicketFactory(created_by=customer, category=category, field_values={"serial": "SN-9", "old": "x"})
    services.ticket_change_category(ticket=ticket, user=agent, category=devices)
    ticket.refresh_from_db()
    assert ticket.category == devices and ticket.field_values == {"serial": "SN-9", "old": "x"}


def test_agents_edit_the_values_and_the_change_is_recorded(agent, customer, devices):
    ticket = TicketFactory(created_by=customer, category=devices, field_values={"serial": "SN-1"})
    services.ticket_change_field_values(ticket=ticket, user=agent, values={"serial": "SN-2", "model": "X200"})
    ticket.refresh_from_db()
    assert ticket.field_values == {"serial": "SN-2", "model": "X200"}
    event = TicketEvent.objects.get(ticket=ticket, type=Type.FIELDS_CHANGED)
    assert event.data["changes"] == [
        {"key": "serial", "label": "Serial number", "old": "SN-1", "new": "SN-2"},
        {"key": "model", "label": "Model", "old": None, "new": "X200"},
    ]
    with pytest.raises(ValidationError) as refused:
        services.ticket_change_field_values(ticket=ticket, user=agent, values={"serial": "", "model": "X200"})
    assert "serial" in refused.value.error_dict
    with pytest.raises(PermissionDenied):
        services.ticket_change_field_values(ticket=ticket, user=customer, values={"serial": "SN-3"})
    ticket.refresh_from_db()
    assert ticket.field_values["serial"] == "SN-2"


def test_a_number_field_is_checked_by_the_service(agent, customer, devices):
    CategoryFieldFactory(category=devices, key="count", label="Count", kind=CategoryField.Kind.NUMBER)
    ticket = TicketFactory(created_by=customer, category=devices, field_values={"serial": "SN-1"})
    with pytest.raises(ValidationError) as refused:
        services.ticket_change_field_values(ticket=ticket, user=agent, values={"serial": "SN-1", "count": "many"})
    assert "count" in refused.value.error_dict


# Merged tickets: their customers are told where the ticket went.


def test_the_customers_of_a_merged_ticket_receive_one_message_naming_the_target(
    agent, customer, colleague, category, deliver, mailoutbox
):
    target = TicketFactory(created_by=customer, category=category, title="Export fails")
    duplicate = TicketFactory(created_by=colleague, category=category, title="Export broken")
    TicketCCFactory(ticket=duplicate, email="it@rossi.test")  # a plain address: hears of its own ticket only
    with deliver():
        pass
    mailoutbox.clear()
    with deliver():
        services.ticket_merge(ticket=duplicate, user=agent, target=target)
    (to_requester,) = sent_to(mailoutbox, colleague.email)
    assert f"Merged into ticket {target.number}" in to_requester.subject
    assert f"/tickets/{target.number}/" in to_requester.body  # the requester now sees the target (in its CC)
    (to_plain,) = sent_to(mailoutbox, "it@rossi.test")
    assert target.number in to_plain.body and f"/tickets/{target.number}/" not in to_plain.body
    assert sent_to(mailoutbox, customer.email) == []  # the target's customers hear nothing of the merge
    assert sent_to(mailoutbox, agent.email) == []
