"""Mail for tickets: replies to notifications become comments, mail to the support address opens a ticket.

``tessera.notifications.inbound`` reads every received mail and drops loops
and automatic mail; it hands each other mail to ``TicketMailHandler``
(registered in ``apps.py``), which decides, in this order:

1. a recipient that is a genuine reply address (``reply_tokens``) makes the
   mail a comment by the user the address names, if the mail comes from that
   user's address and the user may still comment on the ticket;
2. a recipient that looks like a reply address but is not genuine is refused;
3. a recipient that is the support address: a mail that answers a ticket
   (``In-Reply-To``/``References`` name the ticket's thread, or the subject
   carries ``[#0800000266]``) becomes a comment when the receiving mail server
   vouches for the sender (``dmarc=pass``, see ``notifications.inbound.authenticity``)
   and the sender may comment on the ticket. Anything else opens a ticket for a
   known, active user who may create tickets (noting the ticket it answered, if
   the sender may see it); anyone else is told how to register. Without a reply
   address or a vouched-for sender, no mail ever becomes a comment: a From
   header is easily forged.

An agent's e-mailed reply becomes an internal note, never a public answer: an
agent writes to the customer from the desk, where they see what the customer
will read (DESIGN.md, "E-mail").

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
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from tessera.accounts.models import User
from tessera.core.limits import TEXT_MAX_LENGTH, TITLE_MAX_LENGTH
from tessera.core.operations import operation
from tessera.notifications.emails import mail_domain
from tessera.notifications.inbound import InboundMail, InboundResult, Outcome
from tessera.notifications.inbound.attachments import collect_attachments
from tessera.notifications.inbound.authenticity import sender_authenticated
from tessera.notifications.inbound.loops import is_reply_style, support_address
from tessera.notifications.inbound.replies import language_of, send_reply
from tessera.notifications.inbound.text import body_parts, strip_quoted_text
from tessera.notifications.reply_tokens import parse_reply_address

from . import links, services
from .models import Category, Comment, ServiceTeam, Source, Ticket
from .policies import ticket_policy
from .uploads import validate_upload

logger = logging.getLogger(__name__)

#: Longest text kept from one mail: as much as a comment or a description may hold.
MAX_TEXT_LENGTH = TEXT_MAX_LENGTH
FULL_TEXT_NAME = "full-text.txt"


class TicketMailOutcome(enum.StrEnum):
    """What a mail did to a ticket (the other outcomes are ``notifications.inbound.Outcome``)."""

    COMMENT_ADDED = "comment_added"
    TICKET_CREATED = "ticket_created"


@dataclass
class TicketMailResult(InboundResult):
    ticket: Ticket | None = None
    comment: Comment | None = None


class TicketMailHandler:
    """What received mail means for tickets; registered with ``notifications.inbound`` in ``apps.py``."""

    def handle(self, mail: InboundMail) -> InboundResult:
        reply_style = False
        for address in mail.recipients:
            token = parse_reply_address(address)
            if token is not None:
                return _process_reply(mail, *token)
            reply_style = reply_style or is_reply_style(address)
        if reply_style:
            # A reply address whose token is not genuine: forged, mangled or from another installation.
            result = TicketMailResult(Outcome.REJECTED, "reply address not genuine", mail.message_id)
            return _reply_not_accepted(mail, result, language_of(mail))
        if support_address() in mail.recipients:
            answered = _answered_ticket(mail)
            sender = _known_sender(mail)
            if answered is not None and sender is not None and sender_authenticated(mail) is True:
                return _process_reply(mail, answered.pk, sender.pk)
            return _process_new_ticket(mail, answered=answered)
        return TicketMailResult(Outcome.IGNORED, "not addressed to the support address", mail.message_id)

    def is_own_address(self, address: str) -> bool:
        """A service team's shared address: notifications are sent to it, so mail from it may be a loop."""
        return ServiceTeam.objects.filter(email__iexact=address).exists()


# Polite replies ------------------------------------------------------------------------------------


def _reply(mail: InboundMail, name: str, *, language: str, context: dict[str, Any] | None = None) -> bool:
    return send_reply(mail, name, language=language, context={"login_url": links.login_url(), **(context or {})})


def _attachments(mail: InboundMail, body_part: object) -> tuple[list, list[str]]:
    return collect_attachments(
        mail.message, body_part, limit=settings.TESSERA_ATTACHMENTS_PER_MESSAGE, validate=validate_upload
    )


