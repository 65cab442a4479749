"""Every write to tickets goes through these functions; each is atomic and leaves an event."""

from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tessera.organizations.models import Organization

from . import events
from .category_fields import clean_field_values
from .models import Attachment, Category, Comment, Priority, Source, Ticket, TicketCC
from .numbering import draw_ticket_number
from .policies import ticket_policy
from .uploads import validate_upload
from .workflow import ACTIONS_REQUIRING_MESSAGE, Action, Actor, Status, is_closed, target_status


def _touch(ticket: Ticket, *fields: str) -> None:
    ticket.updated_at = timezone.now()
    ticket.save(update_fields=[*fields, "updated_at"])


def _actor_of(user) -> Actor:
    return Actor.AGENT if user.is_staff else Actor.CUSTOMER


def _check_upload(upload: UploadedFile) -> tuple[str, str]:
    try:
        return validate_upload(upload)
    except ValidationError as error:
        raise ValidationError({"attachments": error.messages}) from None


def _clean_cc(organization: Organization, cc_users: Iterable, cc_emails: Iterable[str]) -> dict[str, object]:
    """Map each CC address to its user (a colleague) or None (a plain address)."""
    entries: dict[str, object] = {}
    for user in cc_users:
        membership = getattr(user, "membership", None)
        if membership is None or membership.organization_id != organization.pk or not membership.is_active:
            raise ValidationError({"cc_users": _("Only colleagues of your organization can be added to CC.")})
        entries[user.email.lower()] = user
    for email in cc_emails:
        email = email.strip().lower()
        if not email:
            continue
        try:
            validate_email(email)
        except ValidationError:
            message = _("%(email)s is not a valid e-mail address.") % {"email": email}
            raise ValidationError({"cc_emails": message}) from None
        entries.setdefault(email, None)
    return entries


@transaction.atomic
def attachment_add(*, ticket: Ticket, uploaded_by, upload: UploadedFile, comment: Comment | None = None) -> Attachment:
    name, content_type = _check_upload(upload)
    attachment = Attachment(
        ticket=ticket, comment=comment, uploaded_by=uploaded_by,
        original_name=name, size=upload.size, content_type=content_type[:120],
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    events.attachment_added_event(ticket=ticket, actor=uploaded_by, attachment=attachment)
    return attachment


@transaction.atomic
def ticket_create(
    *,
    author,
    title: str,
    category: Category,
    organization: Organization | None = None,
    priority: int = Priority.MEDIUM,
    description: str = "",
    external_reference: str = "",
    field_values: dict | None = None,
    cc_users: Sequence = (),
    cc_emails: Sequence[str] = (),
    attachments: Sequence[UploadedFile] = (),
    source: str = Source.PORTAL,
    follow_up_of: Ticket | None = None,
) -> Ticket:
    """Open a ticket for ``author``'s organization (or, for vendor staff, the one given).

    A follow-up ticket continues a closed one the author may see.
    """
    if author.is_staff:
        if organization is None:
            raise ValidationError({"organization": _("Choose the customer's organization.")})
    else:
        if not ticket_policy.can_create(author):
            raise PermissionDenied(_("Your account is not yet activated for tickets."))
        organization = author.membership.organization
    if not category.is_active:
        raise ValidationError({"category": _("This category can no longer be chosen.")})
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("This field is required.")})
    for upload in attachments:
        _check_upload(upload)
    if follow_up_of is not None and not (
        follow_up_of.is_closed
        and follow_up_of.organization_id == organization.pk
        and ticket_policy.can_view(author, follow_up_of)
    ):
        raise ValidationError({"follow_up_of": _("Only a closed ticket of yours can be followed up.")})
    cc = _clean_cc(organization, cc_users, cc_emails)
    values = clean_field_values(category.all_fields(), field_values or {})

    now = timezone.now()
    ticket = Ticket.objects.create(
        number=draw_ticket_number(),
        organization=organization,
        created_by=author,
        title=title,
        description=description,
        priority=Priority(priority),
        status=Status.OPEN,
        external_reference=external_reference.strip(),
        category=category,
        service_team=category.routing_team(),
        field_values=values,
        source=source,
        follow_up_of=follow_up_of,
        created_at=now,
        updated_at=now,
    )
    TicketCC.objects.bulk_create(TicketCC(ticket=ticket, email=email, user=user) for email, user in cc.items())
    events.ticket_created_event(ticket=ticket, actor=author)
    for upload in attachments:
        attachment_add(ticket=ticket, uploaded_by=author, upload=upload)
    return ticket


