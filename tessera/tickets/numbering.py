"""Ticket numbers: 10 digits, zero-padded, unique and never reused.

One counter row is incremented with an UPDATE, which locks the row until the
surrounding transaction ends; concurrent creators wait for each other instead
of drawing the same number. A rolled back transaction rolls its draw back too,
so no committed ticket ever shares a number with another.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from .models import TicketNumberCounter

COUNTER_PK = 1
NUMBER_WIDTH = 10


def format_number(value: int) -> str:
    return f"{value:0{NUMBER_WIDTH}d}"


@transaction.atomic
def draw_ticket_numbers(count: int = 1) -> list[str]:
    if count < 1:
        raise ValueError("count must be at least 1")
    while not TicketNumberCounter.objects.filter(pk=COUNTER_PK).update(last_value=F("last_value") + count):
        try:
            with transaction.atomic():
                TicketNumberCounter.objects.create(
                    pk=COUNTER_PK, last_value=settings.TESSERA_TICKET_NUMBER_START - 1
                )
        except IntegrityError:
            pass  # another process created it first; the update will now find it
    last = TicketNumberCounter.objects.values_list("last_value", flat=True).get(pk=COUNTER_PK)
    if last >= 10**NUMBER_WIDTH:
        raise OverflowError("ticket numbers are exhausted")
    return [format_number(value) for value in range(last - count + 1, last + 1)]


def draw_ticket_number() -> str:
    return draw_ticket_numbers(1)[0]
