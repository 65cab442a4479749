"""Tickets related to each other: links, and merging a duplicate into the ticket it repeats."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tessera.accounts.models import User
from tessera.core.operations import unit_of_work

from .. import events
from ..models import Attachment, Comment, Source, Ticket, TicketCC, TicketLink
from ..workflow import Action, Actor, is_allowed, target_status
from ._common import lock_pair, ordered_pair, require_agent_for, touch


@unit_of_work
def ticket_link(*, ticket: Ticket, user: User, other: Ticket) -> TicketLink:
    """Relate two tickets; both show the link and both get an event."""
    if ticket.pk == other.pk:
        raise ValidationError({"number": _("A ticket cannot be linked to itself.")})
    ticket, other = lock_pair(ticket, other)
    require_agent_for(user, ticket)
    require_agent_for(user, other)
    low, high = ordered_pair(ticket, other)
    link, created = TicketLink.objects.get_or_create(from_ticket=low, to_ticket=high, defaults={"created_by": user})
    if not created:
        raise ValidationError({"number": _("Ticket %(number)s is already linked.") % {"number": other.number}})
    for one, another in ((ticket, other), (other, ticket)):
        events.linked_event(ticket=one, actor=user, other=another)
        touch(one)
    return link


@unit_of_work
def ticket_unlink(*, ticket: Ticket, user: User, other: Ticket) -> None:
    ticket, other = lock_pair(ticket, other)
    require_agent_for(user, ticket)
    require_agent_for(user, other)
    low, high = ordered_pair(ticket, other)
    deleted, _details = TicketLink.objects.filter(from_ticket=low, to_ticket=high).delete()
    if not deleted:
        raise ValidationError({"number": _("Ticket %(number)s is not linked.") % {"number": other.number}})
    for one, another in ((ticket, other), (other, ticket)):
        events.unlinked_event(ticket=one, actor=user, other=another)
        touch(one)


def ticket_merge_check(*, ticket: Ticket, target: Ticket) -> None:
    """Raise ValidationError if ``ticket`` cannot be merged into ``target``; asked again inside the merge.

    Writes nothing: the desk asks it before it offers to confirm a merge.
    """
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


@unit_of_work
def ticket_merge(*, ticket: Ticket, user: User, target: Ticket) -> Ticket:
    """Merge the duplicate ``ticket`` into ``target`` of the same organization; returns the target.

    Comments and attachments move to the target (keeping their dates), the
    duplicate's CC (and its requester) join the target's CC, its links point at
    the target, and the duplicate closes as "Completed (w/o e-mail)" with a
    pointer to the target. Each side gets an internal note. The events written
    here carry ``merge=True`` and no comment_added events are written for what
    moves: the customer has heard of every comment once already.
    """
    ticket_merge_check(ticket=ticket, target=target)
    duplicate, target = lock_pair(ticket, target)
    require_agent_for(user, duplicate)
    require_agent_for(user, target)
    ticket_merge_check(ticket=duplicate, target=target)  # again, on the locked rows
    action = Action.COMPLETE_SILENTLY
    new_status = target_status(Actor.AGENT, action, duplicate.status)

    moved_comments = Comment.objects.filter(ticket=duplicate).update(ticket=target)
    moved_attachments = Attachment.objects.filter(ticket=duplicate).update(ticket=target)

    existing_cc = set(target.cc_entries.values_list("email", flat=True))
    incoming: dict[str, User | None] = {
        entry.email: entry.user for entry in duplicate.cc_entries.select_related("user")
    }
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
        low, high = ordered_pair(target, other)
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
    touch(duplicate, "status", "closed_at", "status_changed_at", "reminder_sent_at", "merged_into")
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
    touch(target)
    return target


def _merged_here_text(duplicate: Ticket, *, comments: int, attachments: int) -> str:
    text = _(
        "Ticket %(number)s “%(title)s” has been merged into this ticket: "
        "%(comments)d comment(s) and %(attachments)d attachment(s) moved here."
    ) % {"number": duplicate.number, "title": duplicate.title, "comments": comments, "attachments": attachments}
    if duplicate.description.strip():
        text += "\n\n" + _("Its description:") + "\n" + duplicate.description.strip()
    return text
