"""Inbound e-mail: replies to notifications become comments, mail to the support address opens a ticket.

Both the SMTP receiver (``inbound_smtp``) and the IMAP poller (``poll_imap``)
hand each raw message to :func:`process_inbound_message`. It decides, in this
order:

1. loops and automatic mail (auto-replies, bounces, lists, our own mail) are
   dropped without a word;
2. a recipient that is a genuine reply address (``reply_tokens``) makes the
   mail a comment by the user the address names, if the mail comes from that
   user's address and the user may still comment on the ticket;
3. a recipient that is the support address opens a ticket for a known, active
   user who may create tickets; anyone else is told how to register.

A mail that may not act on a ticket changes nothing and learns nothing: at
most it gets a generic reply that names no ticket. A redelivered mail (same
Message-ID, kept on the comment or ticket it made) changes nothing twice.
Polite replies carry ``Auto-Submitted: auto-replied`` and go at most once
per received Message-ID and once per sender and hour.

A storage that cannot keep an attachment (disk full, object store down) is a
temporary failure, not a refusal: nothing is kept (no comment, no ticket, no
file, no Message-ID marked as processed), no reply is sent, and the result is
``TEMPORARY_FAILURE``. The SMTP receiver answers ``451 4.3.0`` and the IMAP
poller leaves the message unread, so the same mail is taken again later.
Unexpected errors (the database is down, no default category is configured)
propagate and are treated the same way by both: the mail is tried again, not lost.
"""

import enum
import hashlib
import logging
import mimetypes
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tessera.tickets import services
from tessera.tickets.models import Category, Comment, ServiceTeam, Source, Ticket
from tessera.tickets.policies import ticket_policy
from tessera.tickets.uploads import validate_upload

from .emails import absolute_url, send_email
from .models import OutgoingEmail
from .reply_tokens import parse_reply_address

logger = logging.getLogger(__name__)

#: Longest text kept from one mail: the portal's comment and description fields allow as much.
MAX_TEXT_LENGTH = 50_000
TITLE_MAX_LENGTH = 200
REPLY_INTERVAL_SECONDS = 60 * 60


class Outcome(enum.StrEnum):
    COMMENT_ADDED = "comment_added"
    TICKET_CREATED = "ticket_created"
    DUPLICATE = "duplicate"  # this Message-ID was processed before
    DROPPED = "dropped"  # automatic mail, loops, unreadable mail: no reply
    REJECTED = "rejected"  # not allowed or not usable: nothing changed, perhaps a polite reply
    IGNORED = "ignored"  # not addressed to the support or a reply address
    #: The storage could not keep an attachment: nothing changed, no reply; deliver the mail again later.
    TEMPORARY_FAILURE = "temporary_failure"


@dataclass
class InboundResult:
    outcome: Outcome
    reason: str = ""
    message_id: str = ""
    ticket: Ticket | None = None
    comment: Comment | None = None
    replied: bool = False
    #: Attachments left out, as "(attachment x was not accepted: reason)" notes.
    skipped_attachments: list[str] = field(default_factory=list)


# Reading the message -------------------------------------------------------------------------


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


# Our addresses -------------------------------------------------------------------------------


def _address_of(value: str) -> str:
    return parseaddr(value)[1].lower()


def _support_address() -> str:
    return _address_of(settings.TESSERA_SUPPORT_ADDRESS)


def _is_reply_style(address: str) -> bool:
    """A plus-address of the reply address, whether or not its token is genuine."""
    local, _sep, domain = address.lower().partition("@")
    base, _sep, domain_expected = _address_of(settings.TESSERA_REPLY_ADDRESS).partition("@")
    return domain == domain_expected and local.startswith(base + "+")


def is_inbound_address(address: str) -> bool:
    """Whether mail to ``address`` is ours to read: the support address or any reply address."""
    address = _address_of(address) or address.strip().lower()
    return address in {_support_address(), _address_of(settings.TESSERA_REPLY_ADDRESS)} or _is_reply_style(address)


