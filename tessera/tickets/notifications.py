"""Who hears of what happens to a ticket: the e-mails each ticket event calls for, decided here and only here.

``tickets/events.py`` hands every new event to ``schedule``, which queues
``dispatch_ticket_event`` inside the transaction that wrote the event. The
worker runs ``notify`` once that transaction has committed, so it sees all the
transaction did: the attachments of a new ticket, the comment that came with a
status change, the agent the round robin picked. ``tessera.notifications`` only
renders, stores and delivers the messages; it knows nothing of tickets.

================================================  ==================================================
event                                             who hears of it
================================================  ==================================================
created                                           the requester and CC (confirmation); the assignee,
                                                  else the service team (new ticket)
comment_added by support                          the requester and CC
status_changed to customer_action,                the requester and CC, with the message that came
solution_provided or completed                    with it
comment_added, attachment_added or                the assignee, else the service team
status_changed by a customer
assigned by someone else (or on re-routing)       the new assignee
reminder_sent (the automation, ``automation``)    the requester, if a customer (CC are not reminded)
status_changed by ``reopen`` (support takes up a  the requester and CC, with the reason
closed ticket again)
the merge's status_changed (``merged_into``) of   the requester and CC of the merged ticket: which
the merged ticket                                 ticket it went into (a link if they may see it)
================================================  ==================================================

Events are told together when one service call wrote them: they share an
operation id (``TicketEvent.operation_id``, from ``core.operations``), so a
status change and the comment that came with it make one message, however
long the call took, while two people acting a second apart make two.

Never: internal notes, ``completed_silent``, the other events of a merge
(``merge=True``), the person who acted (but the requester is sent the
confirmation of their own ticket), anyone who may not see the ticket (so no
customer hears of another organization's tickets), anyone who switched ticket
e-mail off. A plain CC address hears only of the ticket it is on. Each message
is keyed ``<event id>:<address>``: an event composed twice queues nothing new.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django_tasks import task

from tessera.accounts.models import User
from tessera.notifications.emails import mail_domain, queue_email, render_email
from tessera.notifications.models import OutgoingEmail
from tessera.notifications.reply_tokens import reply_to_address
from tessera.notifications.tasks import enqueue_after_commit

from .links import ticket_url
from .models import Attachment, Comment, Ticket, TicketEvent
from .policies import ticket_policy
from .workflow import SILENT_TARGETS, Action, Status

Type = TicketEvent.Type

#: Status changes the requester and CC are told of (when support or the automation makes them).
CUSTOMER_NOTICE_STATUSES = frozenset({Status.CUSTOMER_ACTION, Status.SOLUTION_PROVIDED, Status.COMPLETED})
NOTIFYING_TYPES = frozenset(
    {Type.CREATED, Type.COMMENT_ADDED, Type.STATUS_CHANGED, Type.ATTACHMENT_ADDED, Type.ASSIGNED, Type.REMINDER_SENT}
)

SOLUTION_REMINDER_EMAIL = "ticket_reminder_solution"
CUSTOMER_ACTION_REMINDER_EMAIL = "ticket_reminder_customer_action"
REOPENED_EMAIL = "ticket_reopened"
MERGED_EMAIL = "ticket_merged"


def _is_merge_closure(event: TicketEvent) -> bool:
    """The status change that closed a ticket merged into another: the one event of a merge that is told."""
    return event.type == Type.STATUS_CHANGED and bool(event.data.get("merged_into"))


def _is_reopening(event: TicketEvent | None) -> bool:
    return event is not None and event.type == Type.STATUS_CHANGED and event.data.get("action") == Action.REOPEN


def schedule(event: TicketEvent) -> None:
    """Queue the notifications of a new event, with the transaction that writes it."""
    if event.type in NOTIFYING_TYPES and (not event.data.get("merge") or _is_merge_closure(event)):
        enqueue_after_commit(dispatch_ticket_event, event_id=event.pk)


@task()
def dispatch_ticket_event(event_id: int) -> int:
    """Queue the e-mails one ticket event calls for; returns how many were queued."""
    return notify(event_id=event_id)


# Recipients -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str
    user: User | None = None  # the account behind the address, if any
    is_agent: bool = False
    name: str = ""
    time_zone: str = ""


def _person(user: User) -> Recipient:
    return Recipient(
        email=user.email.lower(), language=user.language, user=user, is_agent=user.is_staff,
        name=user.get_short_name(), time_zone=user.time_zone,
    )


def _wants_ticket_mail(user: User, ticket: Ticket) -> bool:
    return user.is_active and user.notify_ticket_updates and ticket_policy.can_view(user, ticket)


def customer_recipients(ticket: Ticket, *, exclude_id: int | None = None) -> list[Recipient]:
    """The requester and the CC of ``ticket``: those with an account only if they may see it and want mail."""
    accounts: dict[str, User | None] = {}
    if not ticket.created_by.is_staff:
        accounts[ticket.created_by.email.lower()] = ticket.created_by
    for entry in ticket.cc_entries.select_related("user").order_by("pk"):
        accounts.setdefault(entry.email.lower(), entry.user)
    plain = [email for email, user in accounts.items() if user is None]
    if plain:
        # A plain address that is someone's account is that person, with their rights and wishes.
        for account in User.objects.annotate(address=Lower("email")).filter(address__in=plain):
            accounts[account.address] = account
    recipients = []
    for email, user in accounts.items():
        if user is None:
            recipients.append(Recipient(email=email, language=ticket.organization.language))
        elif user.pk != exclude_id and _wants_ticket_mail(user, ticket):
            recipients.append(_person(user))
    return recipients


def agent_recipients(ticket: Ticket, *, exclude_id: int | None = None) -> list[Recipient]:
    """The assignee; without one, the service team: its shared address, else its agents who are not away."""
    assignee = ticket.assignee
    if assignee is not None and assignee.is_active and assignee.is_staff:
        if assignee.pk == exclude_id or not _wants_ticket_mail(assignee, ticket):
            return []
        return [_person(assignee)]
    team = ticket.service_team
    if team is None or not team.is_active:
        return []
    if team.email:
        return [Recipient(email=team.email.lower(), language=settings.LANGUAGE_CODE, is_agent=True, name=team.name)]
    agents = team.members.filter(is_active=True, is_staff=True, is_away=False, notify_ticket_updates=True)
    if exclude_id is not None:
        agents = agents.exclude(pk=exclude_id)
    return [_person(agent) for agent in agents.order_by("pk") if ticket_policy.can_view(agent, ticket)]


def may_be_reminded(user: User, ticket: Ticket) -> bool:
    """Reminders are ticket notifications: only to a customer who still sees the ticket and wants them."""
    return not user.is_staff and _wants_ticket_mail(user, ticket)


# What each event calls for ----------------------------------------------------------------------


@dataclass
class Notice:
    template: str
    recipients: list[Recipient]
    context: dict[str, Any] = field(default_factory=dict)


def _neighbour(event: TicketEvent, *, after: bool) -> TicketEvent | None:
    """The event written just before (or after) ``event`` by the same service call, attachments left out."""
    if event.operation_id is None:
        return None  # written before operations were recorded: it stands alone
    events = TicketEvent.objects.filter(ticket_id=event.ticket_id, operation_id=event.operation_id).exclude(
        type=Type.ATTACHMENT_ADDED
    )
    nearest = events.filter(pk__gt=event.pk).order_by("pk") if after else events.filter(pk__lt=event.pk).order_by("-pk")
    return nearest.select_related("actor").first()


def _public_comment(event: TicketEvent) -> Comment | None:
    return (
        Comment.objects.filter(pk=event.data.get("comment_id"), ticket_id=event.ticket_id, is_internal=False)
        .select_related("author").first()
    )


def _attachment_names(attachments: QuerySet[Attachment]) -> list[str]:
    return [attachment.original_name for attachment in attachments.order_by("pk")]


def _written_with_creation(event: TicketEvent) -> bool:
    """Whether ``event`` was part of opening the ticket (its attachments, the round robin's or the opener's
    assignment), which the new-ticket notices already tell."""
    previous = _neighbour(event, after=False)
    return (
        previous is not None and previous.type == Type.CREATED
        and (event.actor_id is None or event.actor_id == previous.actor_id)
    )


def _is_customer(user: User | None) -> bool:
    return user is not None and not user.is_staff


def _status_notices(event: TicketEvent, context: dict[str, Any]) -> list[Notice]:
    """Customers hear of the statuses that need them or close the ticket; support hears of a customer's move."""
    try:
        status = Status(event.data.get("new"))
    except ValueError:
        return []
    if event.data.get("merge") or status in SILENT_TARGETS:
        return []
    ticket, notices = event.ticket, []
    context = {**context, "status": status}
    if _is_reopening(event):
        return [Notice(REOPENED_EMAIL, customer_recipients(ticket, exclude_id=event.actor_id), context)]
    if status in CUSTOMER_NOTICE_STATUSES:
        notices.append(Notice("ticket_status_changed", customer_recipients(ticket, exclude_id=event.actor_id), context))
    if _is_customer(event.actor):
        notices.append(Notice("ticket_customer_update", agent_recipients(ticket, exclude_id=event.actor_id), context))
    return notices


