"""Mail to the support address that answers a ticket, and who may be believed (issue 14, items 7 and 8).

Threading by headers or subject needs a sender our receiving mail server vouches for
(``Authentication-Results: <trusted id>; dmarc=pass``): a From header alone is easily forged.
"""

import pytest
from django.urls import reverse

from tessera.notifications.inbound import Outcome, process_inbound_message
from tessera.notifications.models import OutgoingEmail
from tessera.tickets import services
from tessera.tickets.inbound_mail import TicketMailOutcome
from tessera.tickets.models import Comment, Ticket

from ..factories import TicketFactory, email_message

SUPPORT = "support@tessera.example"
TRUSTED = "mx.tessera.example"


def passed(server=TRUSTED, verdict="pass"):
    return {"Authentication-Results": f"{server}; spf=pass smtp.mailfrom=clinic.test; dmarc={verdict} header.from=x"}


@pytest.fixture
def trust(settings):
    settings.TESSERA_INBOUND_TRUSTED_AUTHSERV_IDS = [TRUSTED]


@pytest.fixture
def ticket(customer, category):
    return TicketFactory(created_by=customer, category=category, title="Printer driver crashes")


def answer(ticket, sender, *, subject=None, headers=None, body="It works again, thanks."):
    return email_message(
        sender=sender, to=SUPPORT, subject=subject if subject is not None else f"Re: [#{ticket.number}] {ticket.title}",
        headers=headers, body=body,
    )


def process(message):
    return process_inbound_message(message.as_bytes())


def test_notifications_answer_their_tickets_thread(agent, ticket, deliver, mailoutbox):
    with deliver():
        services.comment_add(ticket=ticket, author=agent, body="Please try driver 2.1")
    thread = f"<ticket-{ticket.pk}@tessera.example>"
    assert mailoutbox, "a notification was sent"
    for mail in mailoutbox:
        assert (mail.extra_headers["In-Reply-To"], mail.extra_headers["References"]) == (thread, thread)
        assert mail.extra_headers["Message-ID"] != thread  # each message is itself, in the ticket's thread


def test_a_vouched_for_answer_by_subject_becomes_a_comment(trust, customer, ticket):
    result = process(answer(ticket, customer.email, headers=passed()))

    assert result.outcome == TicketMailOutcome.COMMENT_ADDED
    assert result.ticket == ticket
    assert Ticket.objects.count() == 1
    [comment] = Comment.objects.filter(ticket=ticket)
    assert (comment.author, comment.body, comment.is_internal) == (customer, "It works again, thanks.", False)


def test_a_vouched_for_answer_by_in_reply_to_becomes_a_comment(trust, customer, ticket):
    headers = {**passed(), "In-Reply-To": f"<ticket-{ticket.pk}@tessera.example>"}
    result = process(answer(ticket, customer.email, subject="Re: printer", headers=headers))

    assert result.outcome == TicketMailOutcome.COMMENT_ADDED
    assert Comment.objects.get().ticket == ticket


@pytest.mark.parametrize(
    "headers",
    [
        {},  # nobody vouched
        passed(server="mx.attacker.test"),  # a header anyone could write
        passed(verdict="fail"),
        passed(verdict="none"),
    ],
    ids=["no-header", "untrusted-server", "dmarc-fail", "dmarc-none"],
)
def test_without_a_pass_an_answer_never_becomes_a_comment(trust, customer, ticket, headers):
    result = process(answer(ticket, customer.email, headers=headers))

    assert not Comment.objects.exists()
    # The known customer's mail is not lost: it opens a ticket that says what it answered.
    assert result.outcome == TicketMailOutcome.TICKET_CREATED
    created = Ticket.objects.exclude(pk=ticket.pk).get()
    assert f"answered ticket {ticket.number}" in created.description


def test_without_trusted_servers_nothing_is_threaded(customer, ticket):
    result = process(answer(ticket, customer.email, headers=passed()))

    assert result.outcome == TicketMailOutcome.TICKET_CREATED
    assert not Comment.objects.exists()


def test_a_vouched_for_sender_who_may_not_see_the_ticket_adds_nothing_to_it(trust, outsider, ticket):
    outsider_category_ticket = process(answer(ticket, outsider.email, headers=passed()))

    assert not Comment.objects.exists()
    assert outsider_category_ticket.outcome in {TicketMailOutcome.TICKET_CREATED, Outcome.REJECTED}
    for created in Ticket.objects.exclude(pk=ticket.pk):
        assert ticket.number not in created.description  # a foreign ticket is never named


def test_an_agents_mailed_reply_is_an_internal_note(trust, agent, customer, ticket, client):
    result = process(answer(ticket, agent.email, headers=passed(), body="Checked the logs: driver 2.0 bug."))

    assert result.outcome == TicketMailOutcome.COMMENT_ADDED
    note = Comment.objects.get()
    assert (note.author, note.is_internal) == (agent, True)
    client.force_login(customer)
    page = client.get(reverse("portal:ticket_detail", args=[ticket.number])).content.decode()
    assert "driver 2.0 bug" not in page


def test_a_forged_sender_gets_no_automatic_answer(trust, category, deliver, mailoutbox):
    """Backscatter: the answer would land in the inbox of whoever the forger named."""
    with deliver():
        result = process(email_message(sender="victim@elsewhere.test", to=SUPPORT, headers=passed(verdict="fail")))

    assert result.outcome == Outcome.REJECTED
    assert mailoutbox == []
    assert not OutgoingEmail.objects.exists()


def test_a_vouched_for_unknown_sender_is_still_told_how_to_register(trust, category, deliver, mailoutbox):
    with deliver():
        process(email_message(sender="newcomer@clinic.test", to=SUPPORT, headers=passed()))

    [mail] = mailoutbox
    assert mail.to == ["newcomer@clinic.test"]


def test_an_empty_mail_opens_no_ticket(customer, category, deliver, mailoutbox):
    with deliver():
        result = process(email_message(sender=customer.email, to=SUPPORT, subject="", body=""))

    assert result.outcome == Outcome.REJECTED
    assert not Ticket.objects.exists()
    [mail] = mailoutbox
    assert "no subject, no text and no file" in mail.body
