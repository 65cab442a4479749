"""The customer's "My tickets" (seed 000 "Show Tickets", seed 001 "I miei ticket"): its filter, rows and pane.

A filter comes from the query string (``?status=open&status=in_process&own=1
&q=printer&sort=-created``) or, when the query string names no filter (neither
``status`` nor ``own``), from the user's saved default: seed 000's "Save" next
to the status filter. ``status=all`` names the filter "every status". The page,
the side pane and the exports read the same filter, so they show the same
tickets in the same order.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, QueryDict

from tessera.accounts.models import User

from ..models import SavedTicketFilter, Ticket
from ..policies import ticket_policy
from ..workflow import (
    CLOSED_STATUSES,
    STATUS_CATEGORY,
    WAITING_FOR_CUSTOMER_STATUSES,
    Status,
    StatusCategory,
)
from .sorting import DEFAULT_SORT, LIST_SORT_KEYS, clean_sort, sort_tickets
from .text_search import clean_query, search_tickets
from .tickets import with_categories

ALL_STATUSES = "all"

#: What a row of the list (and the side pane) shows: its creator and its category's whole path (four levels at most).
TICKET_ROW_RELATED = ("created_by", "category__parent__parent__parent")


@dataclass(frozen=True)
class TicketListFilter:
    """What the list shows: no statuses means every status."""

    statuses: tuple[str, ...] = ()
    only_own: bool = False
    query: str = ""
    sort: str = DEFAULT_SORT

    @property
    def sort_key(self) -> str:
        return self.sort.removeprefix("-")

    @property
    def sort_descending(self) -> bool:
        return self.sort.startswith("-")

    def params(self) -> list[tuple[str, str]]:
        """The query string parameters that name this filter explicitly (the saved default never overrides them)."""
        params = [("status", status) for status in self.statuses] or [("status", ALL_STATUSES)]
        if self.only_own:
            params.append(("own", "1"))
        if self.query:
            params.append(("q", self.query))
        if self.sort != DEFAULT_SORT:
            params.append(("sort", self.sort))
        return params

    def query_string(self, **changes: Any) -> str:
        return urlencode(replace(self, **changes).params())


def filter_is_explicit(params: QueryDict) -> bool:
    return "status" in params or "own" in params


def clean_statuses(values: Iterable[object]) -> tuple[str, ...]:
    """The statuses among ``values``, in the workflow's order; every status is the same as none."""
    chosen = {str(value) for value in values}
    statuses = tuple(status.value for status in Status if status.value in chosen)
    # Every status chosen is the same as none: say it the short way.
    return () if len(statuses) == len(Status) else statuses


def ticket_list_filter_from(
    params: QueryDict, *, saved: SavedTicketFilter | None = None, may_filter_own: bool = False
) -> TicketListFilter:
    """The filter a query string (or a submitted filter form) asks for; never fails on odd input.

    Without ``status`` or ``own`` in ``params`` the ``saved`` default applies.
    ``may_filter_own``: only users who see their organization's tickets have
    the "Only own tickets" toggle; for others it is ignored.
    """
    statuses: Iterable[object]
    if saved is not None and not filter_is_explicit(params):
        statuses, only_own = saved.statuses if isinstance(saved.statuses, list) else [], saved.only_own
    else:
        statuses, only_own = params.getlist("status"), params.get("own") in ("1", "on", "true")
    return TicketListFilter(
        statuses=clean_statuses(statuses),
        only_own=bool(only_own) and may_filter_own,
        query=clean_query(params.get("q", "")),
        sort=clean_sort(params.get("sort", ""), LIST_SORT_KEYS),
    )


def ticket_list(user: User | AnonymousUser, *, ticket_filter: TicketListFilter) -> QuerySet[Ticket]:
    """The user's visible tickets that pass ``ticket_filter``, in its order."""
    tickets = Ticket.objects.visible_to(user)
    if ticket_filter.statuses:
        tickets = tickets.filter(status__in=ticket_filter.statuses)
    if ticket_filter.only_own:
        tickets = tickets.filter(created_by=user)
    tickets = search_tickets(tickets, ticket_filter.query, partial_number=True)
    return sort_tickets(tickets, clean_sort(ticket_filter.sort, LIST_SORT_KEYS))