def _tells_about_status(event: TicketEvent | None, actor_id: int | None) -> bool:
    """Whether ``event`` is a status change by ``actor_id`` that is told (or deliberately silent) on its own."""
    if event is None or event.type != Type.STATUS_CHANGED or event.actor_id != actor_id:
        return False
    new = event.data.get("new")
    return (
        new in SILENT_TARGETS or new in CUSTOMER_NOTICE_STATUSES or _is_customer(event.actor) or _is_reopening(event)
    )


def _on_created(event: TicketEvent) -> list[Notice]:
    ticket = event.ticket
    context = {"attachments": _attachment_names(ticket.attachments.filter(comment__isnull=True))}
    return [
        Notice("ticket_created", customer_recipients(ticket), context),
        Notice("ticket_new", agent_recipients(ticket, exclude_id=event.actor_id), context),
    ]


def _on_comment_added(event: TicketEvent) -> list[Notice]:
    comment = _public_comment(event)
    if comment is None or comment.author is None:
        return []
    if _tells_about_status(_neighbour(event, after=True), event.actor_id):
        return []  # the status change that follows carries this comment
    ticket = event.ticket
    context = {"comment": comment, "attachments": _attachment_names(comment.attachments.all())}
    if comment.author.is_staff:
        return [Notice("ticket_reply", customer_recipients(ticket, exclude_id=comment.author_id), context)]
    return [Notice("ticket_customer_update", agent_recipients(ticket, exclude_id=comment.author_id), context)]