def _with_notes(text: str, notes: list[str], attachments: list) -> str:
    """The text to keep, with a line for each file left out. A text longer than a comment may be is cut,
    and the whole of it is kept as an attachment (``full-text.txt``), so nothing the sender wrote is lost."""
    text = text.strip()
    if len(text) > MAX_TEXT_LENGTH:
        attachments.append(SimpleUploadedFile(FULL_TEXT_NAME, text.encode(), content_type="text/plain"))
        limit = number_format(MAX_TEXT_LENGTH, force_grouping=True)
        notes = [*notes, _("[The e-mail's text was longer than %(limit)s characters: it is cut here. The whole text"
                           " is attached as %(name)s.]") % {"limit": limit, "name": FULL_TEXT_NAME}]
        room = MAX_TEXT_LENGTH - len("\n\n") - len("\n".join(notes))
        text = text[:room].rstrip()
    return "\n\n".join(part for part in [text, "\n".join(notes)] if part)


def _reply_not_accepted(mail: InboundMail, result: TicketMailResult, language: str) -> TicketMailResult:
    """The generic answer when a reply may not act on a ticket: it names none."""
    result.replied = _reply(mail, "not_accepted", language=language)
    return result


def _temporary_failure(mail: InboundMail, ticket: Ticket | None = None) -> TicketMailResult:
    """The storage failed: the transaction was rolled back and the files removed, so the mail may come again.

    No reply: the sender's server keeps the mail (SMTP 451) or it stays unread (IMAP), and nothing went wrong
    that the sender could fix.
    """
    logger.warning("Inbound mail %s not processed: an attachment could not be stored; it is tried again later",
                   mail.message_id)
    return TicketMailResult(Outcome.TEMPORARY_FAILURE, "storage unavailable", mail.message_id, ticket=ticket)


# Replies to notifications ----------------------------------------------------------------------------


_SUBJECT_TAG = re.compile(r"\[#(\d{4,20})\]")


def _answered_ticket(mail: InboundMail) -> Ticket | None:
    """The ticket a mail to the support address answers, by its thread headers or its subject tag."""
    # Every notification answers its ticket's thread (``notifications.thread_reference``).
    reference = re.compile(rf"<ticket-(\d+)@{re.escape(mail_domain())}>", re.IGNORECASE)
    for header in ("In-Reply-To", "References"):
        match = reference.search(mail.header(header))
        if match:
            return Ticket.objects.filter(pk=int(match.group(1))).first()
    tag = _SUBJECT_TAG.search(mail.subject)
    return Ticket.objects.filter(number=tag.group(1)).first() if tag else None


def _known_sender(mail: InboundMail) -> User | None:
    return User.objects.filter(email__iexact=mail.sender).first() if mail.sender else None


def _follow_merges(ticket: Ticket, user: User) -> Ticket:
    """The ticket a merged (closed) ticket went into, where the conversation goes on, if the user may see it."""
    visited = {ticket.pk}
    while ticket.merged_into_id and ticket.merged_into_id not in visited:
        target = Ticket.objects.filter(pk=ticket.merged_into_id).first()
        if target is None or not ticket_policy.can_view(user, target):
            break
        visited.add(target.pk)
        ticket = target
    return ticket


