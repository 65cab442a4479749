"""IMAP polling against a minimal IMAP4 server written here (socketserver), speaking the commands poll_imap uses."""

import shlex
import socketserver
import threading

import pytest
from django.core.management import CommandError, call_command

from tessera.notifications.management.commands.poll_imap import ImapConfig, parse_imap_url, poll_once
from tessera.notifications.reply_tokens import reply_to_address
from tessera.tickets.inbound_mail import TicketMailOutcome
from tessera.tickets.models import Comment, Ticket

from ..factories import TicketFactory, email_message

SUPPORT = "support@tessera.example"



class Mailbox:
    def __init__(self, messages, *, seen=(), capabilities=("IMAP4rev1",)):
        self.messages = dict(enumerate(messages, start=1))
        self.flags = {uid: ({"\\Seen"} if uid in seen else set()) for uid in self.messages}
        self.moved: dict[int, str] = {}
        self.capabilities = capabilities
        self.commands: list[str] = []


class ImapHandler(socketserver.StreamRequestHandler):
    """Just enough IMAP4rev1 (RFC 3501): CAPABILITY, LOGIN, SELECT, UID SEARCH/FETCH/STORE/MOVE, LOGOUT."""

    def send(self, line: str | bytes) -> None:
        self.wfile.write((line.encode() if isinstance(line, str) else line) + b"\r\n")

    def handle(self):
        box: Mailbox = self.server.mailbox
        self.send("* OK fake IMAP4rev1 ready")
        while line := self.rfile.readline():
            tag, _, rest = line.decode().rstrip("\r\n").partition(" ")
            lexer = shlex.shlex(rest, posix=True)
            lexer.whitespace_split, lexer.escape = True, ""  # keep the backslash of \Seen
            words = list(lexer)
            command = words[0].upper()
            box.commands.append(" ".join(words[:2]).upper())
            if command == "CAPABILITY":
                self.send("* CAPABILITY " + " ".join(box.capabilities))
            elif command == "LOGIN":
                if words[1:] != ["support", "s3cret pass"]:
                    self.send(f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials")
                    continue
            elif command == "SELECT":
                self.send(f"* {len(box.messages)} EXISTS")
                self.send("* OK [UIDVALIDITY 1] UIDs valid")
                self.send(f"{tag} OK [READ-WRITE] SELECT completed")
                continue
            elif command == "UID":
                self.uid_command(tag, box, words[1].upper(), words[2:])
            elif command == "LOGOUT":
                self.send("* BYE logging out")
                self.send(f"{tag} OK LOGOUT completed")
                return
            elif command != "NOOP":
                self.send(f"{tag} BAD unknown command")
                continue
            self.send(f"{tag} OK {command} completed")

    def uid_command(self, tag, box, command, args):
        if command == "SEARCH":  # only UNSEEN
            unseen = [str(uid) for uid in box.messages if "\\Seen" not in box.flags[uid]]
            self.send("* SEARCH " + " ".join(unseen))
        elif command == "FETCH":  # BODY.PEEK[]: the message, flags unchanged
            uid = int(args[0])
            raw = box.messages[uid]
            self.send(f"* {uid} FETCH (UID {uid} BODY[] {{{len(raw)}}}".encode() + b"\r\n" + raw + b")")
        elif command == "STORE":  # +FLAGS (\Seen)
            uid = int(args[0])
            box.flags[uid] |= set(args[2].strip("()").split())
            self.send(f"* {uid} FETCH (UID {uid} FLAGS ({' '.join(sorted(box.flags[uid]))}))")
        elif command == "MOVE":
            uid = int(args[0])
            box.moved[uid] = args[1]
            del box.messages[uid]


@pytest.fixture
def imap_server():
    """Start a fake IMAP server for a Mailbox; returns a function (mailbox) -> ImapConfig."""
    servers = []

    def start(mailbox: Mailbox, **config) -> ImapConfig:
        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), ImapHandler)
        server.daemon_threads = True
        server.mailbox = mailbox
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        host, port = server.server_address
        return ImapConfig(host=host, port=port, username="support", password="s3cret pass", security="none",
                          timeout=10, **config)

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def ticket(customer, category):
    return TicketFactory(created_by=customer, category=category, title="Appointment reminders not sent")


def reply_bytes(ticket, user, body):
    return email_message(sender=user.email, to=reply_to_address(ticket_id=ticket.pk, user_id=user.pk),
                         body=body).as_bytes()


def new_ticket_bytes(user, subject):
    return email_message(sender=user.email, to=SUPPORT, subject=subject, body="Details follow.").as_bytes()


