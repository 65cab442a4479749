"""The SLA clock of each ticket, recomputed from the ticket's history, and the breach check.

Why a listener: ``tickets`` must not know of SLAs, and every change that moves the clock (creation, the first
public reply, a status or priority change, closing, reopening) already writes a ticket event through
``tickets/events.py``, whatever wrote it: the desk, the portal, e-mail, bulk actions, the automation. ``SlaConfig``
registers ``on_ticket_event`` there, so the figures follow every path in the same transaction, and no view must
remember to call anything.

The figures are computed from the history (the ticket's creation, its status events and its first public reply
by support), never adjusted step by step: a recomputation at any time gives the same result, and a priority
change applies the new priority's targets from the ticket's start, as if it had had it all along.
"""

import logging
from datetime import datetime, timedelta

from django.db.models import F, Q
from django.utils import timezone

from tessera.accounts.models import User
from tessera.core.operations import unit_of_work
from tessera.notifications.emails import send_email_to_user
from tessera.tickets import events
from tessera.tickets.links import ticket_url
from tessera.tickets.models import Comment, Ticket, TicketEvent
from tessera.tickets.workflow import is_closed

from .calendar import BusinessCalendar, add_business_time, business_time_between
from .models import Kind, Policy, Target, TeamLead, TicketSLA

logger = logging.getLogger(__name__)
Type = TicketEvent.Type
#: The events after which the clock may have changed.
CLOCK_EVENTS = frozenset({Type.CREATED, Type.STATUS_CHANGED, Type.PRIORITY_CHANGED, Type.COMMENT_ADDED})


def policy_for(ticket: Ticket) -> Policy | None:
    """The organization's own policy (its contract tier), else the default one, else none."""
    # One query: the organization's policy sorts before the default one (False < True).
    return (
        Policy.objects.filter(Q(assignments__organization_id=ticket.organization_id) | Q(is_default=True))
        .select_related("calendar").order_by("is_default").first()
    )


Interval = tuple[datetime, datetime | None]


def running_intervals(ticket: Ticket, paused: frozenset[str]) -> tuple[list[Interval], list[Interval]]:
    """When the clock ran and when it stood still (paused statuses), from creation on; a closed ticket
    stops it. ``None`` as an end: still so."""
    status, since = None, ticket.created_at
    changes = list(
        TicketEvent.objects.filter(ticket=ticket, type__in=[Type.CREATED, Type.STATUS_CHANGED])
        .order_by("created_at", "pk").values_list("type", "created_at", "data")
    )
    running: list[Interval] = []
    stopped: list[Interval] = []

    def close(until: datetime | None) -> None:
        if status is None:
            return
        if is_closed(status):
            return
        (stopped if status in paused else running).append((since, until))

    for type_, at, data in changes:
        new = (data or {}).get("status" if type_ == Type.CREATED else "new")
        if not new:
            continue
        if status is not None:
            close(at)
        status, since = new, (ticket.created_at if status is None else at)
    if status is None:  # a ticket without events (bulk-loaded): as it stands now, since its creation
        status = ticket.status
    close(None)
    return running, stopped


def due_moment(calendar: BusinessCalendar, running: list[Interval], minutes: int) -> datetime | None:
    """When ``minutes`` of business time have run; None if the clock stands still before then."""
    remaining = timedelta(minutes=minutes)
    for start, end in running:
        if end is None:
            return add_business_time(calendar, start, remaining)
        spent = business_time_between(calendar, start, end)
        if spent >= remaining:
            return add_business_time(calendar, start, remaining)
        remaining -= spent
    return None


def _first_public_reply(ticket: Ticket) -> datetime | None:
    return (
        Comment.objects.filter(ticket=ticket, is_internal=False, author__is_staff=True)
        .order_by("created_at", "pk").values_list("created_at", flat=True).first()
    )


def _late(due: datetime | None, done: datetime | None, now: datetime) -> bool:
    return due is not None and (done or now) > due


