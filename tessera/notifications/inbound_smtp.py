"""The SMTP receiver: a small aiosmtpd server the mail server relays support mail to.

It accepts mail only for the support address and reply addresses (it is no
relay), records the envelope as an MTA would (``Return-Path``,
``Delivered-To``) and hands each message to ``process_inbound_message`` in a
worker thread, since the Django ORM must not run in the event loop. When
processing fails unexpectedly, or the storage cannot keep an attachment, it
answers with a temporary error, so the sending server keeps the message and
tries again later.
"""

import asyncio
import logging

from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connections

from .inbound import InboundResult, Outcome, is_inbound_address, process_inbound_message

logger = logging.getLogger(__name__)

TEMPORARY_FAILURE = "451 4.3.0 Temporary failure, please try again later"


def _header_safe(value: str) -> str:
    return "".join(ch for ch in value if ch not in "\r\n")


def with_envelope(content: bytes, *, mail_from: str, rcpt_tos: list[str]) -> bytes:
    """The message as delivered to a mailbox: envelope sender and recipients prepended as headers."""
    lines = [f"Return-Path: <{_header_safe(mail_from or '')}>"]
    lines += [f"Delivered-To: {_header_safe(rcpt)}" for rcpt in rcpt_tos]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8") + content


def process_in_thread(raw: bytes) -> InboundResult:
    # Worker threads come and go with the event loop's executor: each message opens its own
    # database connection and closes it, so none is left behind when a thread ends.
    try:
        return process_inbound_message(raw)
    finally:
        connections.close_all()


class InboundMailHandler:
    """aiosmtpd handler: the hooks are called by the server for each SMTP command."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if not is_inbound_address(address):
            return "550 5.1.1 Recipient not accepted here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = with_envelope(envelope.original_content or envelope.content, mail_from=envelope.mail_from,
                            rcpt_tos=envelope.rcpt_tos)
        try:
            result = await asyncio.to_thread(process_in_thread, raw)
        except Exception:
            logger.exception("Inbound mail from %s could not be processed; the sender will retry", envelope.mail_from)
            return TEMPORARY_FAILURE
        logger.info("Inbound mail %s: %s %s", result.message_id, result.outcome, result.reason)
        if result.outcome == Outcome.TEMPORARY_FAILURE:
            return TEMPORARY_FAILURE  # nothing was kept: the sending server delivers the mail again later
        return "250 2.0.0 Message accepted"


def build_controller(*, host: str | None = None, port: int | None = None) -> Controller:
    """An aiosmtpd controller (not yet started) serving the inbound handler."""
    return Controller(
        InboundMailHandler(),
        hostname=host or settings.TESSERA_INBOUND_SMTP_HOST,
        port=port or settings.TESSERA_INBOUND_SMTP_PORT,
        data_size_limit=settings.TESSERA_INBOUND_MAX_BYTES,
        enable_SMTPUTF8=True,
        ident="Tessera inbound mail",
    )