def ticket_list_page(
    user: User | AnonymousUser, *, ticket_filter: TicketListFilter, page: int | str | None, per_page: int
) -> Page:
    """One page of the list: a COUNT, one query for the rows and one for the category tree, whatever their number."""
    tickets = (
        ticket_list(user, ticket_filter=ticket_filter)
        .select_related("created_by")
        .defer("description", "field_values")  # up to 50,000 characters a row that the list never shows
    )
    one_page = Paginator(tickets, per_page).get_page(page)
    one_page.object_list = with_categories(list(one_page.object_list))
    return one_page


def _is_ticket_number(number: str) -> bool:
    # Anything else cannot be a ticket; PostgreSQL would even refuse some of it (NUL characters).
    return number.isascii() and number.isdigit()


def ticket_summary(user: User | AnonymousUser, *, number: str) -> Ticket:
    """The ticket the side pane shows; one the user may not see is a 404."""
    if not _is_ticket_number(number):
        raise Http404
    return ticket_policy.get_visible_or_404(
        user, number=number, queryset=Ticket.objects.select_related(*TICKET_ROW_RELATED)
    )


def ticket_summary_or_none(user: User | AnonymousUser, *, number: str) -> Ticket | None:
    if not _is_ticket_number(number):
        return None
    return Ticket.objects.visible_to(user).select_related(*TICKET_ROW_RELATED).filter(number=number).first()


def saved_ticket_filter_of(user: User) -> SavedTicketFilter | None:
    return SavedTicketFilter.objects.filter(user=user).first()


# --- the home page: seed 001's overview of the tickets, and what waits for the customer ---------------------------

def _bucket(*categories: StatusCategory) -> tuple[str, ...]:
    return tuple(
        s.value for s in Status if STATUS_CATEGORY[s] in categories and s not in WAITING_FOR_CUSTOMER_STATUSES
    )


#: The overview's buckets, each a set of statuses the list can be filtered by; together they hold every status once.
OVERVIEW_BUCKETS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # The customer must act: answer a question, or accept (or reject) a solution.
    ("waiting", tuple(s.value for s in Status if s in WAITING_FOR_CUSTOMER_STATUSES)),
    # With customer support: received, in process, or answered by the customer.
    ("in_progress", _bucket(StatusCategory.NEW, StatusCategory.OPEN, StatusCategory.SOLVED)),
    ("on_hold", _bucket(StatusCategory.ON_HOLD)),
    ("closed", tuple(s.value for s in Status if s in CLOSED_STATUSES)),
)


def ticket_overview(user: User | AnonymousUser, *, only_own: bool = False) -> dict[str, int]:
    """How many of the user's visible tickets (``only_own``: created by them) are in each overview bucket,
    ``open`` (all but closed) and ``all``: one query."""
    tickets = Ticket.objects.visible_to(user)
    if only_own:
        tickets = tickets.filter(created_by=user)
    counts = tickets.aggregate(
        all=Count("pk"),
        **{key: Count("pk", filter=Q(status__in=statuses)) for key, statuses in OVERVIEW_BUCKETS},
        open=Count("pk", filter=~Q(status__in=CLOSED_STATUSES)),
    )
    return {key: counts[key] or 0 for key in (*dict(OVERVIEW_BUCKETS), "open", "all")}


def _home_rows(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    # The home page's short lists show number, title, status and change date: nothing else is read.
    return tickets.only("pk", "number", "title", "status", "updated_at", "created_at")


def recent_tickets(user: User | AnonymousUser, *, limit: int) -> list[Ticket]:
    """The user's visible tickets changed last, newest first."""
    return list(_home_rows(Ticket.objects.visible_to(user)).order_by("-updated_at", "-pk")[:limit])


def tickets_waiting_for(user: User | AnonymousUser, *, limit: int) -> list[Ticket]:
    """The user's visible tickets in which the customer must act, the longest waiting first."""
    waiting = Ticket.objects.visible_to(user).filter(status__in=WAITING_FOR_CUSTOMER_STATUSES)
    return list(_home_rows(waiting).order_by("updated_at", "pk")[:limit])