def test_unread_mail_is_processed_and_marked_read(imap_server, customer, ticket):
    mailbox = Mailbox(
        [
            reply_bytes(ticket, customer, "They work again.\n\n> old"),
            new_ticket_bytes(customer, "Invoice export empty"),
            new_ticket_bytes(customer, "Already read by a person"),
        ],
        seen={3},
    )
    config = imap_server(mailbox)

    results = poll_once(config)

    assert [r.outcome for r in results] == [TicketMailOutcome.COMMENT_ADDED, TicketMailOutcome.TICKET_CREATED]
    assert Comment.objects.get(ticket=ticket).body == "They work again."
    assert set(Ticket.objects.values_list("title", flat=True)) == {ticket.title, "Invoice export empty"}
    assert all("\\Seen" in mailbox.flags[uid] for uid in (1, 2))
    assert mailbox.commands[-1] == "LOGOUT"

    assert poll_once(config) == []  # nothing unread is left
    assert Comment.objects.count() == 1 and Ticket.objects.count() == 2


def test_a_message_that_fails_stays_unread_and_is_taken_at_the_next_poll(settings, imap_server, customer, ticket):
    settings.TESSERA_EMAIL_TICKET_CATEGORY = "No such category"
    mailbox = Mailbox([new_ticket_bytes(customer, "Label printer"), reply_bytes(ticket, customer, "Thanks!")])
    config = imap_server(mailbox)

    first = poll_once(config)

    assert first[0] is None and first[1].outcome == TicketMailOutcome.COMMENT_ADDED
    assert mailbox.flags[1] == set() and "\\Seen" in mailbox.flags[2]
    assert not Ticket.objects.filter(title="Label printer").exists()

    settings.TESSERA_EMAIL_TICKET_CATEGORY = ""
    [second] = poll_once(config)
    assert second.outcome == TicketMailOutcome.TICKET_CREATED
    assert Ticket.objects.filter(title="Label printer").count() == 1
    assert Comment.objects.count() == 1


def test_processed_mail_is_moved_when_a_folder_is_configured(imap_server, customer, ticket):
    mailbox = Mailbox([reply_bytes(ticket, customer, "Moved after reading.")], capabilities=("IMAP4rev1", "MOVE"))

    poll_once(imap_server(mailbox, processed_folder="Processed mail"))

    assert mailbox.moved == {1: "Processed mail"}
    assert Comment.objects.get().body == "Moved after reading."


def test_wrong_credentials_read_nothing(imap_server, customer, ticket):
    mailbox = Mailbox([reply_bytes(ticket, customer, "Hello")])
    config = imap_server(mailbox)
    wrong = ImapConfig(host=config.host, port=config.port, username="support", password="guess", security="none")

    with pytest.raises(Exception, match="Invalid credentials"):
        poll_once(wrong)

    assert mailbox.flags[1] == set()
    assert not Comment.objects.exists()


def test_the_command_polls_once_from_the_configured_url(settings, imap_server, customer, ticket):
    mailbox = Mailbox([reply_bytes(ticket, customer, "Via the command."), new_ticket_bytes(customer, "Fax")])
    config = imap_server(mailbox)
    settings.TESSERA_IMAP_URL = f"imap://support:s3cret%20pass@{config.host}:{config.port}/INBOX"

    from io import StringIO

    out = StringIO()
    call_command("poll_imap", "--once", stdout=out)

    assert "2 message(s) read, 0 left for the next poll." in out.getvalue()
    assert Comment.objects.get().body == "Via the command."


def test_the_command_refuses_to_run_without_a_mailbox(settings):
    settings.TESSERA_IMAP_URL = ""
    with pytest.raises(CommandError, match="TESSERA_IMAP_URL is not set"):
        call_command("poll_imap", "--once")
    settings.TESSERA_IMAP_URL = "http://example.test/"
    with pytest.raises(CommandError, match="imaps://user:password@host/INBOX"):
        call_command("poll_imap", "--once")


def test_imap_urls():
    config = parse_imap_url("imaps://help%40tessera.example:p%40ss@imap.example.com/Support%20mail")
    assert (config.host, config.port, config.security) == ("imap.example.com", 993, "ssl")
    assert (config.username, config.password, config.folder) == ("help@tessera.example", "p@ss", "Support mail")
    assert "p@ss" not in repr(config)
    starttls = parse_imap_url("imap+starttls://u:p@mail.example.com:1143")
    assert (starttls.port, starttls.security, starttls.folder) == (1143, "starttls", "INBOX")
    assert parse_imap_url("imap://u:p@localhost/").port == 143
