"""Polite automatic answers to received mail (RFC 3834), at most one per sender and hour."""

import hashlib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from ..emails import send_email
from ..models import OutgoingEmail
from .authenticity import sender_authenticated
from .message import InboundMail

REPLY_INTERVAL_SECONDS = 60 * 60


def may_reply(mail: InboundMail) -> bool:
    """At most one polite reply per sender and hour: two robots cannot keep each other busy.

    Counted on the outgoing e-mails themselves, so every receiver process sees the same.
    A mail our receiving server found forged (DMARC did not pass) gets no answer at all: the
    answer would go to whoever the forger named (backscatter).
    """
    if sender_authenticated(mail) is False:
        return False
    since = timezone.now() - timedelta(seconds=REPLY_INTERVAL_SECONDS)
    recent = OutgoingEmail.objects.filter(to=mail.sender, template__startswith="inbound_", created_at__gte=since)
    return not recent.exists()


def language_of(mail: InboundMail) -> str:
    """The language the sender asks for (Content-Language, Accept-Language), else the site's."""
    supported = {code for code, _name in settings.LANGUAGES}
    for header in ("Content-Language", "Accept-Language"):
        for value in mail.header(header).split(","):
            code = value.split(";")[0].strip().lower().split("-")[0]
            if code in supported:
                return code
    return settings.LANGUAGE_CODE


def send_reply(mail: InboundMail, name: str, *, language: str, context: dict[str, Any] | None = None) -> bool:
    """Answer ``mail`` with message ``inbound_<name>``; whether an answer was queued (see ``may_reply``)."""
    if not may_reply(mail):
        return False
    headers = {"Auto-Submitted": "auto-replied"}  # RFC 3834: a well-behaved responder answers no answer
    if mail.header("Message-ID"):
        headers.update({"In-Reply-To": mail.message_id, "References": mail.message_id})
    queued = send_email(
        f"inbound_{name}",
        to=mail.sender,
        language=language,
        headers=headers,
        # One answer per received message, however often it is delivered.
        idempotency_key="inbound-reply:" + hashlib.sha256(mail.message_id.encode()).hexdigest(),
        context={"support_address": settings.TESSERA_SUPPORT_ADDRESS, **(context or {})},
    )
    return queued is not None
