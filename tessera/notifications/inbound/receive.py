"""The one entry point for received mail, and the handler that acts on it.

Both receivers (``inbound_smtp`` and ``manage.py poll_imap``) hand each raw
message to :func:`process_inbound_message`. It reads the message, drops mail
written by machines and loops without a word, and hands every other mail to
the registered handler, which decides what the mail means (for Tessera:
``tessera.tickets.inbound_mail`` turns replies into comments and mail to the
support address into tickets).

The handler is registered by the app that owns it, from its
``AppConfig.ready()``, rather than named in a setting: so the dependency
points from that app down to this one (and the import contract sees it), this
app never names a module above it, and no setting can point mail at the wrong
code. Without a handler no mail is lost: processing fails, so the SMTP
receiver answers with a temporary error and the IMAP poller leaves the mail
unread, both to be tried again.
"""

import enum
import logging
from dataclasses import dataclass, field
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured

from tessera.core.observability.metrics import count_inbound_mail

from .loops import automatic_reason
from .message import InboundMail, parse_message

logger = logging.getLogger(__name__)


class Outcome(enum.StrEnum):
    """What became of a received mail, for every handler; a handler names what it made of a mail it acted on
    (e.g. ``comment_added``) with its own value."""

    DUPLICATE = "duplicate"  # this Message-ID was processed before
    DROPPED = "dropped"  # automatic mail, loops, unreadable mail: no reply
    REJECTED = "rejected"  # not allowed or not usable: nothing changed, perhaps a polite reply
    IGNORED = "ignored"  # not addressed to any address the handler reads
    #: Nothing could be kept now (e.g. the storage failed): nothing changed, no reply; deliver the mail again later.
    TEMPORARY_FAILURE = "temporary_failure"


@dataclass
class InboundResult:
    outcome: str  # an ``Outcome``, or the handler's own name for what it did
    reason: str = ""
    message_id: str = ""
    replied: bool = False
    #: Attachments left out, as "(attachment x was not accepted: reason)" notes.
    skipped_attachments: list[str] = field(default_factory=list)


class InboundHandler(Protocol):
    def handle(self, mail: InboundMail) -> InboundResult:
        """Act on a mail a person wrote (not a loop, not automatic); it may raise to have it tried again."""
        ...

    def is_own_address(self, address: str) -> bool:
        """Whether ``address`` is one of ours besides the configured ones: mail from it is a loop."""
        ...


_handler: InboundHandler | None = None


def register_handler(handler: InboundHandler) -> None:
    """Make ``handler`` the one that acts on received mail (called from an ``AppConfig.ready()``)."""
    global _handler
    _handler = handler


def process_inbound_message(raw_bytes: bytes) -> InboundResult:
    """Read one received mail, drop it if a machine wrote it, else hand it to the handler; count the outcome."""
    try:
        result = _process(raw_bytes)
    except Exception:
        count_inbound_mail(Outcome.TEMPORARY_FAILURE)  # the receivers have it delivered again
        raise
    count_inbound_mail(result.outcome)
    return result


def _process(raw_bytes: bytes) -> InboundResult:
    handler = _handler
    if handler is None:
        raise ImproperlyConfigured("No handler for inbound mail is registered.")
    try:
        mail = parse_message(raw_bytes)
    except Exception:  # a mail nobody can read is dropped, not retried forever
        logger.warning("Inbound mail dropped: it could not be parsed", exc_info=True)
        return InboundResult(Outcome.DROPPED, "unreadable")
    reason = automatic_reason(mail, is_own_address=handler.is_own_address)
    if reason:
        logger.info("Inbound mail %s dropped: %s", mail.message_id, reason)
        return InboundResult(Outcome.DROPPED, reason, mail.message_id)
    return handler.handle(mail)
