"""The real inbound path: mail delivered over SMTP to the aiosmtpd receiver, which processes it in its own thread.

The receiver's thread has its own database connection, so these tests commit
their data (transactional database) for it to see.
"""

import os
import signal
import smtplib
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tessera.notifications.inbound_smtp import build_controller
from tessera.notifications.reply_tokens import reply_to_address
from tessera.tickets.models import Comment, Source, Ticket
from tessera.tickets.workflow import Status

from ..factories import TicketFactory, email_message

SUPPORT = "support@tessera.example"
ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.django_db(transaction=True),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def receiver():
    """The SMTP receiver listening on a free local port; yields (host, port)."""
    port = free_port()
    controller = build_controller(host="127.0.0.1", port=port)
    controller.start()
    yield "127.0.0.1", port
    controller.stop()


def send(receiver, message, *, rcpt_to=None, mail_from="sender@mail.test"):
    host, port = receiver
    with smtplib.SMTP(host, port, timeout=30) as smtp:
        return smtp.send_message(message, from_addr=mail_from, to_addrs=rcpt_to)


@pytest.fixture
def ticket(customer, category):
    return TicketFactory(created_by=customer, category=category, title="Lab results missing",
                         status=Status.CUSTOMER_ACTION)


def reply(ticket, user, *, sender=None, body="Attached you find it.\n\n-- \nDr. Rossi"):
    return email_message(
        sender=sender or user.email, to=reply_to_address(ticket_id=ticket.pk, user_id=user.pk),
        subject=f"Re: [#{ticket.number}] {ticket.title}",
        body=body + "\n\nOn Tue, 4 Mar 2025 Tessera wrote:\n> Please send the lab order number.\n",
    )


def test_a_reply_delivered_by_smtp_becomes_a_comment_on_the_right_ticket(receiver, customer, ticket, category):
    other = TicketFactory(created_by=customer, category=category, title="Other ticket")

    refused = send(receiver, reply(ticket, customer, body="The lab order number is L-2025-0042."))

    assert refused == {}
    comment = Comment.objects.get()
    assert (comment.ticket, comment.author, comment.source) == (ticket, customer, Source.EMAIL)
    assert comment.body == "The lab order number is L-2025-0042."
    assert not other.comments.exists()
    ticket.refresh_from_db()
    assert ticket.status == Status.ADDITIONAL_INFO


def test_a_reply_from_a_spoofed_or_foreign_address_adds_nothing(receiver, customer, outsider, ticket, deliver,
                                                                 mailoutbox):
    with deliver():
        send(receiver, reply(ticket, customer, sender=outsider.email))  # the customer's address, outsider's mail
        send(receiver, reply(ticket, customer, sender="customer@rossi.test.attacker.test"))

    assert not Comment.objects.exists()
    ticket.refresh_from_db()
    assert ticket.status == Status.CUSTOMER_ACTION
    assert {mail.to[0] for mail in mailoutbox} == {outsider.email, "customer@rossi.test.attacker.test"}
    for mail in mailoutbox:
        assert mail.subject == "Your e-mail could not be added to a ticket"
        assert ticket.number not in mail.body and ticket.title not in mail.body


def test_an_auto_reply_is_dropped(receiver, customer, ticket, deliver, mailoutbox):
    out_of_office = reply(ticket, customer, body="I am out of office until Monday.")
    out_of_office["Auto-Submitted"] = "auto-replied"

    with deliver():
        send(receiver, out_of_office)
        send(receiver, email_message(sender=customer.email, to=SUPPORT, body="Back Monday."), mail_from="")

    assert not Comment.objects.exists()
    assert Ticket.objects.count() == 1
    assert mailoutbox == []


def test_a_redelivered_message_is_added_once(receiver, customer, ticket):
    message = reply(ticket, customer, body="Only once.")

    send(receiver, message)
    send(receiver, message)

    assert Comment.objects.filter(ticket=ticket).count() == 1


def test_mail_to_the_support_address_opens_a_ticket_even_when_only_the_envelope_names_it(receiver, customer,
                                                                                         category):
    # A list or a forward: the To header names another address; the envelope recipient is ours.
    message = email_message(sender=customer.email, to="Practice staff <staff@rossi.test>",
                            subject="Backup failed", body="The nightly backup failed.")

    send(receiver, message, rcpt_to=[SUPPORT])

    ticket = Ticket.objects.get()
    assert (ticket.title, ticket.created_by, ticket.source) == ("Backup failed", customer, Source.EMAIL)
    assert ticket.email_message_id == message["Message-ID"]


def test_an_unknown_sender_gets_a_polite_reply_and_no_ticket(receiver, category, deliver, mailoutbox):
    with deliver():
        send(receiver, email_message(sender="reception@clinic.test", to=SUPPORT, subject="Hello", body="Help"))

    assert not Ticket.objects.exists()
    [mail] = mailoutbox
    assert mail.to == ["reception@clinic.test"]
    assert "http://127.0.0.1:8000/accounts/register/" in mail.body


def test_other_recipients_are_refused_the_receiver_is_no_relay(receiver, customer):
    message = email_message(sender=customer.email, to="someone@elsewhere.test", body="Relay me")

    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(receiver, message)


def test_a_failure_while_processing_is_temporary_and_the_mail_is_taken_once_it_is_fixed(settings, receiver, customer,
                                                                                         category):
    settings.TESSERA_EMAIL_TICKET_CATEGORY = "No such category"
    message = email_message(sender=customer.email, to=SUPPORT, subject="Printer", body="Paper jam")

    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(receiver, message)
    assert refused.value.smtp_code == 451  # the sending server keeps the mail and tries again
    assert not Ticket.objects.exists()

    settings.TESSERA_EMAIL_TICKET_CATEGORY = ""
    send(receiver, message)
    assert Ticket.objects.get().title == "Printer"


def test_the_management_command_serves_until_stopped(tmp_path):
    port = free_port()
    env = {**os.environ, "TESSERA_INBOUND_SMTP_PORT": str(port), "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(
        [sys.executable, "manage.py", "run_mail_receiver", "--host", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        assert "Receiving mail on 127.0.0.1:" in server.stdout.readline()
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            code, banner = smtp.ehlo()
            assert code == 250
            # Only addresses of ours are accepted; this needs no database.
            assert smtp.docmd("MAIL FROM:<someone@mail.test>")[0] == 250
            assert smtp.docmd("RCPT TO:<someone@elsewhere.test>")[0] == 550
            assert smtp.docmd(f"RCPT TO:<{SUPPORT}>")[0] == 250
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=20)
    assert server.returncode == 0
    assert "Mail receiver stopped." in output