def ticket_sla_recompute(*, ticket: Ticket, now: datetime | None = None, new: bool = False) -> TicketSLA | None:
    """Bring ``ticket``'s SLA figures up to date (in the caller's transaction); None if no policy applies.

    ``new``: the ticket was just created, so it has no figures to remove when no policy applies."""
    now = now or timezone.now()
    policy = policy_for(ticket)
    target = Target.objects.filter(policy=policy, priority=ticket.priority).first() if policy else None
    if policy is None or target is None:
        if not new:
            TicketSLA.objects.filter(ticket=ticket).delete()
        return None
    calendar = policy.calendar.business_calendar()
    running, stopped = running_intervals(ticket, frozenset(policy.paused_statuses or ()))
    first_response_at = _first_public_reply(ticket)
    resolved_at = ticket.closed_at if ticket.is_closed else None
    first_due = due_moment(calendar, running, target.first_response_minutes)
    resolution_due = due_moment(calendar, running, target.resolution_minutes)
    paused = sum((business_time_between(calendar, a, b or now) for a, b in stopped), timedelta(0))
    if resolved_at is not None:
        next_due, kind = None, ""
    elif first_response_at is None:
        next_due, kind = first_due, Kind.FIRST_RESPONSE
    else:
        next_due, kind = resolution_due, Kind.RESOLUTION
    sla, _created = TicketSLA.objects.update_or_create(
        ticket=ticket,
        defaults={
            "policy": policy,
            "first_response_due_at": first_due,
            "first_response_at": first_response_at,
            "resolution_due_at": resolution_due,
            "resolved_at": resolved_at,
            "paused_minutes": paused // timedelta(minutes=1),
            "first_response_breached": _late(first_due, first_response_at, now),
            "resolution_breached": _late(resolution_due, resolved_at, now),
            "next_due_at": next_due,
            "next_due_kind": kind if next_due else "",
            "computed_at": now,
        },
    )
    return sla


def on_ticket_event(event: TicketEvent) -> None:
    """Registered with ``tickets.events``: recompute after the events that move the clock."""
    if event.type not in CLOCK_EVENTS:
        return
    if event.type == Type.COMMENT_ADDED and not (event.actor is not None and event.actor.is_staff):
        return  # only support's public reply counts as a response
    ticket = event.ticket  # the service's own instance, as it left it (status, priority, closed_at)
    ticket_sla_recompute(ticket=ticket, now=event.created_at, new=event.type == Type.CREATED)


# --- breaches ------------------------------------------------------------------------------------------------


def _missed(kind: str, now: datetime) -> Q:
    due, notified = f"{kind}_due_at", f"{kind}_breach_notified"
    done = "first_response_at" if kind == Kind.FIRST_RESPONSE else "resolved_at"
    return Q(**{f"{due}__lte": now, notified: False}) & (Q(**{f"{done}__isnull": True}) | Q(**{f"{done}__gt": F(due)}))


def breached_slas(now: datetime) -> list[int]:
    """Ids of the ticket SLAs with a target missed that nobody has been told of yet."""
    return list(
        TicketSLA.objects.filter(_missed(Kind.FIRST_RESPONSE, now) | _missed(Kind.RESOLUTION, now))
        .order_by("pk").values_list("pk", flat=True)[:1000]
    )


def breach_recipients(ticket: Ticket) -> list[User]:
    """The lead of the ticket's service team; without one, the team's members who are administrators."""
    if ticket.service_team_id is None:
        return []
    lead = TeamLead.objects.filter(team_id=ticket.service_team_id).select_related("lead").first()
    if lead is not None:
        return [lead.lead] if lead.lead.is_active else []
    return list(User.objects.filter(service_teams=ticket.service_team_id, is_superuser=True, is_active=True))


@unit_of_work
def ticket_sla_record_breaches(*, sla_id: int, now: datetime | None = None) -> int:
    """Record each missed target of one ticket once: an ``sla_breached`` event and a mail to the team lead."""
    now = now or timezone.now()
    sla = (
        # Only the SLA's own row is locked: PostgreSQL refuses FOR UPDATE on the nullable side of the team's join.
        TicketSLA.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("ticket", "ticket__service_team")
        .filter(pk=sla_id).first()
    )
    if sla is None:
        return 0
    recorded = 0
    for kind in (Kind.FIRST_RESPONSE, Kind.RESOLUTION):
        if not TicketSLA.objects.filter(_missed(kind, now), pk=sla.pk).exists():
            continue
        due: datetime = getattr(sla, f"{kind}_due_at")
        setattr(sla, f"{kind}_breached", True)
        setattr(sla, f"{kind}_breach_notified", True)
        sla.save(update_fields=[f"{kind}_breached", f"{kind}_breach_notified"])
        event = events.sla_breached_event(ticket=sla.ticket, target=kind, due_at=due)
        for lead in breach_recipients(sla.ticket):
            send_email_to_user(
                "sla_breached", user=lead, idempotency_key=f"sla:{event.pk}:{lead.email.lower()}",
                context={"ticket": sla.ticket, "target": Kind(kind).label, "due_at": due,
                         "url": ticket_url(sla.ticket, for_staff=True)},
            )
        recorded += 1
    return recorded


def check_breaches(now: datetime) -> int:
    """The automation's pass (registered in ``SlaConfig.ready``): every missed target recorded once."""
    done = 0
    for sla_id in breached_slas(now):
        try:
            done += ticket_sla_record_breaches(sla_id=sla_id, now=now)
        except Exception:
            logger.exception("Recording the SLA breach of ticket SLA id=%s failed", sla_id)
    return done

