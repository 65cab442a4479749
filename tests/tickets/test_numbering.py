"""Ticket numbers: 10 digits, zero-padded, increasing, never reused, unique under concurrent creation."""

import threading

import pytest
from django.db import connection

from tessera.tickets import numbering
from tessera.tickets.models import Ticket, TicketNumberCounter
from tessera.tickets.numbering import draw_ticket_number, draw_ticket_numbers, format_number
from tessera.tickets.services import ticket_create


@pytest.fixture(params=["update returning", "update then select"])
def drawing(request, monkeypatch):
    """Both ways of drawing: one UPDATE … RETURNING, and UPDATE then SELECT where the database lacks RETURNING."""
    if request.param == "update then select":
        monkeypatch.setattr(numbering, "update_returns_rows", lambda connection: False)
    return request.param


def test_numbers_are_ten_digits_zero_padded(settings, customer, category):
    settings.TESSERA_TICKET_NUMBER_START = 42
    ticket = ticket_create(author=customer, title="Printer", category=category)
    assert ticket.number == "0000000042"
    assert Ticket.objects.get(pk=ticket.pk).number == "0000000042"


def test_default_numbers_are_ten_digits(customer, category):
    number = ticket_create(author=customer, title="Printer", category=category).number
    assert len(number) == 10 and number.isdigit()


def test_format_number():
    assert format_number(1) == "0000000001"
    assert format_number(9_999_999_999) == "9999999999"


def test_numbers_increase(customer, category):
    numbers = [ticket_create(author=customer, title=f"Ticket {i}", category=category).number for i in range(5)]
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == 5
    assert [int(n) for n in numbers] == list(range(int(numbers[0]), int(numbers[0]) + 5))


def test_a_deleted_tickets_number_is_never_handed_out_again(customer, category):
    first = ticket_create(author=customer, title="First", category=category)
    last = ticket_create(author=customer, title="Last", category=category)
    last_number = last.number
    last.delete()
    next_ticket = ticket_create(author=customer, title="Next", category=category)
    assert next_ticket.number not in {first.number, last_number}
    assert int(next_ticket.number) == int(last_number) + 1


def test_both_test_databases_draw_with_update_returning(db):
    assert numbering.update_returns_rows(connection)


def test_a_number_is_drawn_in_one_statement(db, django_assert_num_queries):
    draw_ticket_number()  # creates the counter
    with django_assert_num_queries(1) as captured:
        number = draw_ticket_number()
    assert "RETURNING" in captured.captured_queries[0]["sql"]
    assert TicketNumberCounter.objects.get().last_value == int(number)


def test_draw_several_numbers_at_once(db, drawing):
    before = draw_ticket_number()
    numbers = draw_ticket_numbers(5)
    assert [int(n) for n in numbers] == list(range(int(before) + 1, int(before) + 6))
    assert all(len(n) == 10 for n in numbers)
    assert int(draw_ticket_number()) == int(before) + 6


@pytest.mark.parametrize("count", [0, -1])
def test_drawing_fewer_than_one_number_is_refused(db, count):
    with pytest.raises(ValueError):
        draw_ticket_numbers(count)


def test_the_counter_starts_at_the_configured_number(db, settings, drawing):
    settings.TESSERA_TICKET_NUMBER_START = 800_000_000
    assert not TicketNumberCounter.objects.exists()
    assert draw_ticket_number() == "0800000000"
    assert TicketNumberCounter.objects.get().last_value == 800_000_000


def test_numbers_past_ten_digits_are_refused_and_nothing_is_drawn(db, drawing):
    TicketNumberCounter.objects.create(pk=1, last_value=9_999_999_997)
    with pytest.raises(OverflowError):
        draw_ticket_numbers(3)
    assert TicketNumberCounter.objects.get().last_value == 9_999_999_997
    assert draw_ticket_numbers(2) == ["9999999998", "9999999999"]
    with pytest.raises(OverflowError):
        draw_ticket_number()
    assert TicketNumberCounter.objects.get().last_value == 9_999_999_999


THREADS = 8
TICKETS_PER_THREAD = 25


@pytest.mark.postgres(reason="needs PostgreSQL row locking")
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("no_hourly_limits")
def test_concurrent_creation_hands_out_unique_numbers(customer, category):
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    numbers: list[str] = []
    lock = threading.Lock()

    def create_tickets(worker: int) -> None:
        try:
            barrier.wait(timeout=30)
            for i in range(TICKETS_PER_THREAD):
                ticket = ticket_create(author=customer, title=f"Worker {worker} #{i}", category=category)
                with lock:
                    numbers.append(ticket.number)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create_tickets, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert len(numbers) == THREADS * TICKETS_PER_THREAD
    assert len(set(numbers)) == THREADS * TICKETS_PER_THREAD
    stored = list(Ticket.objects.values_list("number", flat=True))
    assert len(stored) == THREADS * TICKETS_PER_THREAD
    assert sorted(stored) == sorted(numbers)
    # No gaps either: every draw that was committed belongs to a ticket.
    as_ints = sorted(int(n) for n in stored)
    assert as_ints == list(range(as_ints[0], as_ints[0] + THREADS * TICKETS_PER_THREAD))


@pytest.mark.django_db
def test_a_counter_created_by_another_process_meanwhile_is_not_taken_for_exhaustion(settings, monkeypatch):
    """The first tickets of a new installation, drawn at once: one creator's update finds no counter, and
    by the time it looks, another creator has made it. It must draw from it, not report the numbers used up."""
    settings.TESSERA_TICKET_NUMBER_START = 1
    real_advance = numbering._advance
    calls = []

    def advance_racing_another_creator(count):
        calls.append(count)
        if len(calls) == 1:  # the update ran before the other creator's counter was there
            TicketNumberCounter.objects.create(pk=numbering.COUNTER_PK, last_value=5)
            return None
        return real_advance(count)

    monkeypatch.setattr(numbering, "_advance", advance_racing_another_creator)
    assert draw_ticket_number() == "0000000006"
