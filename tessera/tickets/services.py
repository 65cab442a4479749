"""Every write to tickets goes through these functions; each is atomic and leaves an event."""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tessera.core.errors import ApplicationError
from tessera.organizations.models import Organization

from . import events, routing
from .category_fields import clean_field_values
from .models import Attachment, Category, Comment, Priority, ServiceTeam, Source, Ticket, TicketCC, TicketLink
from .numbering import draw_ticket_number
from .policies import ticket_policy
from .uploads import validate_upload
from .workflow import (
    ACTIONS_REQUIRING_MESSAGE,
    Action,
    Actor,
    Status,
    TransitionNotAllowed,
    is_allowed,
    is_closed,
    target_status,
)

logger = logging.getLogger(__name__)


def _text(value: str) -> str:
    """Text as stored: without NUL characters, which no database text column may hold.

    Forms refuse them already; e-mail and other callers of the services do not pass through forms.
    """
    return (value or "").replace("\x00", "")


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


class AttachmentNotStored(ValidationError):
    """The storage could not keep a file (disk full, object store down): nothing was saved; try again later."""


@transaction.atomic
def attachment_add(*, ticket: Ticket, uploaded_by, upload: UploadedFile, comment: Comment | None = None) -> Attachment:
    name, content_type = _check_upload(upload)
    attachment = Attachment(
        ticket=ticket, comment=comment, uploaded_by=uploaded_by,
        original_name=name, size=upload.size, content_type=content_type[:120],
    )
    try:
        attachment.file.save(name, upload, save=False)
    except OSError as error:
        logger.exception("Storing attachment %s of ticket %s failed", name, ticket.number)
        message = _("%(name)s could not be stored. Nothing was saved; please try again later.") % {"name": name}
        raise AttachmentNotStored({"attachments": message}) from error
    attachment.save()
    events.attachment_added_event(ticket=ticket, actor=uploaded_by, attachment=attachment)
    return attachment