def _is_our_own(address: str) -> bool:
    ours = {
        _support_address(),
        _address_of(settings.TESSERA_REPLY_ADDRESS),
        _address_of(settings.DEFAULT_FROM_EMAIL),
        _address_of(settings.SERVER_EMAIL),
    }
    if address in ours or _is_reply_style(address):
        return True
    return ServiceTeam.objects.filter(email__iexact=address).exists()


# Loops and automatic mail (RFC 3834) -------------------------------------------------------------

_BULK_PRECEDENCE = {"bulk", "junk", "list"}
_ROBOT_LOCAL_PARTS = {"mailer-daemon", "postmaster"}


def automatic_reason(mail: InboundMail) -> str:
    """Why the mail was sent by a machine and must get no answer; "" for mail written by a person."""
    message = mail.message
    auto_submitted = mail.header("Auto-Submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return "auto-submitted"
    if mail.has_header("X-Autoreply") or mail.has_header("X-Autorespond"):
        return "auto-reply"
    if mail.header("Precedence").strip().lower() in _BULK_PRECEDENCE:
        return "bulk precedence"
    if mail.has_header("List-Id"):
        return "mailing list"
    if message.get_content_type() == "multipart/report":
        return "delivery report"
    return_path = mail.header("Return-Path")
    if return_path and _address_of(return_path) == "" and "<>" in return_path.replace(" ", ""):
        return "null sender"
    if not mail.sender:
        return "no single sender"
    if mail.sender.partition("@")[0] in _ROBOT_LOCAL_PARTS or _address_of(return_path).partition("@")[0] in (
        _ROBOT_LOCAL_PARTS
    ):
        return "mailer daemon"
    if _is_our_own(mail.sender):
        return "our own address"
    return ""


# The text of a mail ----------------------------------------------------------------------------


class _HTMLToText(HTMLParser):
    """Plain text of an HTML mail; text inside <blockquote> comes out quoted with "> "."""

    BREAKS = {
        "br", "p", "div", "li", "tr", "table", "ul", "ol", "hr", "pre", "blockquote", "section", "article",
        "header", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd",
    }
    HIDDEN = {"script", "style", "head", "title", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.current_depth = 0
        self.quote_depth = 0
        self.hidden_depth = 0
        self.pre_depth = 0

    def _break(self):
        text = "".join(self.current).strip()
        if text:
            self.lines.append("> " * self.current_depth + text)
        elif self.lines and self.lines[-1]:
            self.lines.append("")
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden_depth += 1
        elif tag in self.BREAKS:
            self._break()
        if tag == "blockquote":
            self.quote_depth += 1
        elif tag == "pre":
            self.pre_depth += 1
        elif tag == "hr":
            self.lines.append("________________________________")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in {"br", "hr"}:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden_depth = max(0, self.hidden_depth - 1)
        elif tag in self.BREAKS:
            self._break()
        if tag == "blockquote":
            self.quote_depth = max(0, self.quote_depth - 1)
        elif tag == "pre":
            self.pre_depth = max(0, self.pre_depth - 1)

    def handle_data(self, data):
        if self.hidden_depth:
            return
        if not self.current:
            self.current_depth = self.quote_depth
        if self.pre_depth:
            pieces = data.split("\n")
            self.current.append(pieces[0])
            for piece in pieces[1:]:
                self._break()
                self.current_depth = self.quote_depth
                self.current.append(piece)
        else:
            self.current.append(re.sub(r"\s+", " ", data))

    def text(self) -> str:
        self._break()
        return "\n".join(self.lines).strip()


def html_to_text(html: str) -> str:
    parser = _HTMLToText()
    parser.feed(html)
    parser.close()
    return parser.text()


def _part_text(part) -> str:
    try:
        text = part.get_content()
    except (LookupError, UnicodeError, AssertionError, KeyError):
        payload = part.get_payload(decode=True) or b""
        text = payload.decode("utf-8", errors="replace")
    if not isinstance(text, str):
        return ""
    return html_to_text(text) if part.get_content_subtype() == "html" else text


def body_parts(message: EmailMessage) -> tuple[object | None, str]:
    """The part the text is taken from (text/plain preferred, else HTML as text) and that text."""
    for preference in (("plain",), ("html",)):
        part = message.get_body(preferencelist=preference)
        if part is not None and not part.is_attachment():
            text = _part_text(part)
            if text.strip():
                return part, text.replace("\r\n", "\n").replace("\r", "\n")
    return None, ""


# Quoted history and signatures ----------------------------------------------------------------------

_ATTRIBUTION = re.compile(
    r"^(?:On\s.{1,300}\swrote:"  # Gmail, Apple Mail, Thunderbird
    r"|Am\s.{1,300}\sschrieb.{0,200}:"  # German clients
    r"|Il\s.{1,300}\sha scritto:"  # Italian clients ("Il giorno ... ha scritto:")
    r"|Le\s.{1,300}\sa écrit\s?:"  # French clients
    r")$",
    re.IGNORECASE,
)
_ORIGINAL_MESSAGE = re.compile(
    r"^-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Original-Nachricht|Messaggio originale|"
    r"Message d'origine)\s*-{2,}$",
    re.IGNORECASE,
)
# Outlook's quoted header block: "From: …" followed by "Sent: …", "To: …" and the like.
_HEADER_FROM = re.compile(r"^\*?(?:From|Von|Da|De)\s*:\*?\s*\S", re.IGNORECASE)
_HEADER_NEXT = re.compile(
    r"^\*?(?:Sent|Date|To|Cc|Subject|Gesendet|Datum|An|Betreff|Inviato|Data|A|Oggetto|Envoyé|Objet|À)\s*:",
    re.IGNORECASE,
)
_MOBILE_SIGNATURE = re.compile(
    r"^(?:Sent from my \S.*|Get Outlook for \S.*|Von meinem \S.* gesendet|Inviato da(?:l mio)? \S.*)$",
    re.IGNORECASE,
)


def _cut_index(lines: list[str]) -> int:
    """Where the quoted history or the signature begins (len(lines) if nowhere)."""
    for index, line in enumerate(lines):
        stripped = line.strip()
        if line.rstrip("\r") in {"-- ", "--"}:
            return index
        if _ORIGINAL_MESSAGE.match(stripped):
            return index
        if _HEADER_FROM.match(stripped):
            following = [candidate.strip() for candidate in lines[index + 1 : index + 5] if candidate.strip()]
            if following and _HEADER_NEXT.match(following[0]):
                return index
        if stripped and not stripped.startswith(">"):
            # An attribution line may be wrapped over up to three lines.
            for span in (1, 2, 3):
                joined = " ".join(part.strip() for part in lines[index : index + span])
                if _ATTRIBUTION.match(joined):
                    return index
    return len(lines)


def strip_quoted_text(text: str) -> str:
    """The new part of a reply: no quoted history, no signature."""
    lines = text.replace("\r\n", "\n").split("\n")
    lines = lines[: _cut_index(lines)]
    lines = [line.rstrip() for line in lines if not line.lstrip().startswith(">")]
    while lines and (not lines[-1].strip() or set(lines[-1].strip()) <= {"_", "-"}):
        lines.pop()
    if lines and _MOBILE_SIGNATURE.match(lines[-1].strip()):
        lines.pop()
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# Attachments -----------------------------------------------------------------------------------


def _leaf_parts(part):
    """Every non-container part; an attached message (message/rfc822) is one part, not opened up."""
    if part.get_content_type() == "message/rfc822":
        yield part
    elif part.is_multipart():
        for sub in part.iter_parts():
            yield from _leaf_parts(sub)
    else:
        yield part


def _attachment_of(part) -> SimpleUploadedFile | None:
    content_type = part.get_content_type()
    filename = part.get_filename()
    if content_type == "message/rfc822":
        inner = part.get_payload(0) if isinstance(part.get_payload(), list) else None
        data = inner.as_bytes() if inner is not None else b""
        return SimpleUploadedFile(filename or "message.eml", data, content_type=content_type)
    if not filename and not part.is_attachment() and part.get_content_maintype() in {"text", "multipart"}:
        return None  # an alternative rendering of the body, not a file
    data = part.get_payload(decode=True) or b""
    if not filename:
        filename = "attachment" + (mimetypes.guess_extension(content_type) or "")
    return SimpleUploadedFile(filename, data, content_type=content_type)


def collect_attachments(message: EmailMessage, body_part) -> tuple[list[SimpleUploadedFile], list[str]]:
    """The files under the attachment limits, and a note for each file left out."""
    accepted: list[SimpleUploadedFile] = []
    notes: list[str] = []
    for part in _leaf_parts(message):
        if part is body_part:
            continue
        try:
            upload = _attachment_of(part)
        except (LookupError, ValueError, TypeError):
            notes.append(_attachment_note(part.get_filename() or "attachment", _("it could not be read")))
            continue
        if upload is None:
            continue
        if len(accepted) >= settings.TESSERA_ATTACHMENTS_PER_MESSAGE:
            reason = _("at most %(count)d files can be attached to one message") % {
                "count": settings.TESSERA_ATTACHMENTS_PER_MESSAGE
            }
            notes.append(_attachment_note(upload.name, reason))
            continue
        try:
            validate_upload(upload)
        except ValidationError as error:
            notes.append(_attachment_note(upload.name, " ".join(error.messages)))
            continue
        accepted.append(upload)
    return accepted, notes


def _attachment_note(name: str, reason: str) -> str:
    return _("(attachment %(name)s was not accepted: %(reason)s)") % {"name": name, "reason": reason}


def _with_notes(text: str, notes: list[str]) -> str:
    text = text[:MAX_TEXT_LENGTH].strip()
    return "\n\n".join(part for part in [text, "\n".join(notes)] if part)


# Polite replies ------------------------------------------------------------------------------------


def _may_reply(mail: InboundMail) -> bool:
    """At most one polite reply per sender and hour: two robots cannot keep each other busy.

    Counted on the outgoing e-mails themselves, so every receiver process sees the same.
    """
    since = timezone.now() - timedelta(seconds=REPLY_INTERVAL_SECONDS)
    recent = OutgoingEmail.objects.filter(to=mail.sender, template__startswith="inbound_", created_at__gte=since)
    return not recent.exists()


def _language_of(mail: InboundMail, user=None) -> str:
    if user is not None and user.email.lower() == mail.sender:
        return user.language
    supported = {code for code, _name in settings.LANGUAGES}
    for header in ("Content-Language", "Accept-Language"):
        for value in mail.header(header).split(","):
            code = value.split(";")[0].strip().lower().split("-")[0]
            if code in supported:
                return code
    return settings.LANGUAGE_CODE


def _reply(mail: InboundMail, name: str, *, language: str, context: dict | None = None) -> bool:
    if not _may_reply(mail):
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
        context={
            "support_address": settings.TESSERA_SUPPORT_ADDRESS,
            "login_url": absolute_url(reverse("accounts:login")),
            **(context or {}),
        },
    )
    return queued is not None


def _reply_not_accepted(mail: InboundMail, result: InboundResult, language: str) -> InboundResult:
    """The generic answer when a reply may not act on a ticket: it names none."""
    result.replied = _reply(mail, "not_accepted", language=language)
    return result


def _temporary_failure(mail: InboundMail, ticket: Ticket | None = None) -> InboundResult:
    """The storage failed: the transaction was rolled back and the files removed, so the mail may come again.

    No reply: the sender's server keeps the mail (SMTP 451) or it stays unread (IMAP), and nothing went wrong
    that the sender could fix.
    """
    logger.warning("Inbound mail %s not processed: an attachment could not be stored; it is tried again later",
                   mail.message_id)
    return InboundResult(Outcome.TEMPORARY_FAILURE, "storage unavailable", mail.message_id, ticket=ticket)


# Replies to notifications ----------------------------------------------------------------------------


def _follow_merges(ticket: Ticket, user) -> Ticket:
    """The ticket a merged (closed) ticket went into, where the conversation goes on, if the user may see it."""
    visited = {ticket.pk}
    while ticket.merged_into_id and ticket.merged_into_id not in visited:
        target = Ticket.objects.filter(pk=ticket.merged_into_id).first()
        if target is None or not ticket_policy.can_view(user, target):
            break
        visited.add(target.pk)
        ticket = target
    return ticket


def _process_reply(mail: InboundMail, ticket_id: int, user_id: int) -> InboundResult:
    if Comment.objects.filter(email_message_id=mail.message_id).exists():
        return InboundResult(Outcome.DUPLICATE, "already added", mail.message_id)
    user = get_user_model().objects.filter(pk=user_id).first()
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if (
        user is None
        or ticket is None
        or not user.is_active
        or user.email.lower() != mail.sender
        or not ticket_policy.can_view(user, ticket)
    ):
        # Forged or stolen address, a spoofed or foreign sender, or a user who lost access:
        # the same answer in every case, so nothing can be learned from it.
        result = InboundResult(Outcome.REJECTED, "not allowed", mail.message_id)
        return _reply_not_accepted(mail, result, _language_of(mail))
    ticket = _follow_merges(ticket, user)

    ticket_url = absolute_url(reverse("portal:ticket_detail", args=[ticket.number]))
    context = {
        "recipient": user,
        "ticket": ticket,
        "ticket_url": ticket_url,
        "portal_url": ticket_url,
        "follow_up_url": absolute_url(reverse("portal:ticket_create")) + f"?follow_up={ticket.number}",
    }

    def refuse(reason: str, template: str, reasons: Sequence[str] = ()) -> InboundResult:
        # The sender is the user the address was made for and may see the ticket: it can be named.
        result = InboundResult(Outcome.REJECTED, reason, mail.message_id, ticket=ticket)
        result.replied = _reply(mail, template, language=user.language, context={**context, "reasons": reasons})
        return result

    if not ticket_policy.can_comment(user, ticket):
        return refuse("ticket closed", "ticket_closed")
    with translation.override(user.language):
        body_part, text = body_parts(mail.message)
        attachments, notes = collect_attachments(mail.message, body_part)
        body = _with_notes(strip_quoted_text(text), notes)
        if not body and not attachments:
            return refuse("empty", "not_processed", [_("Your e-mail had no text of its own and no file.")])
        try:
            with transaction.atomic():
                # Lock the ticket first: two deliveries of one mail cannot both pass the check below.
                Ticket.objects.select_for_update().filter(pk=ticket.pk).first()
                if Comment.objects.filter(email_message_id=mail.message_id).exists():
                    return InboundResult(Outcome.DUPLICATE, "already added", mail.message_id)
                comment = services.comment_add(
                    ticket=ticket, author=user, body=body, attachments=attachments, source=Source.EMAIL
                )
                Comment.objects.filter(pk=comment.pk).update(email_message_id=mail.message_id)
        except services.AttachmentNotStored:
            return _temporary_failure(mail, ticket=ticket)
        except PermissionDenied:
            return refuse("ticket closed", "ticket_closed")  # closed between the check above and the lock
        except ValidationError as error:
            return refuse("unusable", "not_processed", error.messages)
    comment.email_message_id = mail.message_id
    return InboundResult(
        Outcome.COMMENT_ADDED, message_id=mail.message_id, ticket=ticket, comment=comment, skipped_attachments=notes
    )


# New tickets by e-mail --------------------------------------------------------------------------------


def default_email_category() -> Category:
    """The category of tickets opened by e-mail: TESSERA_EMAIL_TICKET_CATEGORY, else the first active top level."""
    configured = str(settings.TESSERA_EMAIL_TICKET_CATEGORY or "").strip()
    if not configured:
        category = Category.objects.filter(parent__isnull=True, is_active=True).order_by("position", "name").first()
        if category is None:
            raise ImproperlyConfigured("No active category for tickets opened by e-mail.")
        return category
    if configured.isdigit():
        category = Category.objects.filter(pk=int(configured)).first()
    else:
        category = Category.objects.filter(parent__isnull=True, name__iexact=configured).first()
        if category is None:
            # A path of names: "Practice software / Invoicing" (or with › or >).
            category = None
            for position, name in enumerate(n for n in re.split(r"\s*[/›>]\s*", configured) if n):
                parent_filter = {"parent__isnull": True} if position == 0 else {"parent": category}
                category = Category.objects.filter(name__iexact=name, **parent_filter).first()
                if category is None:
                    break
    if category is None or not category.is_active:
        raise ImproperlyConfigured(
            f"TESSERA_EMAIL_TICKET_CATEGORY={configured!r} names no active category."
        )
    return category


def _title_of(subject: str) -> str:
    title = " ".join(subject.split())[:TITLE_MAX_LENGTH]
    return title or _("(no subject)")


def _process_new_ticket(mail: InboundMail) -> InboundResult:
    if Ticket.objects.filter(email_message_id=mail.message_id).exists():
        return InboundResult(Outcome.DUPLICATE, "already opened", mail.message_id)
    user_model = get_user_model()
    user = user_model.objects.filter(email__iexact=mail.sender).select_related("membership").first()
    if user is None or not user.is_active or user.is_staff or not ticket_policy.can_create(user):
        # Unknown, not yet activated, not linked, or staff: one answer for all, so the reply does
        # not tell whether the address has an account.
        result = InboundResult(Outcome.REJECTED, "sender may not open tickets", mail.message_id)
        result.replied = _reply(
            mail, "registration_required", language=_language_of(mail),
            context={"register_url": absolute_url(reverse("accounts:register"))},
        )
        return result
    category = default_email_category()
    language = user.language
    with translation.override(language):
        body_part, text = body_parts(mail.message)
        attachments, notes = collect_attachments(mail.message, body_part)
        # A new ticket keeps the whole text: a forwarded history is what the ticket is about.
        description = _with_notes(text, notes)
        try:
            with transaction.atomic():
                # One sender's mails are taken one at a time: a redelivery cannot slip past the check.
                user_model.objects.select_for_update().filter(pk=user.pk).first()
                if Ticket.objects.filter(email_message_id=mail.message_id).exists():
                    return InboundResult(Outcome.DUPLICATE, "already opened", mail.message_id)
                ticket = services.ticket_create(
                    author=user, title=_title_of(mail.subject), category=category, description=description,
                    attachments=attachments, source=Source.EMAIL,
                )
                Ticket.objects.filter(pk=ticket.pk).update(email_message_id=mail.message_id)
        except services.AttachmentNotStored:
            return _temporary_failure(mail)
        except (ValidationError, PermissionDenied) as error:
            reasons = error.messages if isinstance(error, ValidationError) else [str(error)]
            result = InboundResult(Outcome.REJECTED, "unusable", mail.message_id)
            result.replied = _reply(
                mail, "not_processed", language=language,
                context={
                    "recipient": user, "reasons": reasons,
                    "portal_url": absolute_url(reverse("portal:ticket_create")),
                },
            )
            return result
    ticket.email_message_id = mail.message_id
    return InboundResult(
        Outcome.TICKET_CREATED, message_id=mail.message_id, ticket=ticket, skipped_attachments=notes
    )


# The one entry point --------------------------------------------------------------------------------


def process_inbound_message(raw_bytes: bytes) -> InboundResult:
    """Turn one received mail into a comment or a ticket, or drop it; see the module's docstring."""
    try:
        mail = parse_message(raw_bytes)
    except Exception:  # a mail nobody can read is dropped, not retried forever
        logger.warning("Inbound mail dropped: it could not be parsed", exc_info=True)
        return InboundResult(Outcome.DROPPED, "unreadable")
    reason = automatic_reason(mail)
    if reason:
        logger.info("Inbound mail %s dropped: %s", mail.message_id, reason)
        return InboundResult(Outcome.DROPPED, reason, mail.message_id)
    reply_style = False
    for address in mail.recipients:
        token = parse_reply_address(address)
        if token is not None:
            return _process_reply(mail, *token)
        reply_style = reply_style or _is_reply_style(address)
    if reply_style:
        # A reply address whose token is not genuine: forged, mangled or from another installation.
        result = InboundResult(Outcome.REJECTED, "reply address not genuine", mail.message_id)
        return _reply_not_accepted(mail, result, _language_of(mail))
    if _support_address() in mail.recipients:
        return _process_new_ticket(mail)
    return InboundResult(Outcome.IGNORED, "not addressed to the support address", mail.message_id)
