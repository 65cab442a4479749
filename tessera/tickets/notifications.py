"""Who hears of what happens to a ticket: the e-mails each ticket event calls for, decided here and only here.

``tickets/events.py`` hands every new event to ``schedule``, which queues
``tasks.dispatch_ticket_event`` inside the transaction that wrote the event.
The worker runs ``notify`` once that transaction has committed, so it sees all
the transaction did: the attachments of a new ticket, the comment that came
with a status change, the agent the round robin picked.

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
================================================  ==================================================

Never: internal notes, ``completed_silent``, the events of a merge
(``merge=True``), the person who acted (but the requester is sent the
confirmation of their own ticket), anyone who may not see the ticket (so no
customer hears of another organization's tickets), anyone who switched ticket
e-mail off. A plain CC address hears only of the ticket it is on. Each message
is keyed ``<event id>:<address>``: an event composed twice queues nothing new.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.functions import Lower
from django.urls import NoReverseMatch, reverse

from tessera.tickets.models import Attachment, Comment, Ticket, TicketEvent
from tessera.tickets.policies import ticket_policy
from tessera.tickets.workflow import SILENT_TARGETS, Status

from .emails import absolute_url, mail_domain, queue_email, render_email
from .models import OutgoingEmail
from .reply_tokens import reply_to_address
from .tasks import dispatch_ticket_event, enqueue_after_commit

Type = TicketEvent.Type

#: Status changes the requester and CC are told of (when support or the automation makes them).
CUSTOMER_NOTICE_STATUSES = frozenset({Status.CUSTOMER_ACTION, Status.SOLUTION_PROVIDED, Status.COMPLETED})
NOTIFYING_TYPES = frozenset(
    {Type.CREATED, Type.COMMENT_ADDED, Type.STATUS_CHANGED, Type.ATTACHMENT_ADDED, Type.ASSIGNED}
)
#: Events one service call writes together are this close in time; a person's next action comes later.
COMPANION_WINDOW = timedelta(seconds=10)


def schedule(event: TicketEvent) -> None:
    """Queue the notifications of a new event, with the transaction that writes it."""
    if event.type in NOTIFYING_TYPES and not event.data.get("merge"):
        enqueue_after_commit(dispatch_ticket_event, event_id=event.pk)


# Links ------------------------------------------------------------------------------------------


def customer_ticket_url(ticket: Ticket) -> str:
    return absolute_url(reverse("portal:ticket_detail", args=[ticket.number]))


def agent_ticket_url(ticket: Ticket) -> str:
    """The ticket in the desk's workspace; the administration's page where the desk has none."""
    try:
        return absolute_url(reverse("desk:ticket", args=[ticket.number]))
    except NoReverseMatch:
        return absolute_url(reverse("admin:tickets_ticket_change", args=[ticket.pk]))


# Recipients -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str
    user: object = None  # the account behind the address, if any
    is_agent: bool = False
    name: str = ""
    time_zone: str = ""


def _person(user) -> Recipient:
    return Recipient(
        email=user.email.lower(), language=user.language, user=user, is_agent=user.is_staff,
        name=user.get_short_name(), time_zone=user.time_zone,
    )


def _wants_ticket_mail(user, ticket: Ticket) -> bool:
    return user.is_active and user.notify_ticket_updates and ticket_policy.can_view(user, ticket)


def customer_recipients(ticket: Ticket, *, exclude_id: int | None = None) -> list[Recipient]:
    """The requester and the CC of ``ticket``: those with an account only if they may see it and want mail."""
    accounts: dict[str, object] = {}
    if not ticket.created_by.is_staff:
        accounts[ticket.created_by.email.lower()] = ticket.created_by
    for entry in ticket.cc_entries.select_related("user").order_by("pk"):
        accounts.setdefault(entry.email.lower(), entry.user)
    plain = [email for email, user in accounts.items() if user is None]
    if plain:
        # A plain address that is someone's account is that person, with their rights and wishes.
        for user in get_user_model().objects.annotate(address=Lower("email")).filter(address__in=plain):
            accounts[user.address] = user
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


# What each event calls for ----------------------------------------------------------------------


@dataclass
class Notice:
    template: str
    recipients: list[Recipient]
    context: dict = field(default_factory=dict)


def _neighbour(event: TicketEvent, *, after: bool) -> TicketEvent | None:
    """The event written just before (or after) ``event`` by the same service call, attachments left out."""
    events = TicketEvent.objects.filter(ticket_id=event.ticket_id).exclude(type=Type.ATTACHMENT_ADDED)
    if after:
        events = events.filter(pk__gt=event.pk, created_at__lte=event.created_at + COMPANION_WINDOW).order_by("pk")
    else:
        events = events.filter(pk__lt=event.pk, created_at__gte=event.created_at - COMPANION_WINDOW).order_by("-pk")
    return events.select_related("actor").first()


def _public_comment(event: TicketEvent) -> Comment | None:
    return (
        Comment.objects.filter(pk=event.data.get("comment_id"), ticket_id=event.ticket_id, is_internal=False)
        .select_related("author").first()
    )


def _attachment_names(attachments) -> list[str]:
    return [attachment.original_name for attachment in attachments.order_by("pk")]


def _written_with_creation(event: TicketEvent) -> bool:
    """Whether ``event`` was part of opening the ticket (its attachments, the round robin's or the opener's
    assignment), which the new-ticket notices already tell."""
    previous = _neighbour(event, after=False)
    return (
        previous is not None and previous.type == Type.CREATED
        and (event.actor_id is None or event.actor_id == previous.actor_id)
    )


def _is_customer(user) -> bool:
    return user is not None and not user.is_staff


def _status_notices(event: TicketEvent, context: dict) -> list[Notice]:
    """Customers hear of the statuses that need them or close the ticket; support hears of a customer's move."""
    try:
        status = Status(event.data.get("new"))
    except ValueError:
        return []
    if event.data.get("merge") or status in SILENT_TARGETS:
        return []
    ticket, notices = event.ticket, []
    context = {**context, "status": status}
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
    return new in SILENT_TARGETS or new in CUSTOMER_NOTICE_STATUSES or _is_customer(event.actor)


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


