"""A storage that cannot keep an attachment is a temporary failure for inbound mail, not a refusal.

The SMTP receiver answers 451 (a real smtplib client sees it), the IMAP poller
leaves the message unread, and nothing is kept that would stop the retry: no
comment, no ticket, no file, no Message-ID marked as processed, no reply. Once
the storage works again, the same mail is taken exactly once.
"""

import smtplib
import socket
import socketserver
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from tessera.notifications.inbound import Outcome, process_inbound_message
from tessera.notifications.inbound_smtp import build_controller
from tessera.notifications.management.commands.poll_imap import ImapConfig, poll_once
from tessera.notifications.models import OutgoingEmail
from tessera.notifications.reply_tokens import reply_to_address
from tessera.tickets.inbound_mail import TicketMailOutcome
from tessera.tickets.models import Attachment, Comment, Ticket, TicketEvent
from tessera.tickets.workflow import Status

from ..factories import TicketFactory, email_message
from .test_inbound_imap import ImapHandler, Mailbox

SUPPORT = "support@tessera.example"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
LOG = b"2025-03-04 10:12 printer offline\n"



class FillingDiskStorage(FileSystemStorage):
    """Local files on a disk that can fill up: once ``writes_left`` reaches 0, every write fails as the OS says.

    ``None`` means the disk has room again. Class-level, so the receiver's thread sees what the test set.
    """

    writes_left: int | None = None

    def _save(self, name, content):
        if FillingDiskStorage.writes_left is not None:
            if FillingDiskStorage.writes_left <= 0:
                raise OSError(28, "No space left on device")
            FillingDiskStorage.writes_left -= 1
        return super()._save(name, content)


@pytest.fixture
def disk(settings):
    """The attachment storage; ``disk.full(after=n)`` lets n more files in, ``disk.recover()`` makes room."""
    location = Path(settings.MEDIA_ROOT)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.FillingDiskStorage", "OPTIONS": {"location": str(location)}},
    }

    class Disk:
        path = location

        @staticmethod
        def full(after: int = 0) -> None:
            FillingDiskStorage.writes_left = after

        @staticmethod
        def recover() -> None:
            FillingDiskStorage.writes_left = None

        @staticmethod
        def files() -> list[Path]:
            return sorted(p for p in location.rglob("*") if p.is_file())

    yield Disk
    FillingDiskStorage.writes_left = None


def nothing_kept(before_tickets: int = 1) -> None:
    """No comment, ticket, attachment, event, reply or task: the state a retry must find."""
    assert Comment.objects.count() == 0
    assert Ticket.objects.count() == before_tickets
    assert Attachment.objects.count() == 0
    assert not TicketEvent.objects.exclude(type=TicketEvent.Type.CREATED).exists()
    assert OutgoingEmail.objects.count() == 0  # no "your e-mail was not accepted" or any other reply
    assert DBTaskResult.objects.count() == 0


@pytest.fixture
def ticket(customer, category):
    return TicketFactory(created_by=customer, category=category, title="Lab results missing",
                         status=Status.CUSTOMER_ACTION)


def reply(ticket, user, *, attachments=(("lab-order.pdf", PDF, "application/pdf"),)):
    return email_message(
        sender=user.email, to=reply_to_address(ticket_id=ticket.pk, user_id=user.pk),
        subject=f"Re: [#{ticket.number}] {ticket.title}", body="The lab order is attached.",
        attachments=attachments,
    )


def new_ticket(user):
    return email_message(sender=user.email, to=SUPPORT, subject="Scanner stopped working",
                         body="The scan is attached.", attachments=[("scan.pdf", PDF, "application/pdf")])


# process_inbound_message -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_reply_whose_attachment_cannot_be_stored_is_a_temporary_failure(disk, customer, ticket):
    disk.full()
    message = reply(ticket, customer)

    result = process_inbound_message(message.as_bytes())

    assert result.outcome == Outcome.TEMPORARY_FAILURE
    assert not result.replied
    nothing_kept()
    assert disk.files() == []
    ticket.refresh_from_db()
    assert ticket.status == Status.CUSTOMER_ACTION

    disk.recover()
    assert process_inbound_message(message.as_bytes()).outcome == TicketMailOutcome.COMMENT_ADDED
    assert process_inbound_message(message.as_bytes()).outcome == Outcome.DUPLICATE
    comment = Comment.objects.get()
    assert comment.email_message_id == message["Message-ID"]
    assert list(comment.attachments.values_list("original_name", flat=True)) == ["lab-order.pdf"]


@pytest.mark.django_db
def test_a_new_ticket_whose_attachment_cannot_be_stored_is_a_temporary_failure(disk, customer, category):
    disk.full()
    message = new_ticket(customer)

    result = process_inbound_message(message.as_bytes())

    assert result.outcome == Outcome.TEMPORARY_FAILURE
    assert not result.replied
    nothing_kept(before_tickets=0)
    assert disk.files() == []

    disk.recover()
    assert process_inbound_message(message.as_bytes()).outcome == TicketMailOutcome.TICKET_CREATED
    assert process_inbound_message(message.as_bytes()).outcome == Outcome.DUPLICATE
    ticket = Ticket.objects.get()
    assert list(ticket.attachments.values_list("original_name", flat=True)) == ["scan.pdf"]


# The SMTP receiver, with a real client ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def receiver():
    """The SMTP receiver (the handler ``manage.py run_mail_receiver`` serves) on a free local port."""
    port = free_port()
    controller = build_controller(host="127.0.0.1", port=port)
    controller.start()
    yield "127.0.0.1", port
    controller.stop()


