"""Inbound e-mail: reading received mail, whatever it is for.

- ``message``: the mail as received (headers as sent, sender, recipients, Message-ID);
- ``loops``: our own addresses, and mail written by machines (RFC 3834), never answered;
- ``text``: the text to keep (HTML as text, quoted history and signature cut off);
- ``attachments``: the files it brings, within limits, with a note for each one left out;
- ``replies``: polite automatic answers, at most one per sender and hour;
- ``receive``: the one entry point, ``process_inbound_message``, and the registered handler
  that decides what a mail means (``tessera.tickets.inbound_mail``).

This package knows nothing of tickets.
"""

from .loops import is_inbound_address
from .message import InboundMail, parse_message
from .receive import InboundHandler, InboundResult, Outcome, process_inbound_message, register_handler

__all__ = [
    "InboundHandler",
    "InboundMail",
    "InboundResult",
    "Outcome",
    "is_inbound_address",
    "parse_message",
    "process_inbound_message",
    "register_handler",
]
