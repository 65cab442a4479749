"""The agent desk's queues: which tickets each holds, how many, and their filters.

Search and sort are those of every ticket list (``text_search``, ``sorting``).

Every queue, count and lookup starts from ``Ticket.objects.visible_to(user)``:
agents see every ticket, or only their teams' (and those assigned to them)
where ``TESSERA_AGENTS_SEE_ONLY_TEAM_TICKETS`` says so.

"Waiting for customer" holds both statuses in which the customer is expected
to act (``WAITING_FOR_CUSTOMER_STATUSES``): "Customer action" (they owe an
answer) and "Solution provided" (they accept or reject it, or it completes by
itself after some days). The customer's home counts the same two as waiting,
so both sides of the portal agree on what "waiting" means.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise, cached_property, lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tessera.accounts.models import User

from ..models import MAX_CATEGORY_DEPTH, Category, ServiceTeam, Ticket
from ..numbering import NUMBER_WIDTH
from ..workflow import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    STATUS_CATEGORY,
    WAITING_FOR_CUSTOMER_STATUSES,
    Status,
    StatusCategory,
)
from .sorting import DEFAULT_SORT, QUEUE_SORT_KEYS, clean_sort, sort_tickets
from .text_search import search_tickets

K = TypeVar("K")


def _values(statuses: Iterable[Status]) -> list[str]:
    # In the workflow's order, so the SQL of a queue is the same on every run.
    chosen = set(statuses)
    return [status.value for status in Status if status in chosen]


OPEN = _values(OPEN_STATUSES)
CLOSED = _values(CLOSED_STATUSES)
WAITING = _values(WAITING_FOR_CUSTOMER_STATUSES)
ON_HOLD = _values(s for s, category in STATUS_CATEGORY.items() if category == StatusCategory.ON_HOLD)


def _mine(user: User) -> Q:
    return Q(status__in=OPEN, assignee=user)


def _my_teams_unassigned(user: User) -> Q:
    # A subquery, not a join through the members table: rows are never repeated.
    my_teams = ServiceTeam.objects.filter(members=user).values("pk")
    return Q(status__in=OPEN, assignee__isnull=True, service_team__in=my_teams)


def _recently_closed(user: User) -> Q:
    since = timezone.now() - timedelta(days=settings.TESSERA_DESK_RECENTLY_CLOSED_DAYS)
    return Q(status__in=CLOSED, closed_at__gte=since)


def _recently_closed_description() -> str:
    days = settings.TESSERA_DESK_RECENTLY_CLOSED_DAYS
    return ngettext("Tickets closed in the last day.", "Tickets closed in the last %(days)d days.", days) % {
        "days": days
    }


# The SLA's due times are kept by tessera.sla (``TicketSLA``, reverse name "sla"), which tickets does not import.


def _breaching_soon(user: User) -> Q:
    now = timezone.now()
    warning = timedelta(minutes=settings.TESSERA_SLA_WARNING_MINUTES)
    return Q(status__in=OPEN, sla__next_due_at__gt=now, sla__next_due_at__lte=now + warning)


def _overdue(user: User) -> Q:
    return Q(status__in=OPEN, sla__next_due_at__lte=timezone.now())


@dataclass(frozen=True)
class Queue:
    key: str
    label: Promise
    description: Promise | str
    condition: Callable[[User], Q]

    def __str__(self) -> str:
        return str(self.label)


QUEUES: tuple[Queue, ...] = (
    Queue("mine", _("Mine"), _("Open tickets assigned to me."), _mine),
    Queue(
        "team-unassigned", _("My teams — unassigned"),
        _("Open tickets of my service teams that nobody has taken yet."), _my_teams_unassigned,
    ),
    Queue(
        "waiting", _("Waiting for customer"),
        _("The customer was asked for information, or has a solution to accept."),
        lambda user: Q(status__in=WAITING),
    ),
    Queue(
        "on-hold", _("On hold"), _("Interrupted, awaiting a new version, appointment scheduled or redirected."),
        lambda user: Q(status__in=ON_HOLD),
    ),
    Queue(
        "updated", _("Updated by customer"),
        _("Open tickets the customer wrote on since their assignee last looked or support last answered."),
        lambda user: Q(status__in=OPEN, customer_updated_at__isnull=False),
    ),
    Queue("open", _("All open"), _("Every ticket that is not closed."), lambda user: Q(status__in=OPEN)),
    Queue("recently-closed", _("Recently closed"), lazy(_recently_closed_description, str)(), _recently_closed),
    Queue(
        "breaching-soon", _("Breaching soon"), _("Open tickets whose next SLA due time is near."), _breaching_soon,
    ),
    Queue("overdue", _("Overdue"), _("Open tickets past their SLA due time."), _overdue),
)
QUEUES_BY_KEY = {queue.key: queue for queue in QUEUES}
DEFAULT_QUEUE = QUEUES[0]


def queue_or_404(key: str) -> Queue:
    try:
        return QUEUES_BY_KEY[key]
    except KeyError:
        raise Http404 from None


def _desk_tickets(user: User | AnonymousUser) -> QuerySet[Ticket]:
    """What the queues start from: the tickets ``user`` may see, and none for anyone but vendor staff."""
    tickets: QuerySet[Ticket] = Ticket.objects.visible_to(user)
    return tickets if user.is_staff else tickets.none()


#: Counting stops here: a queue's count costs the same whether it holds a thousand tickets or a million.
COUNT_LIMIT = 1000
#: The list of one queue counts further, so that its pages can be numbered well beyond what anyone browses.
LIST_COUNT_LIMIT = 10_000


@dataclass(frozen=True)
class TicketCount:
    """How many tickets, counted up to a limit: ``more`` says there are more than ``value``."""

    value: int
    more: bool = False

    @classmethod
    def of(cls, counted: int, limit: int) -> "TicketCount":
        """``counted`` is what a count that stops after ``limit + 1`` rows found."""
        return cls(min(counted, limit), counted > limit)


def _limited(tickets: QuerySet[Ticket], limit: int) -> QuerySet[Ticket, Any]:
    """The rows a count needs to see: at most ``limit + 1``, in no order."""
    return tickets.order_by().values("pk")[: limit + 1]


def limited_counts(querysets: Mapping[K, QuerySet[Ticket]], *, limit: int | None = None) -> dict[K, TicketCount]:
    """How many rows each queryset holds, each counted up to ``limit``, in one query.

    Each count is a sub-select that stops after ``limit + 1`` rows; with the
    partial indexes of the open, unassigned and closed tickets it reads a few
    thousand index entries at most, where a whole-table aggregate would read
    every ticket on every page view.
    """
    limit = COUNT_LIMIT if limit is None else limit
    selects: list[str] = []
    params: list[Any] = []
    alias = "default"
    for queryset in querysets.values():
        alias = queryset.db
        try:
            sql, sub_params = _limited(queryset, limit).query.sql_with_params()
        except EmptyResultSet:  # .none(): nothing to count
            sql, sub_params = "SELECT 1 WHERE 1 = 0", ()
        selects.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")  # noqa: S608 (the ORM's SQL, values in params)
        params.extend(sub_params)
    if not selects:
        return {}
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)  # noqa: S608
        row = cursor.fetchone() or ()
    return {key: TicketCount.of(counted, limit) for key, counted in zip(querysets, row, strict=True)}


def queue_counts(user: User | AnonymousUser, *, limit: int | None = None) -> dict[str, TicketCount]:
    """How many tickets each queue holds for ``user``, each counted up to ``limit``, in one query."""
    if isinstance(user, AnonymousUser) or not user.is_staff:
        return {queue.key: TicketCount(0) for queue in QUEUES}
    tickets = _desk_tickets(user)
    return limited_counts({queue.key: tickets.filter(queue.condition(user)) for queue in QUEUES}, limit=limit)


def status_category_counts(
    user: User | AnonymousUser, *, limit: int | None = None
) -> dict[StatusCategory, TicketCount]:
    """How many tickets ``user`` may see in each status category, each counted up to ``limit``, in one query
    (a GROUP BY over every ticket would read millions of rows)."""
    tickets = _desk_tickets(user)
    return limited_counts({
        category: tickets.filter(status__in=_values(s for s, c in STATUS_CATEGORY.items() if c == category))
        for category in StatusCategory
    }, limit=limit)


# --- filters, search and sort ------------------------------------------------------------------------------------

#: A filter value that asks for tickets without a team, or without an assignee.
NONE = "none"


@dataclass(frozen=True)
class QueueFilter:
    """What narrows a queue; an empty value does not filter."""

    team: str = ""  # a team's id, or NONE
    status: str = ""
    priority: int | None = None
    organization: str = ""  # a customer code
    assignee: str = ""  # an agent's id, or NONE
    category: int | None = None  # the node or any node below it
    tag: str = ""  # a tag's name, any case
    query: str = ""
    sort: str = DEFAULT_SORT

    @property
    def sort_key(self) -> str:
        return self.sort.removeprefix("-")

    @property
    def sort_descending(self) -> bool:
        return self.sort.startswith("-")

    def params(self, **changes: str) -> list[tuple[str, str]]:
        """The query string that names this filter (with ``changes``), empty values left out."""
        values = {
            "q": self.query, "team": self.team, "status": self.status,
            "priority": "" if self.priority is None else str(self.priority),
            "organization": self.organization, "assignee": self.assignee,
            "category": "" if self.category is None else str(self.category),
            "tag": self.tag,
            "sort": "" if self.sort == DEFAULT_SORT else self.sort,
        }
        values.update(changes)
        return [(key, value) for key, value in values.items() if value]

    @property
    def is_filtered(self) -> bool:
        return any(key != "sort" for key, _value in self.params())


def _in_category(category_id: int) -> Q:
    """Tickets store the deepest node chosen: match it or any of its ancestors."""
    condition = Q()
    for level in range(MAX_CATEGORY_DEPTH):
        condition |= Q(**{"category" + "__parent" * level + "_id": category_id})
    return condition


def _filtered(tickets: QuerySet[Ticket], queue_filter: QueueFilter) -> QuerySet[Ticket]:
    f = queue_filter
    if f.team == NONE:
        tickets = tickets.filter(service_team__isnull=True)
    elif f.team:
        tickets = tickets.filter(service_team_id=int(f.team))
    if f.status:
        tickets = tickets.filter(status=f.status)
    if f.priority is not None:
        tickets = tickets.filter(priority=f.priority)
    if f.organization:
        tickets = tickets.filter(organization__customer_code__iexact=f.organization)
    if f.assignee == NONE:
        tickets = tickets.filter(assignee__isnull=True)
    elif f.assignee:
        tickets = tickets.filter(assignee_id=int(f.assignee))
    if f.category is not None:
        tickets = tickets.filter(_in_category(f.category))
    if f.tag:
        tickets = tickets.filter(pk__in=Ticket.tags.through.objects.filter(tag__name__iexact=f.tag).values("ticket_id"))
    return search_tickets(tickets, f.query, by_organization=True)


#: What a row of a queue shows besides the ticket: its organization, assignee and team. The category's
#: path comes from the tree the page loads for its filter anyway (``category_paths``), not from four joins.
QUEUE_ROW_RELATED = ("organization", "assignee", "service_team", "sla")


def queue_tickets(user: User | AnonymousUser, *, queue: Queue, queue_filter: QueueFilter) -> QuerySet[Ticket]:
    """The tickets of ``queue`` that ``user`` may see and that pass ``queue_filter``, in its order."""
    if isinstance(user, AnonymousUser):
        return Ticket.objects.none()
    tickets = _desk_tickets(user).filter(queue.condition(user))
    return sort_tickets(_filtered(tickets, queue_filter), clean_sort(queue_filter.sort, QUEUE_SORT_KEYS))


class LimitedCountPaginator(Paginator):
    """Pages of a queue whose count stops at ``limit``: pages past it are not numbered."""

    def __init__(self, tickets: QuerySet[Ticket], per_page: int, *, limit: int | None = None) -> None:
        super().__init__(tickets, per_page)
        self.tickets = tickets
        self.limit = LIST_COUNT_LIMIT if limit is None else limit

    @cached_property
    def ticket_count(self) -> TicketCount:
        return TicketCount.of(_limited(self.tickets, self.limit).count(), self.limit)

    @cached_property
    def count(self) -> int:
        return self.ticket_count.value

    def page(self, number: int | str) -> Page:
        # A whole page of rows even where the count stopped inside it (no orphans are merged here).
        valid = self.validate_number(number)
        bottom = (valid - 1) * self.per_page
        return Page(self.tickets[bottom : bottom + self.per_page], valid, self)


def queue_page(
    user: User | AnonymousUser, *, queue: Queue, queue_filter: QueueFilter, page: int | str | None, per_page: int
) -> Page:
    """One page of a queue: a COUNT that stops at LIST_COUNT_LIMIT and one query for the rows."""
    tickets = queue_tickets(user, queue=queue, queue_filter=queue_filter).select_related(*QUEUE_ROW_RELATED)
    return LimitedCountPaginator(tickets, per_page).get_page(page)


def visible_tickets_by_number(user: User | AnonymousUser, numbers: Iterable[str]) -> list[Ticket]:
    """The tickets of ``numbers`` that ``user`` may see (others are simply not found), lowest id first."""
    wanted = [n.zfill(NUMBER_WIDTH) for n in numbers if n.isascii() and n.isdigit() and len(n) <= NUMBER_WIDTH]
    return list(_desk_tickets(user).filter(number__in=wanted).order_by("pk"))


# --- what the filters offer --------------------------------------------------------------------------------------


def service_teams() -> list[ServiceTeam]:
    return list(ServiceTeam.objects.order_by("-is_active", "name"))


def agents() -> list[User]:
    """Active vendor staff: whom tickets can be assigned to."""
    return list(
        User.objects.filter(is_staff=True, is_active=True).order_by(
            Lower("first_name"), Lower("last_name"), Lower("email")
        )
    )


def category_paths() -> list[tuple[Category, str]]:
    """Every category with its whole path ("Level 1 › Level 2"), in the tree's order, from one query."""
    nodes = Category.linked(Category.objects.order_by("depth", "position", "name"))
    paths = {node: node.path() for node in nodes.values()}

    def sort_key(node: Category) -> list[tuple[int, str, int]]:
        return [(n.position, n.name.casefold(), n.pk) for n in paths[node]]

    return [(node, " › ".join(n.name for n in paths[node])) for node in sorted(paths, key=sort_key)]


def desk_views_for(user: User | AnonymousUser) -> list:
    """The agent's own saved views and those of their teams, by name."""
    from ..models import DeskView

    if isinstance(user, AnonymousUser) or not user.is_staff:
        return []
    mine = Q(owner_id=user.pk) | Q(team__members=user)
    return list(DeskView.objects.filter(mine).select_related("team").distinct().order_by("name", "pk"))


def teams_of(user: User | AnonymousUser) -> list[ServiceTeam]:
    """The active teams ``user`` may share a view with: their own, or every team for a vendor administrator."""
    if isinstance(user, AnonymousUser) or not user.is_staff:
        return []
    teams = ServiceTeam.objects.filter(is_active=True)
    if not user.is_superuser:
        teams = teams.filter(members=user)
    return list(teams.order_by("name"))
