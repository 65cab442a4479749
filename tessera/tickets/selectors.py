"""Reads of tickets, always through the visibility policy."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from .models import Category, SavedTicketFilter, Ticket
from .policies import ticket_policy
from .search import TicketListFilter, search_tickets, sort_tickets
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


# "My tickets": the list, its side pane and its exports (seed 000 "Show Tickets", seed 001 "I miei ticket").

#: What a row of the list shows: its creator and its category's whole path (four levels at most).
TICKET_ROW_RELATED = ("created_by", "category__parent__parent__parent")


def ticket_list(user, *, ticket_filter: TicketListFilter) -> QuerySet[Ticket]:
    """The user's visible tickets that pass ``ticket_filter``, in its order."""
    tickets = Ticket.objects.visible_to(user)
    if ticket_filter.statuses:
        tickets = tickets.filter(status__in=ticket_filter.statuses)
    if ticket_filter.only_own:
        tickets = tickets.filter(created_by=user)
    tickets = search_tickets(tickets, ticket_filter.query)
    return sort_tickets(tickets, ticket_filter.sort)


def with_categories(tickets: list[Ticket]) -> list[Ticket]:
    """Give each ticket its category with every ancestor, from one query of the (small) category tree.

    Cheaper than four self-joins of the category table in the rows' query, which
    PostgreSQL spends more time planning than running.
    """
    nodes = Category.linked()
    for ticket in tickets:
        ticket.category = nodes[ticket.category_id]
    return tickets


def ticket_list_page(user, *, ticket_filter: TicketListFilter, page, per_page: int) -> Page:
    """One page of the list: a COUNT, one query for the rows and one for the category tree, whatever their number."""
    tickets = (
        ticket_list(user, ticket_filter=ticket_filter)
        .select_related("created_by")
        .defer("description", "field_values")  # up to 50,000 characters a row that the list never shows
    )
    page = Paginator(tickets, per_page).get_page(page)
    page.object_list = with_categories(list(page.object_list))
    return page


def _is_ticket_number(number: str) -> bool:
    # Anything else cannot be a ticket; PostgreSQL would even refuse some of it (NUL characters).
    return number.isascii() and number.isdigit()


def ticket_summary(user, *, number: str) -> Ticket:
    """The ticket the side pane shows; one the user may not see is a 404."""
    if not _is_ticket_number(number):
        raise Http404
    return ticket_policy.get_visible_or_404(
        user, number=number, queryset=Ticket.objects.select_related(*TICKET_ROW_RELATED)
    )


def ticket_summary_or_none(user, *, number: str) -> Ticket | None:
    if not _is_ticket_number(number):
        return None
    return Ticket.objects.visible_to(user).select_related(*TICKET_ROW_RELATED).filter(number=number).first()


def saved_ticket_filter_of(user) -> SavedTicketFilter | None:
    return SavedTicketFilter.objects.filter(user=user).first()