def _on_status_changed(event: TicketEvent) -> list[Notice]:
    previous = _neighbour(event, after=False)
    comment = None
    if previous is not None and previous.type == Type.COMMENT_ADDED and previous.actor_id == event.actor_id:
        comment = _public_comment(previous)
    context = {"comment": comment, "attachments": _attachment_names(comment.attachments.all()) if comment else []}
    return _status_notices(event, context)


def _on_attachment_added(event: TicketEvent) -> list[Notice]:
    if not _is_customer(event.actor):
        return []
    attachment = Attachment.objects.filter(pk=event.data.get("attachment_id"), ticket_id=event.ticket_id).first()
    if attachment is None or attachment.comment_id is not None:
        return []  # a comment's attachments are told with the comment
    if _written_with_creation(event):
        return []  # told with the new ticket
    context = {"attachments": [attachment.original_name]}
    return [Notice("ticket_customer_update", agent_recipients(event.ticket, exclude_id=event.actor_id), context)]


def _on_assigned(event: TicketEvent) -> list[Notice]:
    ticket = event.ticket
    assignee = ticket.assignee
    if assignee is None or assignee.pk != event.data.get("assignee_id") or assignee.pk == event.actor_id:
        return []  # assigned to someone else since, or taken by the agent themselves
    if _written_with_creation(event):
        return []  # the new-ticket notice went to the assignee
    if not (assignee.is_staff and _wants_ticket_mail(assignee, ticket)):
        return []
    return [Notice("ticket_assigned", [_person(assignee)])]


def _moment(value: object) -> datetime | None:
    """A date and time an event keeps in its data (ISO 8601)."""
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _on_reminder_sent(event: TicketEvent) -> list[Notice]:
    """The automation's reminder of a ticket that waits for the customer: to the requester only."""
    ticket = event.ticket
    requester = ticket.created_by
    if not may_be_reminded(requester, ticket):
        return []  # the period's reminder is settled all the same: nobody is asked again until the status changes
    message = Comment.objects.filter(pk=event.data.get("message_id"), ticket_id=ticket.pk, is_internal=False).first()
    context: dict[str, Any] = {
        "waiting_since": _moment(event.data.get("waiting_since")),
        "message": message.body if message is not None else "",
    }
    if event.data.get("status") == Status.SOLUTION_PROVIDED:
        template = SOLUTION_REMINDER_EMAIL
        context["accept_on"] = _moment(event.data.get("accept_on"))
    else:
        template = CUSTOMER_ACTION_REMINDER_EMAIL
    return [Notice(template, [_person(requester)], context)]