def _attachments_add(*, ticket: Ticket, uploaded_by, uploads: Sequence[UploadedFile], comment=None) -> None:
    """Store all files or none: when one fails, the files already written are removed again."""
    stored: list[Attachment] = []
    try:
        for upload in uploads:
            stored.append(attachment_add(ticket=ticket, uploaded_by=uploaded_by, upload=upload, comment=comment))
    except Exception:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise


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

    A follow-up ticket continues a closed one the author may see. Everything is
    checked before the first write, which all happen in one transaction.
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
    title, description, external_reference = _text(title).strip(), _text(description), _text(external_reference)
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
    priority, service_team = Priority(priority), category.routing_team()

    # A savepoint only for files: a file the storage refuses is reported to the user in the same request,
    # so the ticket's rows must go back on their own. Nothing else below raises an error anyone goes on from.
    with transaction.atomic(savepoint=bool(attachments)):
        now = timezone.now()
        ticket = Ticket.objects.create(
            number=draw_ticket_number(),  # the counter stays locked until the transaction ends: draw last
            organization=organization,
            created_by=author,
            title=title,
            description=description,
            priority=priority,
            status=Status.OPEN,
            external_reference=external_reference.strip(),
            category=category,
            service_team=service_team,
            field_values=values,
            source=source,
            follow_up_of=follow_up_of,
            created_at=now,
            updated_at=now,
        )
        TicketCC.objects.bulk_create(TicketCC(ticket=ticket, email=email, user=user) for email, user in cc.items())
        events.ticket_created_event(ticket=ticket, actor=author)
        _attachments_add(ticket=ticket, uploaded_by=author, uploads=attachments)
        routing.ticket_auto_assign(ticket=ticket)
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

    A customer's comment on a ticket waiting for them ("Customer action", or a
    provided solution they answer instead of accepting) hands it back to
    support as "Additional info".
    """
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if is_internal and not ticket_policy.can_add_internal_note(author, ticket):
        raise PermissionDenied(_("Only support staff can add internal notes."))
    if not ticket_policy.can_view(author, ticket):
        raise PermissionDenied(_("You may not comment on this ticket."))
    if ticket.is_closed:
        raise PermissionDenied(_("This ticket is closed; open a follow-up ticket instead."))
    body = _text(body).strip()
    if not body and not attachments:
        raise ValidationError({"body": _("Write a comment or attach a file.")})
    for upload in attachments:
        _check_upload(upload)
    comment = Comment.objects.create(
        ticket=ticket, author=author, body=body, is_internal=is_internal, source=source
    )
    events.comment_added_event(ticket=ticket, actor=author, comment=comment)
    _attachments_add(ticket=ticket, uploaded_by=author, uploads=attachments, comment=comment)
    if not author.is_staff and ticket.status in (Status.CUSTOMER_ACTION, Status.SOLUTION_PROVIDED):
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
    message = _text(message).strip()
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
        routing.ticket_reroute(ticket=ticket)
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


# The ticket workspace (desk): service teams, CC removal, related tickets and merging.


def _lock_pair(first: Ticket, second: Ticket) -> tuple[Ticket, Ticket]:
    """Lock two tickets in id order (never the other way round, so two merges cannot deadlock)."""
    locked = {t.pk: t for t in Ticket.objects.select_for_update().filter(pk__in=[first.pk, second.pk]).order_by("pk")}
    return locked[first.pk], locked[second.pk]


def _ordered(first: Ticket, second: Ticket) -> tuple[Ticket, Ticket]:
    # A link is stored once, the lower id first.
    return (first, second) if first.pk < second.pk else (second, first)


@transaction.atomic
def ticket_assign_team(*, ticket: Ticket, user, team: ServiceTeam | None) -> Ticket:
    """Hand the ticket to another service team (or to none).

    As after a re-categorization, the new team's round robin may pick an agent
    (see routing.ticket_reroute); otherwise the assignee stays.
    """
    if team is not None and not team.is_active:
        raise ValidationError({"team": _("This service team is no longer active.")})
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    _require_agent_for(user, ticket)
    if ticket.service_team_id != getattr(team, "pk", None):
        old = ticket.service_team
        ticket.service_team = team
        _touch(ticket, "service_team")
        events.team_changed_event(
            ticket=ticket, actor=user, old=str(old) if old else None, new=str(team) if team else None
        )
        routing.ticket_reroute(ticket=ticket)
    return ticket


@transaction.atomic
def ticket_cc_remove(*, ticket: Ticket, user, emails: Sequence[str]) -> list[str]:
    """Stop keeping addresses informed of a ticket; returns the addresses removed."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    _require_agent_for(user, ticket)
    if ticket.is_closed:
        raise PermissionDenied(_("This ticket is closed and can no longer be changed."))
    wanted = {email.strip().lower() for email in emails if email.strip()}
    entries = ticket.cc_entries.filter(email__in=wanted)
    removed = sorted(entries.values_list("email", flat=True))
    if removed:
        entries.delete()
        events.cc_changed_event(ticket=ticket, actor=user, added=[], removed=removed)
        _touch(ticket)
    return removed


@transaction.atomic
def ticket_link(*, ticket: Ticket, user, other: Ticket) -> TicketLink:
    """Relate two tickets; both show the link and both get an event."""
    if ticket.pk == other.pk:
        raise ValidationError({"number": _("A ticket cannot be linked to itself.")})
    ticket, other = _lock_pair(ticket, other)
    _require_agent_for(user, ticket)
    _require_agent_for(user, other)
    low, high = _ordered(ticket, other)
    link, created = TicketLink.objects.get_or_create(from_ticket=low, to_ticket=high, defaults={"created_by": user})
    if not created:
        raise ValidationError({"number": _("Ticket %(number)s is already linked.") % {"number": other.number}})
    for one, another in ((ticket, other), (other, ticket)):
        events.linked_event(ticket=one, actor=user, other=another)
        _touch(one)
    return link