@transaction.atomic
def comment_add(
    *,
    ticket: Ticket,
    author,
    body: str,
    is_internal: bool = False,
    attachments: Sequence[UploadedFile] = (),
    source: str = Source.PORTAL,
) -> Comment:
    """Add a public comment or (vendor staff only) an internal note.

    A customer's comment on a ticket waiting for them ("Customer action") hands
    it back to support as "Additional info".
    """
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if is_internal and not ticket_policy.can_add_internal_note(author, ticket):
        raise PermissionDenied(_("Only support staff can add internal notes."))
    if not ticket_policy.can_view(author, ticket):
        raise PermissionDenied(_("You may not comment on this ticket."))
    if ticket.is_closed:
        raise PermissionDenied(_("This ticket is closed; open a follow-up ticket instead."))
    body = body.strip()
    if not body and not attachments:
        raise ValidationError({"body": _("Write a comment or attach a file.")})
    for upload in attachments:
        _check_upload(upload)
    comment = Comment.objects.create(
        ticket=ticket, author=author, body=body, is_internal=is_internal, source=source
    )
    events.comment_added_event(ticket=ticket, actor=author, comment=comment)
    for upload in attachments:
        attachment_add(ticket=ticket, uploaded_by=author, upload=upload, comment=comment)
    if not author.is_staff and ticket.status == Status.CUSTOMER_ACTION:
        _apply_transition(ticket, actor=Actor.SYSTEM, action=Action.CUSTOMER_REPLIED, user=author)
    else:
        _touch(ticket)
    return comment


def _apply_transition(ticket: Ticket, *, actor: Actor, action: Action, user) -> Ticket:
    old = ticket.status
    new = target_status(actor, action, old)
    now = timezone.now()
    ticket.status = new
    ticket.closed_at = now if is_closed(new) else None
    ticket.status_changed_at = now
    ticket.reminder_sent_at = None
    _touch(ticket, "status", "closed_at", "status_changed_at", "reminder_sent_at")
    events.status_changed_event(ticket=ticket, actor=user, old=old, new=new, action=action)
    return ticket


@transaction.atomic
def ticket_change_status(*, ticket: Ticket, user, action: str, message: str = "") -> Ticket:
    """Apply ``action`` by ``user`` if the transition table allows it from the current status.

    Asking the customer for information and providing a solution both need a
    message, which becomes a public comment.
    """
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if not ticket_policy.can_view(user, ticket):
        raise PermissionDenied(_("You may not change this ticket."))
    action = Action(action)
    actor = _actor_of(user)
    target_status(actor, action, ticket.status)  # refuse before writing anything
    message = message.strip()
    if action in ACTIONS_REQUIRING_MESSAGE and not message:
        raise ValidationError({"message": _("Write the message the customer will receive.")})
    if message:
        source = Source.DESK if user.is_staff else Source.PORTAL
        comment = Comment.objects.create(ticket=ticket, author=user, body=message, source=source)
        events.comment_added_event(ticket=ticket, actor=user, comment=comment)
    return _apply_transition(ticket, actor=actor, action=action, user=user)


def ticket_close(*, ticket: Ticket, user, message: str = "") -> Ticket:
    """The customer's "Close ticket": the ticket becomes "Canceled by customer"."""
    return ticket_change_status(ticket=ticket, user=user, action=Action.CLOSE, message=message)


