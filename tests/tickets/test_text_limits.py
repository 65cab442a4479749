"""Every free text has a maximum, in the model, the form and the service (issue 14, finding 9)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tessera.core.limits import REASON_MAX_LENGTH, TEXT_MAX_LENGTH, TITLE_MAX_LENGTH
from tessera.notifications.inbound import process_inbound_message
from tessera.notifications.models import OutgoingEmail
from tessera.notifications.reply_tokens import reply_to_address
from tessera.organizations import services as organization_services
from tessera.organizations.models import LinkRequest
from tessera.tickets import services
from tessera.tickets.inbound_mail import FULL_TEXT_NAME
from tessera.tickets.models import CannedResponse, Comment, Ticket
from tessera.tickets.workflow import Action
from tests.factories import TicketFactory, email_message, pending_applicant

FINDING = "x" * 100_001  # the reply the review sent


@pytest.fixture
def ticket(customer, category):
    return TicketFactory(created_by=customer, category=category, title="Printer")


def test_the_models_know_the_limits():
    assert Ticket._meta.get_field("title").max_length == TITLE_MAX_LENGTH == 200
    assert Ticket._meta.get_field("description").max_length == TEXT_MAX_LENGTH == 50_000
    assert Comment._meta.get_field("body").max_length == TEXT_MAX_LENGTH
    assert CannedResponse._meta.get_field("body").max_length == TEXT_MAX_LENGTH
    assert LinkRequest._meta.get_field("rejection_reason").max_length == REASON_MAX_LENGTH == 10_000


def test_a_reply_of_100001_characters_is_refused_and_nothing_is_mailed(agent, ticket, deliver, mailoutbox):
    with deliver(), pytest.raises(ValidationError) as refusal:
        services.comment_add(ticket=ticket, author=agent, body=FINDING)

    assert refusal.value.message_dict["body"] == ["At most 50,000 characters: this text has 100,001."]
    assert not Comment.objects.exists()
    assert mailoutbox == [] and not OutgoingEmail.objects.exists()


def test_exactly_the_limit_is_accepted(agent, ticket):
    comment = services.comment_add(ticket=ticket, author=agent, body="y" * TEXT_MAX_LENGTH)
    assert len(comment.body) == TEXT_MAX_LENGTH


@pytest.mark.parametrize(
    ("field", "fields"),
    [("title", {"title": "t" * 201}), ("description", {"description": "d" * 50_001}),
     ("external_reference", {"external_reference": "r" * 101})],
)
def test_ticket_creation_refuses_over_long_text_at_its_field(customer, category, field, fields):
    arguments = {"title": "Printer", **fields}
    with pytest.raises(ValidationError) as refusal:
        services.ticket_create(author=customer, category=category, **arguments)
    assert list(refusal.value.message_dict) == [field]
    assert not Ticket.objects.exists()


def test_a_status_message_over_the_limit_is_refused(agent, ticket):
    with pytest.raises(ValidationError) as refusal:
        services.ticket_change_status(ticket=ticket, user=agent, action=Action.REQUEST_INFO, message=FINDING)
    assert "message" in refusal.value.message_dict
    assert not Comment.objects.exists()


def test_a_rejection_reason_over_the_limit_is_refused(organization, org_admin):
    link_request = pending_applicant(organization)
    with pytest.raises(ValidationError) as refusal:
        organization_services.link_request_reject(
            link_request=link_request, rejected_by=org_admin, reason="r" * (REASON_MAX_LENGTH + 1)
        )
    assert "reason" in refusal.value.message_dict
    link_request.refresh_from_db()
    assert link_request.state == LinkRequest.State.PENDING


def test_the_portal_form_says_the_limit_at_the_field_and_keeps_the_text(client, customer, ticket):
    client.force_login(customer)
    response = client.post(reverse("portal:ticket_comment", args=[ticket.number]), {"body": FINDING})
    page = response.content.decode()
    assert response.status_code == 400  # the page again, with the message at the field
    assert "at most 50000 characters (it has 100001)" in page
    assert FINDING in page  # nothing typed is lost
    assert not Comment.objects.exists()


def test_inbound_mail_is_cut_at_the_limit_and_the_whole_text_kept_as_an_attachment(customer, ticket):
    text = "".join(f"Line {n} of a very long log\n" for n in range(6000))  # ~165,000 characters
    process_inbound_message(email_message(
        sender=customer.email, to=reply_to_address(ticket_id=ticket.pk, user_id=customer.pk), body=text,
    ).as_bytes())

    comment = Comment.objects.get()
    assert len(comment.body) <= TEXT_MAX_LENGTH
    assert comment.body.startswith("Line 0 of a very long log")
    assert comment.body.endswith(f"The whole text is attached as {FULL_TEXT_NAME}.]")
    attachment = comment.attachments.get(original_name=FULL_TEXT_NAME)
    with attachment.file.open("rb") as stored:
        assert stored.read().decode() == text.strip()
