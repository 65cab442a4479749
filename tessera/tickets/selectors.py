"""Reads of tickets, always through the visibility policy."""

from dataclasses import dataclass

from django.db.models import Count, Q

from .models import Ticket
from .workflow import CLOSED_STATUSES, WAITING_FOR_CUSTOMER_STATUSES


@dataclass(frozen=True)
class TicketCounts:
    open: int
    waiting_for_customer: int


def ticket_counts(user, *, only_own: bool = False) -> TicketCounts:
    """How many of the user's visible tickets are open and how many wait for the customer (one query)."""
    tickets = Ticket.objects.visible_to(user)
    if only_own:
        tickets = tickets.filter(created_by=user)
    counts = tickets.aggregate(
        open=Count("pk", filter=~Q(status__in=CLOSED_STATUSES)),
        waiting=Count("pk", filter=Q(status__in=WAITING_FOR_CUSTOMER_STATUSES)),
    )
    return TicketCounts(open=counts["open"], waiting_for_customer=counts["waiting"])
