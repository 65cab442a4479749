"""The "My tickets" list's filter, search and sort, shared by the page and its exports.

A filter comes from the query string (``?status=open&status=in_process&own=1
&q=printer&sort=-created``) or, when the query string names no filter (neither
``status`` nor ``own``), from the user's saved default: seed 000's "Save" next
to the status filter. ``status=all`` names the filter "every status".

Search matches the ticket number exactly (also without its leading zeros) or
words of the title and description: on PostgreSQL with full-text search in the
language-neutral ``simple`` configuration, backed by the GIN index of migration
0003, elsewhere with a case-insensitive LIKE.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db import connections, transaction
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import BaseExpression
from django.db.models.functions import Lower
from django.utils.translation import gettext, pgettext_lazy

from .models import MAX_CATEGORY_DEPTH, SavedTicketFilter
from .numbering import NUMBER_WIDTH
from .workflow import CLOSED_STATUSES, Status

MAX_QUERY_LENGTH = 200
MAX_SEARCH_WORDS = 10
ALL_STATUSES = "all"
DEFAULT_SORT = "-updated"

# Letters and digits only: what remains can never break a tsquery's syntax.
_WORD = re.compile(r"[^\W_]+")

OPEN_STATUS_CHOICES = tuple(s for s in Status if s not in CLOSED_STATUSES)
CLOSED_STATUS_CHOICES = tuple(s for s in Status if s in CLOSED_STATUSES)
#: The status filter's two groups, in the workflow's order.
STATUS_GROUPS = (
    (pgettext_lazy("status category", "Open"), OPEN_STATUS_CHOICES),
    (pgettext_lazy("status category", "Closed"), CLOSED_STATUS_CHOICES),
)


def _category_level(level: int) -> Case:
    """The name of the ``level``-th node (1 = top) of the ticket's category path, whatever its depth."""
    return Case(
        *[
            When(category__depth=depth, then=F("category" + "__parent" * (depth - level) + "__name"))
            for depth in range(level, MAX_CATEGORY_DEPTH + 1)
        ],
        default=Value(""),
    )


def _status_by_label() -> Case:
    """Statuses in the alphabetical order of their labels in the active language."""
    ordered = sorted(Status, key=lambda status: str(status.label).casefold())
    return Case(
        *[When(status=status.value, then=Value(rank)) for rank, status in enumerate(ordered)],
        default=Value(len(ordered)),
        output_field=IntegerField(),
    )


#: Every column the list may be sorted by, and what it sorts by. Anything else sorts by DEFAULT_SORT.
SORTS: dict[str, Callable[[], list[BaseExpression]]] = {
    "number": lambda: [F("number")],
    "title": lambda: [Lower("title")],
    "status": lambda: [_status_by_label()],
    "priority": lambda: [F("priority")],
    "created_by": lambda: [
        Lower("created_by__first_name"), Lower("created_by__last_name"), Lower("created_by__email")
    ],
    "created": lambda: [F("created_at")],
    "updated": lambda: [F("updated_at")],
    "category": lambda: [Lower(_category_level(level)) for level in range(1, MAX_CATEGORY_DEPTH + 1)],
}


def clean_sort(value: str) -> str:
    key = value.removeprefix("-")
    return value if key in SORTS else DEFAULT_SORT


def clean_query(value: str) -> str:
    # PostgreSQL refuses NUL characters in text; nobody types them on purpose.
    return " ".join(value.replace("\x00", "").split())[:MAX_QUERY_LENGTH]


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

    def query_string(self, **changes) -> str:
        return urlencode(replace(self, **changes).params())


def filter_is_explicit(params) -> bool:
    return "status" in params or "own" in params


def _clean_statuses(values) -> tuple[str, ...]:
    chosen = {str(value) for value in values}
    statuses = tuple(status.value for status in Status if status.value in chosen)
    # Every status chosen is the same as none: say it the short way.
    return () if len(statuses) == len(Status) else statuses


def ticket_list_filter_from(
    params, *, saved: SavedTicketFilter | None = None, may_filter_own: bool = False
) -> TicketListFilter:
    """The filter a query string (or a submitted filter form) asks for; never fails on odd input.

    Without ``status`` or ``own`` in ``params`` the ``saved`` default applies.
    ``may_filter_own``: only users who see their organization's tickets have
    the "Only own tickets" toggle; for others it is ignored.
    """
    if saved is not None and not filter_is_explicit(params):
        statuses, only_own = saved.statuses if isinstance(saved.statuses, list) else [], saved.only_own
    else:
        statuses, only_own = params.getlist("status"), params.get("own") in ("1", "on", "true")
    return TicketListFilter(
        statuses=_clean_statuses(statuses),
        only_own=bool(only_own) and may_filter_own,
        query=clean_query(params.get("q", "")),
        sort=clean_sort(params.get("sort", "")),
    )


def _as_ticket_number(query: str) -> str | None:
    digits = query.removeprefix("#")
    if digits.isascii() and digits.isdigit() and len(digits) <= NUMBER_WIDTH:
        return digits.zfill(NUMBER_WIDTH)
    return None


def search_tickets(tickets: QuerySet, query: str) -> QuerySet:
    """Tickets whose number is ``query`` or whose title and description hold all of its words (as prefixes)."""
    query = clean_query(query)
    if not query:
        return tickets
    number = _as_ticket_number(query)
    if number:
        # A ticket number finds its ticket through the unique index alone; OR-ing it with the
        # text match would make PostgreSQL compute the text vector of every ticket in scope.
        by_number = tickets.filter(number=number)
        if by_number.exists():
            return by_number
    words = _WORD.findall(query)[:MAX_SEARCH_WORDS]
    if not words:
        # Only punctuation: look for it literally in the title.
        return tickets.filter(Q(title__icontains=query) | Q(description__icontains=query))
    if connections[tickets.db].vendor == "postgresql":
        # Works without django.contrib.postgres in INSTALLED_APPS: the lookup is registered on import.
        from django.contrib.postgres.search import SearchQuery, SearchVector

        # Must stay the expression of the GIN index in migration 0003.
        tickets = tickets.alias(search_document=SearchVector("title", "description", config="simple"))
        prefixes = " & ".join(f"{word}:*" for word in words)
        text = Q(search_document=SearchQuery(prefixes, config="simple", search_type="raw"))
    else:
        text = Q()
        for word in words:
            text &= Q(title__icontains=word) | Q(description__icontains=word)
    return tickets.filter(text)


def sort_tickets(tickets: QuerySet, sort: str) -> QuerySet:
    sort = clean_sort(sort)
    descending = sort.startswith("-")
    expressions = [*SORTS[sort.removeprefix("-")](), F("pk")]
    return tickets.order_by(*[e.desc() if descending else e.asc() for e in expressions])


@transaction.atomic
def saved_ticket_filter_save(*, user, statuses, only_own: bool = False) -> SavedTicketFilter:
    """Keep ``statuses`` (and "Only own tickets") as the user's default filter of "My tickets"."""
    membership = getattr(user, "membership", None)
    if user.is_staff or membership is None or not membership.may_use_tickets:
        raise PermissionDenied(gettext("You cannot see tickets yet."))
    saved, _created = SavedTicketFilter.objects.update_or_create(
        user=user,
        defaults={
            "statuses": list(_clean_statuses(statuses)),
            "only_own": bool(only_own) and membership.sees_organization_tickets,
        },
    )
    return saved
