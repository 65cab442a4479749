"""notifications reads received mail for whichever handler is registered; it knows nothing of tickets."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from tessera.notifications.inbound import InboundMail, InboundResult, Outcome, process_inbound_message, receive
from tessera.tickets.inbound_mail import TicketMailHandler

from ..factories import email_message

SUPPORT = "support@tessera.example"


class Recorder:
    """A handler that keeps what it is handed; mail from ``robot@partner.test`` is one of its own."""

    def __init__(self):
        self.handled: list[InboundMail] = []

    def handle(self, mail: InboundMail) -> InboundResult:
        self.handled.append(mail)
        return InboundResult("recorded", message_id=mail.message_id)

    def is_own_address(self, address: str) -> bool:
        return address == "robot@partner.test"


@pytest.fixture
def recorder(monkeypatch):
    handler = Recorder()
    monkeypatch.setattr(receive, "_handler", handler)
    return handler


def test_tickets_register_their_handler_when_the_apps_are_ready():
    assert isinstance(receive._handler, TicketMailHandler)


def test_a_mail_a_person_wrote_goes_to_the_handler_as_read(recorder):
    message = email_message(sender="Anna <Anna@Clinic.test>", to=SUPPORT, subject="=?utf-8?q?Gr=C3=BC=C3=9Fe?=")
    result = process_inbound_message(message.as_bytes())
    assert result.outcome == "recorded"
    [mail] = recorder.handled
    assert (mail.sender, mail.recipients, mail.subject) == ("anna@clinic.test", [SUPPORT], "Grüße")
    assert result.message_id == mail.message_id == message["Message-ID"]


@pytest.mark.parametrize(
    ("sender", "headers"),
    [
        ("anna@clinic.test", {"Auto-Submitted": "auto-replied"}),
        ("anna@clinic.test", {"Precedence": "bulk"}),
        ("robot@partner.test", {}),  # the handler's own address: a loop
        (SUPPORT, {}),  # our own support address
    ],
)
def test_automatic_mail_and_loops_never_reach_the_handler(recorder, sender, headers):
    message = email_message(sender=sender, to=SUPPORT, headers=headers)
    result = process_inbound_message(message.as_bytes())
    assert result.outcome == Outcome.DROPPED
    assert recorder.handled == []


def test_without_a_handler_the_mail_is_not_lost_but_refused_for_now(monkeypatch):
    monkeypatch.setattr(receive, "_handler", None)
    with pytest.raises(ImproperlyConfigured):  # both receivers keep such a mail and try again
        process_inbound_message(email_message(sender="anna@clinic.test", to=SUPPORT).as_bytes())
