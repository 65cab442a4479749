"""The one registry of how ticket lists sort: the customer's "My tickets" and the desk's queues.

Each list offers some of the keys (its sortable columns); a sort names a key,
with a leading "-" for descending. Ties are broken by the ticket's id in the
same direction, so a page never shows a row twice or skips one.
"""

from collections.abc import Callable, Collection

from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.db.models.expressions import Expression, OrderBy
from django.db.models.functions import Lower

from ..models import MAX_CATEGORY_DEPTH, Ticket
from ..workflow import Status

DEFAULT_SORT = "-updated"


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


def _person(prefix: str) -> list[Expression | F]:
    return [Lower(f"{prefix}__first_name"), Lower(f"{prefix}__last_name"), Lower(f"{prefix}__email")]


#: Every key a ticket list may be sorted by, and what it sorts by (built when sorting: labels follow the language).
SORTS: dict[str, Callable[[], list[Expression | F]]] = {
    "number": lambda: [F("number")],
    "title": lambda: [Lower("title")],
    "organization": lambda: [Lower("organization__name"), F("organization__customer_code")],
    "status": lambda: [_status_by_label()],
    "priority": lambda: [F("priority")],
    "created_by": lambda: _person("created_by"),
    "assignee": lambda: _person("assignee"),
    "team": lambda: [Lower("service_team__name")],
    "created": lambda: [F("created_at")],
    "updated": lambda: [F("updated_at")],
    "category": lambda: [Lower(_category_level(level)) for level in range(1, MAX_CATEGORY_DEPTH + 1)],
    # The due time that runs now, kept by tessera.sla (``TicketSLA.next_due_at``, reverse name "sla").
    "due": lambda: [F("sla__next_due_at")],
}
#: Sorts by a column that may be empty: tickets without it come last in both directions.
NULLABLE_SORTS = frozenset({"assignee", "team", "due"})

#: The columns of the customer's "My tickets" list, in the registry's order.
LIST_SORT_KEYS = ("number", "title", "status", "priority", "created_by", "created", "updated", "category")
#: The columns of a desk queue.
QUEUE_SORT_KEYS = (
    "number", "title", "organization", "status", "priority", "assignee", "team", "created", "updated", "due",
)


def clean_sort(value: str, offered: Collection[str] = SORTS.keys()) -> str:
    """``value`` if it sorts by one of the ``offered`` keys (either way), else DEFAULT_SORT."""
    return value if value.removeprefix("-") in offered else DEFAULT_SORT


def _ordered(expression: Expression | F, *, descending: bool, nulls_last: bool | None) -> OrderBy:
    return expression.desc(nulls_last=nulls_last) if descending else expression.asc(nulls_last=nulls_last)


def sort_tickets(tickets: QuerySet[Ticket], sort: str) -> QuerySet[Ticket]:
    """``tickets`` in the order ``sort`` names (DEFAULT_SORT for a key the registry does not know)."""
    sort = clean_sort(sort)
    key, descending = sort.removeprefix("-"), sort.startswith("-")
    nulls_last = True if key in NULLABLE_SORTS else None
    ordering = [_ordered(expression, descending=descending, nulls_last=nulls_last) for expression in SORTS[key]()]
    return tickets.order_by(*ordering, _ordered(F("pk"), descending=descending, nulls_last=None))
