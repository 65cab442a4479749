"""What the desk and the portal read of a ticket's SLA."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from tessera.tickets.models import Ticket

from .models import Kind, OrganizationPolicy, Policy, TicketSLA


def warning_window() -> timedelta:
    """How long before a due time it is shown as near (``TESSERA_SLA_WARNING_MINUTES``)."""
    return timedelta(minutes=settings.TESSERA_SLA_WARNING_MINUTES)


@dataclass(frozen=True)
class DueTime:
    """One target of a ticket as the workspace shows it."""

    kind: str
    label: str
    due_at: datetime | None
    done_at: datetime | None
    breached: bool
    #: "done", "met-late", "paused", "ok", "near" or "overdue".
    state: str
    left: timedelta | None  # time left until due (negative: overdue), while it runs

    @property
    def left_minutes(self) -> int:
        return int(abs(self.left or timedelta(0)) // timedelta(minutes=1))


@dataclass(frozen=True)
class Tier:
    """The SLA policy an organization's tickets follow: its own (its contract tier) or the default one."""

    policy: Policy
    is_default: bool


def organization_tier(organization_id: int) -> Tier | None:
    """One query: the organization's own policy before the default one; none when there is neither."""
    own = OrganizationPolicy.objects.filter(policy=OuterRef("pk"), organization_id=organization_id)
    policy = (
        Policy.objects.filter(Q(assignments__organization_id=organization_id) | Q(is_default=True))
        .annotate(own=Exists(own)).order_by("-own", "name").first()
    )
    return None if policy is None else Tier(policy=policy, is_default=not policy.own)


def ticket_sla(ticket: Ticket) -> TicketSLA | None:
    return TicketSLA.objects.filter(ticket=ticket).select_related("policy").first()


def _due(kind: str, label: str, due: datetime | None, done: datetime | None, closed: bool, now: datetime) -> DueTime:
    if done is not None:
        late = due is not None and done > due
        return DueTime(kind, label, due, done, late, "met-late" if late else "done", None)
    if due is None:
        return DueTime(kind, label, None, None, False, "done" if closed else "paused", None)
    left = due - now
    state = "overdue" if left <= timedelta(0) else "near" if left <= warning_window() else "ok"
    return DueTime(kind, label, due, None, state == "overdue", state, left)


def due_times(sla: TicketSLA | None, *, now: datetime | None = None) -> list[DueTime]:
    """First response and resolution, each with its state and the time left."""
    if sla is None:
        return []
    now = now or timezone.now()
    closed = sla.resolved_at is not None
    return [
        _due(Kind.FIRST_RESPONSE, str(Kind.FIRST_RESPONSE.label), sla.first_response_due_at, sla.first_response_at,
             closed, now),
        _due(Kind.RESOLUTION, str(Kind.RESOLUTION.label), sla.resolution_due_at, sla.resolved_at, closed, now),
    ]


def customer_answer_by(ticket: Ticket) -> datetime | None:
    """What the customer is told: when support aims to answer, until it has answered (and nothing else)."""
    if ticket.is_closed:
        return None
    return (
        TicketSLA.objects.filter(ticket=ticket, first_response_at__isnull=True, resolved_at__isnull=True)
        .values_list("first_response_due_at", flat=True).first()
    )