HANDLERS = {
    Type.CREATED: _on_created,
    Type.COMMENT_ADDED: _on_comment_added,
    Type.STATUS_CHANGED: _on_status_changed,
    Type.ATTACHMENT_ADDED: _on_attachment_added,
    Type.ASSIGNED: _on_assigned,
}


def notices_for(event: TicketEvent) -> list[Notice]:
    handler = HANDLERS.get(event.type)
    if handler is None or event.data.get("merge"):
        return []
    return handler(event)


# Composing and queuing --------------------------------------------------------------------------


def _status_at(event: TicketEvent) -> Status:
    """The status the event left the ticket in (the worker may run after later changes)."""
    value = {Type.CREATED: "status", Type.STATUS_CHANGED: "new"}.get(event.type)
    try:
        return Status(event.data.get(value) if value else event.ticket.status)
    except ValueError:
        return Status(event.ticket.status)


def _context(event: TicketEvent, notice: Notice, recipient: Recipient) -> dict:
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
        "ticket_url": agent_ticket_url(ticket) if recipient.is_agent else customer_ticket_url(ticket),
    }


def _queue(event: TicketEvent, notice: Notice, recipient: Recipient, key: str) -> None:
    ticket = event.ticket
    subject, text, html = render_email(
        notice.template, _context(event, notice, recipient), language=recipient.language,
        time_zone=recipient.time_zone,
    )
    reply_to = reply_to_address(ticket_id=ticket.pk, user_id=recipient.user.pk) if recipient.user else ""
    queue_email(
        to=recipient.email, subject=subject, text=text, html=html, reply_to=reply_to,
        # Mail programs keep every message of a ticket in one thread.
        headers={"References": f"<ticket-{ticket.pk}@{mail_domain()}>", "X-Tessera-Ticket": ticket.number},
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