def ticket_accept_solution(*, ticket: Ticket, user) -> Ticket:
    return ticket_change_status(ticket=ticket, user=user, action=Action.ACCEPT_SOLUTION)


def ticket_reject_solution(*, ticket: Ticket, user, message: str) -> Ticket:
    if not message.strip():
        raise ValidationError({"message": _("Tell support why the solution does not help.")})
    return ticket_change_status(ticket=ticket, user=user, action=Action.REJECT_SOLUTION, message=message)


@transaction.atomic
def ticket_system_transition(*, ticket: Ticket, action: str) -> Ticket:
    """A status change made by Tessera itself (automation, stored submission)."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    return _apply_transition(ticket, actor=Actor.SYSTEM, action=Action(action), user=None)


def _require_agent_for(user, ticket: Ticket) -> None:
    if not user.is_staff or not ticket_policy.can_view(user, ticket):
        raise PermissionDenied(_("Only support staff working on this ticket can do this."))


@transaction.atomic
def ticket_change_priority(*, ticket: Ticket, user, priority: int) -> Ticket:
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    _require_agent_for(user, ticket)
    priority = Priority(int(priority))
    if ticket.priority != priority:
        old = ticket.priority
        ticket.priority = priority
        _touch(ticket, "priority")
        events.priority_changed_event(ticket=ticket, actor=user, old=old, new=priority)
    return ticket


@transaction.atomic
def ticket_assign(*, ticket: Ticket, user, assignee) -> Ticket:
    if not assignee.is_staff or not assignee.is_active:
        raise ValidationError({"assignee": _("Tickets can only be assigned to active support staff.")})
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    _require_agent_for(user, ticket)
    if ticket.assignee_id != assignee.pk:
        previous = ticket.assignee
        ticket.assignee = assignee
        _touch(ticket, "assignee")
        events.assigned_event(ticket=ticket, actor=user, assignee=assignee, previous=previous)
    return ticket


@transaction.atomic
def ticket_unassign(*, ticket: Ticket, user) -> Ticket:
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    _require_agent_for(user, ticket)
    if ticket.assignee_id is not None:
        previous = ticket.assignee
        ticket.assignee = None
        _touch(ticket, "assignee")
        events.unassigned_event(ticket=ticket, actor=user, previous=previous)
    return ticket


@transaction.atomic
def ticket_change_category(*, ticket: Ticket, user, category: Category) -> Ticket:
    """Re-categorize; the ticket is re-routed to the new category's service team."""
    if not category.is_active:
        raise ValidationError({"category": _("This category can no longer be chosen.")})
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    _require_agent_for(user, ticket)
    if ticket.category_id == category.pk:
        return ticket
    old_category, old_team = ticket.category, ticket.service_team
    ticket.category = category
    ticket.service_team = category.routing_team()
    _touch(ticket, "category", "service_team")
    events.category_changed_event(
        ticket=ticket, actor=user, old_id=old_category.pk, new_id=category.pk, old=str(old_category), new=str(category)
    )
    if old_team != ticket.service_team:
        events.team_changed_event(
            ticket=ticket, actor=user, old=str(old_team) if old_team else None,
            new=str(ticket.service_team) if ticket.service_team else None,
        )
    return ticket


@transaction.atomic
def ticket_cc_add(*, ticket: Ticket, user, cc_users: Sequence = (), cc_emails: Sequence[str] = ()) -> list[str]:
    """Keep more people informed of a ticket; returns the addresses added."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if not ticket_policy.can_comment(user, ticket):
        raise PermissionDenied(_("This ticket is closed; open a follow-up ticket instead."))
    entries = _clean_cc(ticket.organization, cc_users, cc_emails)
    existing = set(ticket.cc_entries.values_list("email", flat=True))
    added = [email for email in entries if email not in existing]
    TicketCC.objects.bulk_create(TicketCC(ticket=ticket, email=email, user=entries[email]) for email in added)
    if added:
        events.cc_changed_event(ticket=ticket, actor=user, added=added, removed=[])
        _touch(ticket)
    return added
