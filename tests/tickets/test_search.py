"""The "My tickets" filter (tessera.tickets.selectors.listing), its search and sort (selectors.text_search,
selectors.sorting) and the saved default filter."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import QueryDict
from django.utils import timezone, translation

from tessera.tickets.models import SavedTicketFilter, Ticket
from tessera.tickets.selectors.listing import TicketListFilter, filter_is_explicit, ticket_list, ticket_list_filter_from
from tessera.tickets.selectors.sorting import DEFAULT_SORT, LIST_SORT_KEYS, sort_tickets
from tessera.tickets.selectors.text_search import MAX_QUERY_LENGTH, clean_query, search_tickets
from tessera.tickets.services import saved_ticket_filter_save
from tessera.tickets.workflow import Status
from tests.factories import CategoryFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


def _params(query: str = "") -> QueryDict:
    return QueryDict(query)


def _numbers(tickets) -> list[str]:
    return list(tickets.values_list("number", flat=True))


# --- parsing the filter -----------------------------------------------------------------------------------------


def test_filter_from_query_string():
    params = _params("status=open&status=completed&own=1&q=printer&sort=-title")
    f = ticket_list_filter_from(params, may_filter_own=True)
    assert f == TicketListFilter(statuses=("open", "completed"), only_own=True, query="printer", sort="-title")


def test_unknown_statuses_and_sorts_are_ignored_never_errors():
    f = ticket_list_filter_from(_params("status=bogus&status=open&sort=password&q=%00x"))
    assert f.statuses == ("open",)
    assert f.sort == DEFAULT_SORT
    assert f.query == "x"


def test_every_status_ticked_is_the_same_as_none():
    query = "&".join(f"status={s}" for s in Status)
    assert ticket_list_filter_from(_params(query)).statuses == ()
    assert ticket_list_filter_from(_params("status=all")).statuses == ()


def test_only_own_needs_the_right_to_see_the_organizations_tickets():
    assert ticket_list_filter_from(_params("own=1"), may_filter_own=False).only_own is False
    assert ticket_list_filter_from(_params("own=1"), may_filter_own=True).only_own is True


def test_query_is_trimmed_and_bounded():
    assert clean_query("  two   words \n") == "two words"
    assert len(clean_query("x" * 5000)) == MAX_QUERY_LENGTH


def test_saved_filter_applies_only_without_explicit_filter(customer):
    saved = SavedTicketFilter(user=customer, statuses=["completed"], only_own=True)
    assert ticket_list_filter_from(_params(), saved=saved, may_filter_own=True).statuses == ("completed",)
    assert ticket_list_filter_from(_params("q=x&sort=title"), saved=saved, may_filter_own=True).only_own is True
    assert ticket_list_filter_from(_params("status=all"), saved=saved, may_filter_own=True).statuses == ()
    assert ticket_list_filter_from(_params("status=open"), saved=saved, may_filter_own=True).only_own is False


def test_filter_params_are_always_explicit():
    for f in (TicketListFilter(), TicketListFilter(statuses=("open",), only_own=True, query="a b", sort="number")):
        params = QueryDict(f.query_string())
        assert filter_is_explicit(params)
        assert ticket_list_filter_from(params, may_filter_own=True) == f


# --- search -------------------------------------------------------------------------------------------------------


@pytest.fixture
def searchable(customer, category):
    return {
        "printer": TicketFactory(
            created_by=customer, category=category, title="Printer does not print",
            description="The label printer in room 2 is offline.",
        ),
        "invoice": TicketFactory(
            created_by=customer, category=category, title="Invoice totals wrong",
            description="The monthly report shows a different total.",
        ),
        "xray": TicketFactory(
            created_by=customer, category=category, title="Radiografia non importata",
            description="L'immagine della radiografia panoramica non arriva.",
        ),
    }


def test_search_by_full_number(searchable):
    ticket = searchable["invoice"]
    assert _numbers(search_tickets(Ticket.objects.all(), ticket.number)) == [ticket.number]


def test_search_by_number_without_leading_zeros(searchable):
    ticket = searchable["invoice"]
    short = ticket.number.lstrip("0")
    assert len(short) < len(ticket.number)
    assert _numbers(search_tickets(Ticket.objects.all(), short)) == [ticket.number]
    assert _numbers(search_tickets(Ticket.objects.all(), f"#{short}")) == [ticket.number]


def test_search_by_title_word_any_case(searchable):
    assert _numbers(search_tickets(Ticket.objects.all(), "PRINTER")) == [searchable["printer"].number]


def test_search_by_description_word(searchable):
    assert _numbers(search_tickets(Ticket.objects.all(), "offline")) == [searchable["printer"].number]


def test_search_words_are_prefixes_and_all_must_match(searchable):
    assert _numbers(search_tickets(Ticket.objects.all(), "radiograf panoram")) == [searchable["xray"].number]
    assert _numbers(search_tickets(Ticket.objects.all(), "radiografia printer")) == []


def test_search_without_match_and_odd_input(searchable):
    assert _numbers(search_tickets(Ticket.objects.all(), "zebra")) == []
    for odd in ("!!!", "'", '"', "a & b | !c", ":*", "\\", "(", "%", "_", "x" * 500, "1" * 30):
        list(search_tickets(Ticket.objects.all(), odd))  # never an error


def test_empty_search_returns_everything(searchable):
    assert search_tickets(Ticket.objects.all(), "   ").count() == 3


def test_the_customer_list_does_not_find_tickets_by_their_organization_the_desk_does(customer, category):
    """One search for both lists: only the desk's also matches the organization (a customer's are all theirs)."""
    ticket = TicketFactory(created_by=customer, category=category, title="Printer jams")
    name = customer.membership.organization.name
    assert _numbers(ticket_list(customer, ticket_filter=TicketListFilter(query=name))) == []
    assert _numbers(search_tickets(Ticket.objects.all(), name, by_organization=True)) == [ticket.number]


@pytest.mark.postgres(reason="full-text search and its GIN index are PostgreSQL's")
def test_postgres_search_uses_the_gin_index(searchable):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'ticket_search_simple'")
        (indexdef,) = cursor.fetchone()
        assert "gin" in indexdef and "to_tsvector" in indexdef
        queryset = search_tickets(Ticket.objects.all(), "printer")
        sql, params = queryset.query.sql_with_params()
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "ticket_search_simple" in plan


def test_search_needs_no_postgres_app_installed(settings):
    assert "django.contrib.postgres" not in settings.INSTALLED_APPS


# --- sorting --------------------------------------------------------------------------------------------------------


@pytest.fixture
def sortable(organization, category):
    from tests.factories import MembershipFactory

    anna = MembershipFactory(organization=organization, user=UserFactory(first_name="Anna", last_name="Zeta")).user
    bruno = MembershipFactory(organization=organization, user=UserFactory(first_name="Bruno", last_name="Alfa")).user
    top_a = CategoryFactory(name="Alpha")
    top_b = CategoryFactory(name="Beta")
    deep_b = CategoryFactory(name="Aaa", parent=CategoryFactory(name="Zzz", parent=top_b))
    now = timezone.now()
    first = TicketFactory(
        created_by=bruno, category=deep_b, title="banana", status=Status.COMPLETED, priority=4,
        created_at=now - timedelta(days=3), updated_at=now - timedelta(days=1),
    )
    second = TicketFactory(
        created_by=anna, category=top_a, title="Apple", status=Status.OPEN, priority=1,
        created_at=now - timedelta(days=2), updated_at=now - timedelta(days=3),
    )
    third = TicketFactory(
        created_by=anna, category=top_b, title="cherry", status=Status.IN_PROCESS, priority=2,
        created_at=now - timedelta(days=1), updated_at=now - timedelta(days=2),
    )
    return first, second, third


EXPECTED_ASCENDING = {
    "number": (0, 1, 2),
    "title": (1, 0, 2),  # Apple, banana, cherry: whatever the case
    "status": (0, 2, 1),  # Completed, In process, Open
    "priority": (1, 2, 0),  # prio. 1, 2, 4
    "created_by": (1, 2, 0),  # Anna (older ticket id first), Anna, Bruno
    "created": (0, 1, 2),
    "updated": (1, 2, 0),
    "category": (1, 2, 0),  # Alpha, Beta, Beta › Zzz › Aaa
}


def test_every_sortable_column_is_tested():
    assert set(EXPECTED_ASCENDING) == set(LIST_SORT_KEYS)


@pytest.mark.parametrize("key", list(EXPECTED_ASCENDING))
def test_sort_by_every_column_both_ways(sortable, key):
    expected = [sortable[i].number for i in EXPECTED_ASCENDING[key]]
    with translation.override("en"):
        assert _numbers(sort_tickets(Ticket.objects.all(), key)) == expected
        assert _numbers(sort_tickets(Ticket.objects.all(), f"-{key}")) == expected[::-1]


def test_unknown_sort_falls_back_to_latest_change_first(sortable):
    assert _numbers(sort_tickets(Ticket.objects.all(), "nonsense")) == _numbers(
        sort_tickets(Ticket.objects.all(), DEFAULT_SORT)
    )


# --- the list selector ----------------------------------------------------------------------------------------------


def test_ticket_list_combines_filter_search_and_visibility(customer, colleague, manager, outsider, category):
    own_open = TicketFactory(created_by=customer, category=category, title="Printer", status=Status.OPEN)
    TicketFactory(created_by=customer, category=category, title="Printer", status=Status.COMPLETED)
    colleagues = TicketFactory(created_by=colleague, category=category, title="Printer", status=Status.OPEN)
    TicketFactory(created_by=outsider, category=category, title="Printer", status=Status.OPEN)
    open_printers = TicketListFilter(statuses=(Status.OPEN,), query="printer")
    assert _numbers(ticket_list(customer, ticket_filter=open_printers)) == [own_open.number]
    assert set(_numbers(ticket_list(manager, ticket_filter=open_printers))) == {own_open.number, colleagues.number}
    assert _numbers(ticket_list(colleague, ticket_filter=TicketListFilter(only_own=True))) == [colleagues.number]


# --- saving the default filter --------------------------------------------------------------------------------------


def test_save_creates_then_updates_the_one_default(manager):
    saved_ticket_filter_save(user=manager, statuses=["open", "bogus", "in_process"], only_own=True)
    saved_ticket_filter_save(user=manager, statuses=["completed"], only_own=True)
    saved = SavedTicketFilter.objects.get(user=manager)
    assert saved.statuses == ["completed"] and saved.only_own is True


def test_basic_user_can_save_only_own(customer):
    # A basic user sees colleagues' tickets they are in CC of: "only own" narrows their list too (issue 13).
    saved = saved_ticket_filter_save(user=customer, statuses=["open"], only_own=True)
    assert saved.only_own is True


@pytest.mark.parametrize("persona", ["restricted_user", "unlinked_user", "agent", "inactive_member"])
def test_who_may_not_use_tickets_cannot_save(request, persona):
    with pytest.raises(PermissionDenied):
        saved_ticket_filter_save(user=request.getfixturevalue(persona), statuses=["open"])
    assert not SavedTicketFilter.objects.exists()
