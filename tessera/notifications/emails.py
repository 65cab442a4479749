"""Compose e-mail in the recipient's language and hand it to the durable task queue.

A message named ``name`` has three templates under ``templates/emails/``:
``name.subject.txt`` (one line), ``name.txt`` and ``name.html``. Everything is
rendered here, and stored as an ``OutgoingEmail`` in the current transaction;
the task worker sends it once that transaction has committed (``tasks.py``).
"""

import uuid
import zoneinfo
from email.utils import make_msgid, parseaddr
from urllib.parse import urljoin

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from tessera.branding.selectors import current_branding
from tessera.core.observability.request_id import HEADER as REQUEST_ID_HEADER
from tessera.core.observability.request_id import current_request_id

from .models import OutgoingEmail
from .tasks import deliver_email, enqueue_after_commit

#: Every message is written by a machine: mail systems send no out-of-office answers to it (RFC 3834, Exchange).
AUTOMATIC_HEADERS = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}


def absolute_url(path: str) -> str:
    return urljoin(settings.SITE_URL, path)


def mail_domain() -> str:
    """The domain of the sender address, for Message-IDs and thread references."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"


def _one_line(text: str) -> str:
    # Subjects never carry line breaks: no header can be smuggled in.
    return " ".join(text.split())


def _zone(name: str):
    """The time zone called ``name``; the portal's own for an empty or unknown name."""
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def render_email(name: str, context: dict, *, language: str, time_zone: str = "") -> tuple[str, str, str]:
    """Return (subject, text, html) of message ``name`` rendered in ``language`` (and dates in ``time_zone``)."""
    context = {"site_url": settings.SITE_URL, "branding": current_branding(), **context}
    with translation.override(language), timezone.override(_zone(time_zone)):
        subject = _one_line(render_to_string(f"emails/{name}.subject.txt", context))
        text = render_to_string(f"emails/{name}.txt", context)
        html: str
        try:
            html = render_to_string(f"emails/{name}.html", context)
        except TemplateDoesNotExist:
            html = ""
    return subject, text, html


def queue_email(
    *,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    reply_to: str = "",
    headers: dict | None = None,
    template: str = "",
    language: str = "",
    idempotency_key: str = "",
) -> OutgoingEmail | None:
    """Store one message and queue its delivery for after the commit; None if ``idempotency_key`` was queued before."""
    all_headers = {**AUTOMATIC_HEADERS, "Message-ID": make_msgid(domain=mail_domain()), **(headers or {})}
    if request_id := current_request_id():
        # The request that caused the message: support finds its log lines by it (docs/deploy.md, "Logs").
        all_headers.setdefault(REQUEST_ID_HEADER, request_id)
    try:
        with transaction.atomic():  # a savepoint: a duplicate key leaves the caller's transaction usable
            email = OutgoingEmail.objects.create(
                idempotency_key=idempotency_key or f"uuid:{uuid.uuid4().hex}",
                template=template, to=to, subject=subject, text=text, html=html, reply_to=reply_to,
                headers=all_headers, language=language,
            )
    except IntegrityError:
        return None
    enqueue_after_commit(deliver_email, email_id=email.pk)
    return email


def send_email(
    name: str,
    *,
    to: str,
    context: dict,
    language: str | None = None,
    reply_to: str = "",
    headers: dict | None = None,
    idempotency_key: str = "",
    time_zone: str = "",
) -> OutgoingEmail | None:
    """Queue message ``name`` to one address, sent by the task worker after the current transaction commits."""
    language = language or settings.LANGUAGE_CODE
    subject, text, html = render_email(name, context, language=language, time_zone=time_zone)
    return queue_email(
        to=to, subject=subject, text=text, html=html, reply_to=reply_to, headers=headers,
        template=name, language=language, idempotency_key=idempotency_key,
    )


def send_email_to_user(
    name: str, *, user, context: dict, reply_to: str = "", headers: dict | None = None, idempotency_key: str = ""
) -> OutgoingEmail | None:
    return send_email(
        name, to=user.email, context={"recipient": user, **context}, language=user.language, reply_to=reply_to,
        headers=headers, idempotency_key=idempotency_key, time_zone=user.time_zone,
    )