def _process_reply(mail: InboundMail, ticket_id: int, user_id: int) -> TicketMailResult:
    if Comment.objects.filter(email_message_id=mail.message_id).exists():
        return TicketMailResult(Outcome.DUPLICATE, "already added", mail.message_id)
    user = User.objects.filter(pk=user_id).first()
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
        result = TicketMailResult(Outcome.REJECTED, "not allowed", mail.message_id)
        return _reply_not_accepted(mail, result, language_of(mail))
    ticket = _follow_merges(ticket, user)

    ticket_url = links.ticket_url(ticket, for_staff=False)
    context = {
        "recipient": user,
        "ticket": ticket,
        "ticket_url": ticket_url,
        "portal_url": ticket_url,
        "follow_up_url": links.ticket_create_url(follow_up_of=ticket),
    }

    def refuse(reason: str, template: str, reasons: Sequence[str] = ()) -> TicketMailResult:
        # The sender is the user the address was made for and may see the ticket: it can be named.
        result = TicketMailResult(Outcome.REJECTED, reason, mail.message_id, ticket=ticket)
        result.replied = _reply(mail, template, language=user.language, context={**context, "reasons": reasons})
        return result

    if not ticket_policy.can_comment(user, ticket):
        return refuse("ticket closed", "ticket_closed")
    with translation.override(user.language):
        body_part, text = body_parts(mail.message)
        attachments, notes = _attachments(mail, body_part)
        body = _with_notes(strip_quoted_text(text), notes, attachments)
        if not body and not attachments:
            return refuse("empty", "not_processed", [_("Your e-mail had no text of its own and no file.")])
        try:
            with operation():
                # Lock the ticket first: two deliveries of one mail cannot both pass the check below.
                Ticket.objects.select_for_update().filter(pk=ticket.pk).first()
                if Comment.objects.filter(email_message_id=mail.message_id).exists():
                    return TicketMailResult(Outcome.DUPLICATE, "already added", mail.message_id)
                comment = services.comment_add(
                    ticket=ticket, author=user, body=body, attachments=attachments, source=Source.EMAIL,
                    is_internal=user.is_staff,
                )
                Comment.objects.filter(pk=comment.pk).update(email_message_id=mail.message_id)
        except services.AttachmentNotStored:
            return _temporary_failure(mail, ticket=ticket)
        except PermissionDenied:
            return refuse("ticket closed", "ticket_closed")  # closed between the check above and the lock
        except ValidationError as error:
            return refuse("unusable", "not_processed", error.messages)
    comment.email_message_id = mail.message_id
    return TicketMailResult(
        TicketMailOutcome.COMMENT_ADDED, message_id=mail.message_id, ticket=ticket, comment=comment,
        skipped_attachments=notes,
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


def _answer_note(answered: Ticket | None, user: User) -> str:
    """A line for agents: the mail answered a ticket but was not added to it (named only if the user may see it)."""
    if answered is None or not ticket_policy.can_view(user, answered):
        return ""
    return _("This e-mail answered ticket %(number)s; it was not added there because its sender could not be"
             " verified.") % {"number": answered.number}


def _process_new_ticket(mail: InboundMail, answered: Ticket | None = None) -> TicketMailResult:
    if Ticket.objects.filter(email_message_id=mail.message_id).exists():
        return TicketMailResult(Outcome.DUPLICATE, "already opened", mail.message_id)
    user = User.objects.filter(email__iexact=mail.sender).select_related("membership").first()
    if user is None or not user.is_active or user.is_staff or not ticket_policy.can_create(user):
        # Unknown, not yet activated, not linked, or staff: one answer for all, so the reply does
        # not tell whether the address has an account.
        result = TicketMailResult(Outcome.REJECTED, "sender may not open tickets", mail.message_id)
        result.replied = _reply(
            mail, "registration_required", language=language_of(mail),
            context={"register_url": links.register_url()},
        )
        return result
    category = default_email_category()
    language = user.language
    with translation.override(language):
        body_part, text = body_parts(mail.message)
        attachments, notes = _attachments(mail, body_part)
        if not mail.subject.strip() and not text.strip() and not attachments:
            result = TicketMailResult(Outcome.REJECTED, "empty", mail.message_id)
            result.replied = _reply(
                mail, "not_processed", language=language,
                context={"recipient": user, "portal_url": links.ticket_create_url(),
                         "reasons": [_("Your e-mail had no subject, no text and no file.")]},
            )
            return result
        # A new ticket keeps the whole text: a forwarded history is what the ticket is about.
        description = _with_notes(text, [note for note in [*notes, _answer_note(answered, user)] if note], attachments)
        try:
            with operation():
                # One sender's mails are taken one at a time: a redelivery cannot slip past the check.
                User.objects.select_for_update().filter(pk=user.pk).first()
                if Ticket.objects.filter(email_message_id=mail.message_id).exists():
                    return TicketMailResult(Outcome.DUPLICATE, "already opened", mail.message_id)
                ticket = services.ticket_create(
                    author=user, title=_title_of(mail.subject), category=category, description=description,
                    attachments=attachments, source=Source.EMAIL,
                )
                Ticket.objects.filter(pk=ticket.pk).update(email_message_id=mail.message_id)
        except services.AttachmentNotStored:
            return _temporary_failure(mail)
        except (ValidationError, PermissionDenied) as error:
            reasons = error.messages if isinstance(error, ValidationError) else [str(error)]
            result = TicketMailResult(Outcome.REJECTED, "unusable", mail.message_id)
            result.replied = _reply(
                mail, "not_processed", language=language,
                context={
                    "recipient": user, "reasons": reasons,
                    "portal_url": links.ticket_create_url(),
                },
            )
            return result
    ticket.email_message_id = mail.message_id
    return TicketMailResult(
        TicketMailOutcome.TICKET_CREATED, message_id=mail.message_id, ticket=ticket, skipped_attachments=notes
    )