@transaction.atomic
def ticket_unlink(*, ticket: Ticket, user, other: Ticket) -> None:
    ticket, other = _lock_pair(ticket, other)
    _require_agent_for(user, ticket)
    _require_agent_for(user, other)
    low, high = _ordered(ticket, other)
    deleted, _details = TicketLink.objects.filter(from_ticket=low, to_ticket=high).delete()
    if not deleted:
        raise ValidationError({"number": _("Ticket %(number)s is not linked.") % {"number": other.number}})
    for one, another in ((ticket, other), (other, ticket)):
        events.unlinked_event(ticket=one, actor=user, other=another)
        _touch(one)


def ticket_merge_check(*, ticket: Ticket, target: Ticket) -> None:
    """Raise ValidationError if ``ticket`` cannot be merged into ``target``; asked again inside the merge."""
    if ticket.pk == target.pk:
        raise ValidationError({"target": _("A ticket cannot be merged into itself.")})
    if ticket.organization_id != target.organization_id:
        raise ValidationError({"target": _("Only tickets of the same organization can be merged.")})
    if target.is_closed:
        raise ValidationError(
            {"target": _("Ticket %(number)s is closed; merge into an open ticket.") % {"number": target.number}}
        )
    if ticket.is_closed:
        raise ValidationError({"target": _("This ticket is closed and can no longer be merged.")})
    if not is_allowed(Actor.AGENT, Action.COMPLETE_SILENTLY, ticket.status):
        raise ValidationError({"target": _("This ticket cannot be merged in its current status.")})


@transaction.atomic
def ticket_merge(*, ticket: Ticket, user, target: Ticket) -> Ticket:
    """Merge the duplicate ``ticket`` into ``target`` of the same organization; returns the target.

    Comments and attachments move to the target (keeping their dates), the
    duplicate's CC (and its requester) join the target's CC, its links point at
    the target, and the duplicate closes as "Completed (w/o e-mail)" with a
    pointer to the target. Each side gets an internal note. The events written
    here carry ``merge=True`` and no comment_added events are written for what
    moves: the customer has heard of every comment once already.
    """
    ticket_merge_check(ticket=ticket, target=target)
    duplicate, target = _lock_pair(ticket, target)
    _require_agent_for(user, duplicate)
    _require_agent_for(user, target)
    ticket_merge_check(ticket=duplicate, target=target)  # again, on the locked rows
    action = Action.COMPLETE_SILENTLY
    new_status = target_status(Actor.AGENT, action, duplicate.status)

    moved_comments = Comment.objects.filter(ticket=duplicate).update(ticket=target)
    moved_attachments = Attachment.objects.filter(ticket=duplicate).update(ticket=target)

    existing_cc = set(target.cc_entries.values_list("email", flat=True))
    incoming: dict[str, object] = {entry.email: entry.user for entry in duplicate.cc_entries.select_related("user")}
    requester = duplicate.created_by
    if not requester.is_staff and requester.pk != target.created_by_id:
        incoming.setdefault(requester.email.lower(), requester)
    added_cc = [email for email in incoming if email not in existing_cc]
    TicketCC.objects.bulk_create(TicketCC(ticket=target, email=email, user=incoming[email]) for email in added_cc)
    if added_cc:
        events.merge_cc_event(ticket=target, actor=user, added=added_cc, duplicate=duplicate)

    links = TicketLink.objects.filter(Q(from_ticket=duplicate) | Q(to_ticket=duplicate)).select_related(
        "from_ticket", "to_ticket"
    )
    for link in links:
        other = link.to_ticket if link.from_ticket_id == duplicate.pk else link.from_ticket
        if other.pk == target.pk:
            continue  # the duplicate stays related to the ticket it went into
        link.delete()
        low, high = _ordered(target, other)
        _link, created = TicketLink.objects.get_or_create(
            from_ticket=low, to_ticket=high, defaults={"created_by": link.created_by, "created_at": link.created_at}
        )
        if created:
            events.linked_event(ticket=target, actor=user, other=other, merge=True)
            events.linked_event(ticket=other, actor=user, other=target, merge=True)

    old_status = duplicate.status
    now = timezone.now()
    duplicate.status = new_status
    duplicate.closed_at = now
    duplicate.status_changed_at = now
    duplicate.reminder_sent_at = None
    duplicate.merged_into = target
    _touch(duplicate, "status", "closed_at", "status_changed_at", "reminder_sent_at", "merged_into")
    events.merge_closed_event(
        ticket=duplicate, actor=user, old=old_status, new=new_status, action=action, target=target
    )

    notes = (
        (duplicate, _("Merged into ticket %(number)s “%(title)s”.") % {"number": target.number, "title": target.title}),
        (target, _merged_here_text(duplicate, comments=moved_comments, attachments=moved_attachments)),
    )
    for on_ticket, text in notes:
        note = Comment.objects.create(ticket=on_ticket, author=user, body=text, is_internal=True, source=Source.DESK)
        events.merge_note_event(ticket=on_ticket, actor=user, comment=note, duplicate=duplicate, target=target)
    _touch(target)
    return target


