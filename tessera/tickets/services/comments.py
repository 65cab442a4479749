"""Comments, internal notes and attachments."""

import logging
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from tessera.accounts.models import User
from tessera.core.limits import TEXT_MAX_LENGTH
from tessera.core.operations import delete_file_on_rollback, unit_of_work

from .. import events
from ..models import Attachment, Comment, Source, Ticket
from ..policies import ticket_policy
from ..rate_limits import check_customer_activity
from ..workflow import Action, Actor, Status
from ._common import apply_transition, check_upload, locked, stored_text, touch

logger = logging.getLogger(__name__)


class AttachmentNotStored(ValidationError):
    """The storage could not keep a file (disk full, object store down): nothing was saved; try again later."""


@unit_of_work
def attachment_add(
    *, ticket: Ticket, uploaded_by: User, upload: UploadedFile, comment: Comment | None = None
) -> Attachment:
    name, content_type = check_upload(upload)
    attachment = Attachment(
        ticket=ticket, comment=comment, uploaded_by=uploaded_by,
        original_name=name, size=upload.size or 0, content_type=content_type[:120],
    )
    try:
        attachment.file.save(name, upload, save=False)
    except OSError as error:
        logger.exception("Storing attachment %s of ticket %s failed", name, ticket.number)
        message = _("%(name)s could not be stored. Nothing was saved; please try again later.") % {"name": name}
        raise AttachmentNotStored({"attachments": message}) from error
    delete_file_on_rollback(attachment.file.storage, attachment.file.name or "")  # no file without its row
    attachment.save()
    events.attachment_added_event(ticket=ticket, actor=uploaded_by, attachment=attachment)
    return attachment


def attachments_add(
    *, ticket: Ticket, uploaded_by: User, uploads: Sequence[UploadedFile], comment: Comment | None = None
) -> None:
    """Store all files or none: when one fails, the files already written are removed again."""
    stored: list[Attachment] = []
    try:
        for upload in uploads:
            stored.append(attachment_add(ticket=ticket, uploaded_by=uploaded_by, upload=upload, comment=comment))
    except Exception:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise


#: A working day and a half: more on one reply is a typing error.
MAX_TIME_SPENT = 720


@unit_of_work
def comment_add(
    *,
    ticket: Ticket,
    author: User,
    body: str,
    is_internal: bool = False,
    attachments: Sequence[UploadedFile] = (),
    source: str = Source.PORTAL,
    time_spent: int | None = None,
    markdown: bool = False,
) -> Comment:
    """Add a public comment or (vendor staff only) an internal note; staff may say how many minutes it took.

    A customer's comment on a ticket waiting for them ("Customer action", or a
    provided solution they answer instead of accepting) hands it back to
    support as "Additional info".
    """
    ticket = locked(ticket)
    if is_internal and not ticket_policy.can_add_internal_note(author, ticket):
        raise PermissionDenied(_("Only support staff can add internal notes."))
    if not ticket_policy.can_view(author, ticket):
        raise PermissionDenied(_("You may not comment on this ticket."))
    if ticket.is_closed and not is_internal:
        # Support still keeps notes on a closed ticket; nobody talks to the customer on it any more.
        raise PermissionDenied(_("This ticket is closed; open a follow-up ticket instead."))
    check_customer_activity(user=author, organization=ticket.organization, field="body")
    body = stored_text(body, field="body", limit=TEXT_MAX_LENGTH).strip()
    if not body and not attachments:
        raise ValidationError({"body": _("Write a comment or attach a file.")})
    for upload in attachments:
        check_upload(upload)
    if time_spent is not None and not (author.is_staff and 0 < time_spent <= MAX_TIME_SPENT):
        raise ValidationError({"time_spent": _("Give the minutes spent as a whole number from 1 to %(max)d.")
                               % {"max": MAX_TIME_SPENT}})
    comment = Comment.objects.create(
        ticket=ticket, author=author, body=body, is_internal=is_internal, source=source, time_spent=time_spent,
        is_markdown=markdown and author.is_staff,
    )
    events.comment_added_event(ticket=ticket, actor=author, comment=comment)
    attachments_add(ticket=ticket, uploaded_by=author, uploads=attachments, comment=comment)
    if author.is_staff:
        if not is_internal and ticket.customer_updated_at is not None:
            ticket.customer_updated_at = None  # answered: no longer news for support
            touch(ticket, "customer_updated_at")
        else:
            touch(ticket)
    else:
        ticket.customer_updated_at = timezone.now()
        if ticket.status in (Status.CUSTOMER_ACTION, Status.SOLUTION_PROVIDED):
            ticket.save(update_fields=["customer_updated_at"])
            apply_transition(ticket, actor=Actor.SYSTEM, action=Action.CUSTOMER_REPLIED, user=author)
        else:
            touch(ticket, "customer_updated_at")
    return comment


def ticket_seen_by_assignee(*, ticket: Ticket, user: User) -> None:
    """The assignee opened the ticket: what the customer wrote is no longer news (others' looks change nothing).

    One UPDATE, and only when there is something to clear: no transaction of its own on every page view.
    """
    if user.is_staff and ticket.assignee_id == user.pk and ticket.customer_updated_at is not None:
        Ticket.objects.filter(pk=ticket.pk).update(customer_updated_at=None)
        ticket.customer_updated_at = None
