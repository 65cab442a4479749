"""Reads of tickets shared by every list and page: counts, and the category path of many tickets at once."""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q

from tessera.accounts.models import User

from ..models import Category, Ticket
from ..workflow import CLOSED_STATUSES, WAITING_FOR_CUSTOMER_STATUSES


@dataclass(frozen=True)
class TicketCounts:
    open: int
    waiting_for_customer: int


def ticket_counts(user: User | AnonymousUser, *, only_own: bool = False) -> TicketCounts:
    """How many of the user's visible tickets are open and how many wait for the customer (one query)."""
    tickets = Ticket.objects.visible_to(user)
    if only_own:
        tickets = tickets.filter(created_by=user)
    counts = tickets.aggregate(
        open=Count("pk", filter=~Q(status__in=CLOSED_STATUSES)),
        waiting=Count("pk", filter=Q(status__in=WAITING_FOR_CUSTOMER_STATUSES)),
    )
    return TicketCounts(open=counts["open"], waiting_for_customer=counts["waiting"])


def with_categories(tickets: list[Ticket]) -> list[Ticket]:
    """Give each ticket its category with every ancestor, from one query of the (small) category tree.

    Cheaper than four self-joins of the category table in the rows' query, which
    PostgreSQL spends more time planning than running.
    """
    nodes = Category.linked()
    for ticket in tickets:
        ticket.category = nodes[ticket.category_id]
    return tickets
