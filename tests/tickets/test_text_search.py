"""A part of a ticket number finds the ticket ("270" finds 0800000270), only among the tickets the user may see."""

import pytest

from tessera.tickets.models import Ticket
from tessera.tickets.selectors.listing import TicketListFilter, ticket_list
from tessera.tickets.selectors.text_search import MIN_PARTIAL_NUMBER_DIGITS, is_partial_number, search_tickets
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def _numbers(tickets) -> list[str]:
    return sorted(tickets.values_list("number", flat=True))


@pytest.fixture
def numbered(customer, outsider, category):
    return {
        "mine": TicketFactory(created_by=customer, category=category, number="0800000270", title="Printer"),
        "other": TicketFactory(created_by=customer, category=category, number="0800000311", title="Scanner"),
        "outsider": TicketFactory(created_by=outsider, category=category, number="0800002701", title="Weber"),
    }


def test_a_part_of_the_number_finds_the_ticket(customer, numbered):
    found = ticket_list(customer, ticket_filter=TicketListFilter(query="270"))
    assert _numbers(found) == ["0800000270"]
    assert _numbers(ticket_list(customer, ticket_filter=TicketListFilter(query="#00027"))) == ["0800000270"]


def test_a_part_of_the_number_never_finds_tickets_the_user_may_not_see(customer, outsider, numbered):
    # "2701" is a part of the outsider's number only.
    assert _numbers(ticket_list(customer, ticket_filter=TicketListFilter(query="2701"))) == []
    assert _numbers(ticket_list(outsider, ticket_filter=TicketListFilter(query="270"))) == ["0800002701"]


def test_the_full_number_of_an_invisible_ticket_does_not_hide_visible_matches(customer, category, numbered):
    visible = TicketFactory(created_by=customer, category=category, title="Error 0800002701 on start")
    found = search_tickets(Ticket.objects.visible_to(customer), "0800002701", by_organization=True)
    assert _numbers(found) == [visible.number]


def test_too_few_digits_are_looked_for_as_words_only(customer, category, numbered):
    assert MIN_PARTIAL_NUMBER_DIGITS == 3
    assert not is_partial_number("27") and is_partial_number("270") and not is_partial_number("printer")
    titled = TicketFactory(created_by=customer, category=category, title="Room 27 printer")
    assert _numbers(ticket_list(customer, ticket_filter=TicketListFilter(query="27"))) == [titled.number]


def test_digits_also_find_titles_holding_them(customer, category, numbered):
    titled = TicketFactory(created_by=customer, category=category, title="Error 311 on start")
    found = ticket_list(customer, ticket_filter=TicketListFilter(query="311"))
    assert _numbers(found) == sorted(["0800000311", titled.number])