def _merged_here_text(duplicate: Ticket, *, comments: int, attachments: int) -> str:
    text = _(
        "Ticket %(number)s “%(title)s” has been merged into this ticket: "
        "%(comments)d comment(s) and %(attachments)d attachment(s) moved here."
    ) % {"number": duplicate.number, "title": duplicate.title, "comments": comments, "attachments": attachments}
    if duplicate.description.strip():
        text += "\n\n" + _("Its description:") + "\n" + duplicate.description.strip()
    return text


# Bulk operations of the desk's queues: each ticket in its own transaction, so one refusal stops no other.


@dataclass
class BulkOutcome:
    """What a bulk operation did: the tickets it changed and, for each one it refused, why."""

    changed: list[Ticket] = field(default_factory=list)
    refused: list[tuple[Ticket, str]] = field(default_factory=list)


def _refusal_reason(error: Exception) -> str:
    if isinstance(error, TransitionNotAllowed):
        return _("not allowed from %(status)s") % {"status": Status(error.status).label}
    if isinstance(error, ApplicationError):
        return error.message
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("not allowed")


def _each_ticket(tickets: Iterable[Ticket], change) -> BulkOutcome:
    outcome = BulkOutcome()
    # Always the same lock order (by id), so two bulk operations cannot deadlock each other.
    for ticket in sorted(tickets, key=lambda t: t.pk):
        try:
            outcome.changed.append(change(ticket))  # atomic on its own: a refusal rolls back only this ticket
        except (TransitionNotAllowed, ApplicationError, ValidationError, PermissionDenied) as error:
            outcome.refused.append((ticket, _refusal_reason(error)))
    return outcome


def ticket_bulk_assign(*, tickets: Iterable[Ticket], user, assignee) -> BulkOutcome:
    if not assignee.is_staff or not assignee.is_active:
        raise ValidationError({"assignee": _("Tickets can only be assigned to active support staff.")})
    return _each_ticket(tickets, lambda ticket: ticket_assign(ticket=ticket, user=user, assignee=assignee))


def ticket_bulk_unassign(*, tickets: Iterable[Ticket], user) -> BulkOutcome:
    return _each_ticket(tickets, lambda ticket: ticket_unassign(ticket=ticket, user=user))


def ticket_bulk_change_status(*, tickets: Iterable[Ticket], user, action: str, message: str = "") -> BulkOutcome:
    """Apply the agent ``action`` to each ticket the transition table allows it for; the others are refused.

    Actions that write to the customer need ``message``: each ticket gets it as a public comment.
    """
    if not user.is_staff:
        raise PermissionDenied(_("Only support staff can change tickets in bulk."))
    try:
        action = Action(action)
    except ValueError:
        raise ValidationError({"action": _("Choose one of the actions offered.")}) from None
    if action in ACTIONS_REQUIRING_MESSAGE and not message.strip():
        raise ValidationError({"message": _("Write the message the customer will receive.")})
    return _each_ticket(
        tickets, lambda ticket: ticket_change_status(ticket=ticket, user=user, action=action, message=message)
    )
