"""Reading a received mail: its headers as sent, its sender and recipients, its Message-ID."""

import hashlib
import re
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import getaddresses


@dataclass
class InboundMail:
    message: EmailMessage
    message_id: str
    sender: str  # the From address, lower case; "" when there is none
    recipients: list[str]  # To, Cc and Delivered-To addresses, lower case
    subject: str

    def header(self, name: str) -> str:
        return _raw_header(self.message, name)

    def has_header(self, name: str) -> bool:
        return any(key.lower() == name.lower() for key, _value in self.message.raw_items())


def _raw_header(message: EmailMessage, name: str) -> str:
    """The first header ``name``, unfolded, exactly as sent (no parsing that could fail on junk)."""
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            return " ".join(str(value).split())
    return ""


def _raw_headers(message: EmailMessage, name: str) -> list[str]:
    return [" ".join(str(value).split()) for key, value in message.raw_items() if key.lower() == name.lower()]


def _decoded(value: str) -> str:
    """An RFC 2047 header value as text."""
    try:
        return " ".join(str(make_header(decode_header(value))).split())
    except (LookupError, UnicodeError, ValueError):
        return value


def _message_id(message: EmailMessage, raw: bytes) -> str:
    value = _raw_header(message, "Message-ID")
    match = re.search(r"<[^<>\s]+>", value)
    if match:
        value = match.group(0)
    if not value.strip():
        # No Message-ID: the same bytes delivered twice still count as one mail.
        value = f"<{hashlib.sha256(raw).hexdigest()}@inbound.tessera.invalid>"
    return value.strip()[:255]


def parse_message(raw: bytes) -> InboundMail:
    message = message_from_bytes(raw, policy=policy.default)
    senders = [address.lower() for _name, address in getaddresses(_raw_headers(message, "From")) if "@" in address]
    recipients = [
        address.strip().lower()
        for header in ("To", "Cc", "Delivered-To", "X-Original-To")
        for _name, address in getaddresses(_raw_headers(message, header))
        if "@" in address
    ]
    return InboundMail(
        message=message,
        message_id=_message_id(message, raw),
        sender=senders[0] if len(senders) == 1 else "",
        recipients=list(dict.fromkeys(recipients)),
        subject=_decoded(_raw_header(message, "Subject")),
    )
