"""The one text search of ticket lists: the customer's "My tickets" and the desk's queues.

A query matches the ticket number exactly (also without its leading zeros),
in the customer's list a part of it too (at least ``MIN_PARTIAL_NUMBER_DIGITS``
digits: "270" finds 0800000270), or words of the title and description: on PostgreSQL with full-text search in the
language-neutral ``simple`` configuration, backed by the GIN index of migration
0003, elsewhere with a case-insensitive LIKE. The desk also finds tickets by
their organization's name or customer code (``by_organization``); a customer's
tickets are all of their own organization, so for them it would find them all.

The search only narrows the tickets it is given: which tickets a user may
see is decided before, by ``Ticket.objects.visible_to``.
"""

import re

from django.db import connections
from django.db.models import Q, QuerySet

from ..models import Ticket
from ..numbering import NUMBER_WIDTH

MAX_QUERY_LENGTH = 200
MAX_SEARCH_WORDS = 10
#: Fewer digits than this match too many numbers to be worth a scan: they are looked for as words only.
MIN_PARTIAL_NUMBER_DIGITS = 3

# Letters and digits only: what remains can never break a tsquery's syntax.
_WORD = re.compile(r"[^\W_]+")


def clean_query(value: str) -> str:
    # PostgreSQL refuses NUL characters in text; nobody types them on purpose.
    return " ".join(value.replace("\x00", "").split())[:MAX_QUERY_LENGTH]


def _as_ticket_number(query: str) -> str | None:
    digits = query.removeprefix("#")
    if digits.isascii() and digits.isdigit() and len(digits) <= NUMBER_WIDTH:
        return digits.zfill(NUMBER_WIDTH)
    return None


def is_partial_number(query: str) -> bool:
    """Whether ``query`` is enough digits to look for inside ticket numbers."""
    digits = clean_query(query).removeprefix("#")
    return digits.isascii() and digits.isdigit() and MIN_PARTIAL_NUMBER_DIGITS <= len(digits) <= NUMBER_WIDTH


def _by_number_or_text(tickets: QuerySet[Ticket], query: str, *, partial_number: bool) -> QuerySet[Ticket]:
    """Tickets whose number is (or holds) ``query`` or whose title and description hold all of its words."""
    number = _as_ticket_number(query)
    if number:
        # A ticket number finds its ticket through the unique index alone; OR-ing it with the
        # text match would make PostgreSQL compute the text vector of every ticket in scope.
        by_number = tickets.filter(number=number)
        if by_number.exists():
            return by_number
    # A part of a number ("270" for 0800000270) is looked for beside the words, which may be digits too.
    in_number = Q(number__contains=query.removeprefix("#")) if partial_number and is_partial_number(query) else None
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
    return tickets.filter(text if in_number is None else text | in_number)


def search_tickets(
    tickets: QuerySet[Ticket], query: str, *, by_organization: bool = False, partial_number: bool = False
) -> QuerySet[Ticket]:
    """The ``tickets`` that ``query`` finds (all of them for an empty query).

    ``by_organization``: also those of an organization whose name holds the
    query or whose customer code it is. ``partial_number``: digits also find
    the numbers that hold them (the customer's list; the desk asks for whole numbers).
    """
    query = clean_query(query)
    if not query:
        return tickets
    if not by_organization:
        return _by_number_or_text(tickets, query, partial_number=partial_number)
    # The number or text match is a sub-select, answered from its own indexes; OR-ed with the organization's
    # join in one condition, it would compute the text vector of every ticket in scope. It reads the tickets
    # in scope only: a number the user may not see must not change what the search finds.
    by_number_or_text = _by_number_or_text(tickets.order_by(), query, partial_number=partial_number).values("pk")
    return tickets.filter(
        Q(pk__in=by_number_or_text)
        | Q(organization__name__icontains=query)
        | Q(organization__customer_code__iexact=query)
    )