def send(receiver, message, *, rcpt_to=None):
    host, port = receiver
    with smtplib.SMTP(host, port, timeout=30) as smtp:
        return smtp.send_message(message, from_addr="sender@mail.test", to_addrs=rcpt_to)


def assert_asked_to_retry(receiver, message):
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(receiver, message)
    assert refused.value.smtp_code == 451
    assert refused.value.smtp_error.startswith(b"4.3.0 ")


@pytest.mark.django_db(transaction=True)
def test_smtp_answers_451_while_the_disk_is_full_and_the_retry_adds_one_comment(receiver, disk, customer, ticket):
    disk.full()
    message = reply(ticket, customer)

    assert_asked_to_retry(receiver, message)

    nothing_kept()
    assert disk.files() == []

    disk.recover()
    assert send(receiver, message) == {}  # 250: accepted
    assert send(receiver, message) == {}  # a second delivery of the same mail changes nothing
    comment = Comment.objects.get()
    assert (comment.ticket, comment.author, comment.body) == (ticket, customer, "The lab order is attached.")
    [attachment] = comment.attachments.all()
    assert disk.files() == [disk.path / attachment.file.name]
    ticket.refresh_from_db()
    assert ticket.status == Status.ADDITIONAL_INFO


@pytest.mark.django_db(transaction=True)
def test_smtp_answers_451_for_a_new_ticket_and_the_retry_opens_one(receiver, disk, customer, category):
    disk.full()
    message = new_ticket(customer)

    assert_asked_to_retry(receiver, message)

    nothing_kept(before_tickets=0)
    assert disk.files() == []

    disk.recover()
    assert send(receiver, message) == {}
    assert send(receiver, message) == {}
    ticket = Ticket.objects.get()
    assert (ticket.title, ticket.created_by, ticket.email_message_id) == (
        "Scanner stopped working", customer, message["Message-ID"]
    )
    assert [a.original_name for a in ticket.attachments.all()] == ["scan.pdf"]


@pytest.mark.django_db(transaction=True)
def test_the_disk_filling_up_after_the_first_file_leaves_no_orphan_file(receiver, disk, customer, ticket):
    disk.full(after=1)
    message = reply(ticket, customer, attachments=[("lab-order.pdf", PDF, "application/pdf"),
                                                   ("printer.log", LOG, "text/plain")])

    assert_asked_to_retry(receiver, message)

    assert FillingDiskStorage.writes_left == 0  # the first file did reach the disk
    assert disk.files() == []  # and was removed again
    nothing_kept()

    disk.recover()
    assert send(receiver, message) == {}
    comment = Comment.objects.get()
    assert sorted(comment.attachments.values_list("original_name", flat=True)) == ["lab-order.pdf", "printer.log"]
    assert len(disk.files()) == 2


# The IMAP poller ---------------------------------------------------------------------------------------------------


@pytest.fixture
def imap_mailbox():
    """A fake IMAP server (tests/notifications/test_inbound_imap.py) for a Mailbox; returns its ImapConfig."""
    servers = []

    def start(mailbox: Mailbox) -> ImapConfig:
        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), ImapHandler)
        server.daemon_threads = True
        server.mailbox = mailbox
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        host, port = server.server_address
        return ImapConfig(host=host, port=port, username="support", password="s3cret pass", security="none",
                          timeout=10)

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.django_db
def test_imap_leaves_the_message_unread_while_the_disk_is_full(imap_mailbox, disk, customer, ticket):
    without_file = email_message(sender=customer.email, to=SUPPORT, subject="Fax", body="No file here.")
    mailbox = Mailbox([reply(ticket, customer).as_bytes(), without_file.as_bytes()])
    config = imap_mailbox(mailbox)
    disk.full()

    first = poll_once(config)

    assert first[0] is None  # left for the next poll
    assert first[1].outcome == TicketMailOutcome.TICKET_CREATED  # a mail without files is not held up
    assert mailbox.flags[1] == set() and "\\Seen" in mailbox.flags[2]
    assert not Comment.objects.exists() and not Attachment.objects.exists()
    assert OutgoingEmail.objects.filter(template__startswith="inbound_").count() == 0
    assert disk.files() == []

    assert poll_once(config) == [None]  # still full: still unread, still nothing kept
    assert not Comment.objects.exists()

    disk.recover()
    [second] = poll_once(config)
    assert second.outcome == TicketMailOutcome.COMMENT_ADDED
    assert "\\Seen" in mailbox.flags[1]
    assert poll_once(config) == []
    assert Comment.objects.get().attachments.count() == 1
    assert Ticket.objects.filter(title="Fax").count() == 1


@pytest.mark.django_db
def test_the_poll_imap_command_counts_the_message_left_for_the_next_poll(settings, imap_mailbox, disk, customer,
                                                                          ticket):
    mailbox = Mailbox([reply(ticket, customer).as_bytes()])
    config = imap_mailbox(mailbox)
    settings.TESSERA_IMAP_URL = f"imap://support:s3cret%20pass@{config.host}:{config.port}/INBOX"
    disk.full()

    out = StringIO()
    call_command("poll_imap", "--once", stdout=out)

    assert "1 message(s) read, 1 left for the next poll." in out.getvalue()
    assert mailbox.flags[1] == set()

    disk.recover()
    out = StringIO()
    call_command("poll_imap", "--once", stdout=out)
    assert "1 message(s) read, 0 left for the next poll." in out.getvalue()
    assert Comment.objects.count() == 1
