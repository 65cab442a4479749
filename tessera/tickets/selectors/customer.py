"""The customer beside a ticket in the desk: the requester's and the organization's other tickets, the contacts.

Each list is cut at a few rows, open tickets first, and comes with its full
count from the same query, so the panel costs the same four queries for a practice with five
tickets as for one with fifty thousand.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Case, Count, F, IntegerField, QuerySet, Value, When, Window

from tessera.organizations.models import Membership
from tessera.organizations.selectors import organization_notes

from ..models import Ticket
from ..policies import ticket_policy
from ..workflow import CLOSED_STATUSES

if TYPE_CHECKING:
    from tessera.accounts.models import User

ROWS = 5
CONTACT_ROWS = 8


@dataclass(frozen=True)
class Rows:
    """The first rows of a list and how many rows the list holds in all."""

    rows: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


@dataclass(frozen=True)
class CustomerContext:
    requester_tickets: Rows
    organization_tickets: Rows
    contacts: Rows
    notes: list


def _open_first(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    closed_last = Case(When(status__in=CLOSED_STATUSES, then=Value(1)), default=Value(0), output_field=IntegerField())
    return tickets.annotate(closed_last=closed_last).order_by("closed_last", F("updated_at").desc(), "-pk")


def _rows(queryset: QuerySet, limit: int) -> Rows:
    """The first ``limit`` rows and, in the same query, the count of all (a window over the whole list)."""
    rows = list(queryset.annotate(list_total=Window(Count("pk")))[:limit])
    return Rows(rows=rows, total=rows[0].list_total if rows else 0)


def customer_context(ticket: Ticket, *, user: "User") -> CustomerContext:
    """What an agent wants to know about who asked: staff only (the desk's pages call it).

    The other tickets are those ``user`` may see: an agent limited to their teams' tickets sees no more here.
    """
    others = ticket_policy.visible(
        user, Ticket.objects.filter(organization_id=ticket.organization_id).exclude(pk=ticket.pk)
    ).only("number", "title", "status", "updated_at", "created_by_id")
    contacts = (
        Membership.objects.filter(organization_id=ticket.organization_id, is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email")
    )
    return CustomerContext(
        requester_tickets=_rows(_open_first(others.filter(created_by_id=ticket.created_by_id)), ROWS),
        organization_tickets=_rows(_open_first(others.exclude(created_by_id=ticket.created_by_id)), ROWS),
        contacts=_rows(contacts, CONTACT_ROWS),
        notes=list(organization_notes(organization_id=ticket.organization_id, limit=3)),
    )