def _on_merged(event: TicketEvent) -> list[Notice]:
    """The customers of a merged ticket hear where it went; a link only for those who may see that ticket."""
    ticket = event.ticket
    target = Ticket.objects.filter(pk=event.data.get("merged_into_id"), organization_id=ticket.organization_id).first()
    if target is None:
        return []
    with_link: list[Recipient] = []
    without_link: list[Recipient] = []
    for recipient in customer_recipients(ticket, exclude_id=event.actor_id):
        sees_target = recipient.user is not None and ticket_policy.can_view(recipient.user, target)
        (with_link if sees_target else without_link).append(recipient)
    context = {"target": target}
    return [
        Notice(MERGED_EMAIL, with_link, {**context, "target_url": ticket_url(target, for_staff=False)}),
        Notice(MERGED_EMAIL, without_link, {**context, "target_url": ""}),
    ]


HANDLERS: dict[str, Callable[[TicketEvent], list[Notice]]] = {
    Type.CREATED: _on_created,
    Type.COMMENT_ADDED: _on_comment_added,
    Type.STATUS_CHANGED: _on_status_changed,
    Type.ATTACHMENT_ADDED: _on_attachment_added,
    Type.ASSIGNED: _on_assigned,
    Type.REMINDER_SENT: _on_reminder_sent,
}


def notices_for(event: TicketEvent) -> list[Notice]:
    if _is_merge_closure(event):
        return _on_merged(event)
    handler = HANDLERS.get(event.type)
    if handler is None or event.data.get("merge"):
        return []
    return handler(event)


# Composing and queuing --------------------------------------------------------------------------


def _status_at(event: TicketEvent) -> Status:
    """The status the event left the ticket in (the worker may run after later changes)."""
    keys: dict[str, str] = {Type.CREATED: "status", Type.STATUS_CHANGED: "new", Type.REMINDER_SENT: "status"}
    key = keys.get(event.type)
    try:
        return Status(event.data.get(key) if key else event.ticket.status)
    except ValueError:
        return Status(event.ticket.status)


def _context(event: TicketEvent, notice: Notice, recipient: Recipient) -> dict[str, Any]:
    ticket = event.ticket
    return {
        **notice.context,
        "ticket": ticket,
        "ticket_status": _status_at(event),
        "organization": ticket.organization,
        "actor": event.actor,
        "recipient": recipient.user,
        "recipient_name": recipient.name,
        "for_agent": recipient.is_agent,
        "ticket_url": ticket_url(ticket, for_staff=recipient.is_agent),
    }


def thread_reference(ticket: Ticket) -> str:
    """The Message-ID every notification about ``ticket`` answers: mail programs keep one thread per ticket,
    and a reply sent to the support address names the ticket it answers (``inbound_mail``)."""
    return f"<ticket-{ticket.pk}@{mail_domain()}>"


def _queue(event: TicketEvent, notice: Notice, recipient: Recipient, key: str) -> None:
    ticket = event.ticket
    subject, text, html = render_email(
        notice.template, _context(event, notice, recipient), language=recipient.language,
        time_zone=recipient.time_zone,
    )
    reply_to = reply_to_address(ticket_id=ticket.pk, user_id=recipient.user.pk) if recipient.user else ""
    thread = thread_reference(ticket)
    queue_email(
        to=recipient.email, subject=subject, text=text, html=html, reply_to=reply_to,
        # Mail programs keep every message of a ticket in one thread.
        headers={"In-Reply-To": thread, "References": thread, "X-Tessera-Ticket": ticket.number},
        template=notice.template, language=recipient.language, idempotency_key=key,
    )


@transaction.atomic
def notify(*, event_id: int) -> int:
    """Queue the messages event ``event_id`` calls for that were not queued before; returns how many."""
    event = (
        TicketEvent.objects.select_related(
            "actor", "ticket__organization", "ticket__created_by", "ticket__assignee", "ticket__service_team",
        )
        .filter(pk=event_id).first()
    )
    if event is None:
        return 0
    prefix = f"{event.pk}:"
    done = set(
        OutgoingEmail.objects.filter(idempotency_key__startswith=prefix).values_list("idempotency_key", flat=True)
    )
    queued = 0
    for notice in notices_for(event):
        for recipient in notice.recipients:
            key = prefix + recipient.email.lower()
            if key in done:
                continue  # queued before, or told by an earlier notice of this event
            done.add(key)
            _queue(event, notice, recipient, key)
            queued += 1
    return queued
