"""Ticket numbers: 10 digits, zero-padded, unique and never reused.

One counter row is moved on by a single ``UPDATE … RETURNING``, which locks the
row until the surrounding transaction ends; concurrent creators wait for each
other instead of drawing the same number. A rolled back transaction rolls its
draw back too, so no committed ticket ever shares a number with another.
Because of that lock, services draw the number as late as they can: right
before the ticket's INSERT, after everything they only read or check.
"""

from django.conf import settings
from django.db import IntegrityError, connections, router, transaction
from django.db.models import F, Field

from .models import TicketNumberCounter

COUNTER_PK = 1
NUMBER_WIDTH = 10
LAST_NUMBER = 10**NUMBER_WIDTH - 1


def format_number(value: int) -> str:
    return f"{value:0{NUMBER_WIDTH}d}"


def draw_ticket_numbers(count: int = 1) -> list[str]:
    if count < 1:
        raise ValueError("count must be at least 1")
    last = _advance(count)
    while last is None:
        # Rare: no counter yet (a new installation), or not enough numbers left. A counter found now
        # but missed by the update was created meanwhile by another process: the update will see it.
        counter = TicketNumberCounter.objects.filter(pk=COUNTER_PK).values_list("last_value", flat=True).first()
        if counter is None:
            _create_counter()
        elif counter > LAST_NUMBER - count:
            raise OverflowError("ticket numbers are exhausted")
        last = _advance(count)
    return [format_number(value) for value in range(last - count + 1, last + 1)]


def draw_ticket_number() -> str:
    return draw_ticket_numbers(1)[0]


def update_returns_rows(connection) -> bool:
    """Whether the database answers ``UPDATE … RETURNING``: PostgreSQL, and SQLite from 3.35."""
    if connection.vendor == "postgresql":
        return True
    return connection.vendor == "sqlite" and connection.Database.sqlite_version_info >= (3, 35)


def _advance(count: int) -> int | None:
    """Move the counter on by ``count``; the new last number, or None if there is no counter or no room.

    A counter without room for ``count`` more numbers is left as it is.
    """
    alias = router.db_for_write(TicketNumberCounter)
    connection = connections[alias]
    if not update_returns_rows(connection):
        # UPDATE, then read the row this transaction has locked.
        with transaction.atomic(using=alias, savepoint=False):
            moved = TicketNumberCounter.objects.filter(pk=COUNTER_PK, last_value__lte=LAST_NUMBER - count).update(
                last_value=F("last_value") + count
            )
            if not moved:
                return None
            return TicketNumberCounter.objects.values_list("last_value", flat=True).get(pk=COUNTER_PK)
    table = connection.ops.quote_name(TicketNumberCounter._meta.db_table)
    pk, value = connection.ops.quote_name(_column("id")), connection.ops.quote_name(_column("last_value"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {value} = {value} + %s WHERE {pk} = %s AND {value} <= %s RETURNING {value}",  # noqa: S608 (names quoted, values bound)
            [count, COUNTER_PK, LAST_NUMBER - count],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _column(field_name: str) -> str:
    field = TicketNumberCounter._meta.get_field(field_name)
    if not isinstance(field, Field) or not field.column:  # a relation to many: no column of its own
        raise LookupError(field_name)
    return field.column


def _create_counter() -> None:
    try:
        with transaction.atomic():
            TicketNumberCounter.objects.create(pk=COUNTER_PK, last_value=settings.TESSERA_TICKET_NUMBER_START - 1)
    except IntegrityError:
        pass  # another process created it first; the update will now find it


def reserve_numbers_through(value: int) -> None:
    """New tickets are numbered after ``value`` (the highest number of imported tickets) from now on.

    The counter only ever moves up: ``UPDATE … SET last_value = GREATEST(last_value, value)``. Run it
    inside the transaction that writes the imported tickets: the counter row stays locked until that
    commits, so a ticket created meanwhile waits and then draws a number above every imported one.
    A new installation without a counter starts it at ``value``: the old portal's numbers continue.
    """
    if not 1 <= value <= LAST_NUMBER:
        raise ValueError(f"ticket numbers are 1..{LAST_NUMBER}")
    alias = router.db_for_write(TicketNumberCounter)
    connection = connections[alias]
    table = connection.ops.quote_name(TicketNumberCounter._meta.db_table)
    pk, column = connection.ops.quote_name(_column("id")), connection.ops.quote_name(_column("last_value"))
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    with transaction.atomic(using=alias, savepoint=False), connection.cursor() as cursor:
        for _attempt in range(2):
            cursor.execute(
                f"UPDATE {table} SET {column} = {greatest}({column}, %s) WHERE {pk} = %s",  # noqa: S608 (names quoted, values bound)
                [value, COUNTER_PK],
            )
            if cursor.rowcount:
                return
            try:
                with transaction.atomic(using=alias):
                    TicketNumberCounter.objects.using(alias).create(pk=COUNTER_PK, last_value=value)
                return
            except IntegrityError:
                continue  # created meanwhile by another process: the update now finds it
        raise RuntimeError("the ticket number counter could not be moved")
