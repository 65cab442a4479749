"""The desk's queues as selectors (tessera.tickets.selectors.queues): what each holds, counts, filters, search
and sort."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tessera.tickets import services
from tessera.tickets.models import Comment, Ticket, TicketEvent
from tessera.tickets.selectors import queues, sorting
from tessera.tickets.selectors.queues import QueueFilter
from tessera.tickets.workflow import Action, Status
from tests.factories import AgentFactory, CategoryFactory, ServiceTeamFactory, TicketFactory

pytestmark = pytest.mark.django_db


def _numbers(tickets) -> set[str]:
    return {ticket.number for ticket in tickets}


def _held(user, key: str, **filters) -> set[str]:
    return _numbers(queues.queue_tickets(user, queue=queues.QUEUES_BY_KEY[key], queue_filter=QueueFilter(**filters)))


@pytest.fixture
def tickets(customer, agent, other_agent, category, outsider):
    """One ticket for each place a ticket can stand, named by where it should appear."""
    other_team = CategoryFactory(name="Billing")
    now = timezone.now()
    make = TicketFactory
    return {
        "mine": make(created_by=customer, category=category, status=Status.IN_PROCESS, assignee=agent),
        "mine_waiting": make(created_by=customer, category=category, status=Status.CUSTOMER_ACTION, assignee=agent),
        "team_new": make(created_by=customer, category=category, status=Status.OPEN),
        "other_team_new": make(created_by=outsider, category=other_team, status=Status.OPEN),
        "solution": make(created_by=customer, category=other_team, status=Status.SOLUTION_PROVIDED,
                         assignee=other_agent),
        "on_hold": make(created_by=customer, category=category, status=Status.AWAITING_RELEASE, assignee=other_agent),
        "closed_lately": make(created_by=customer, category=category, status=Status.COMPLETED, assignee=agent,
                              closed_at=now - timedelta(days=29)),
        "closed_long_ago": make(created_by=customer, category=category, status=Status.CANCELED,
                                closed_at=now - timedelta(days=31)),
    }


EXPECTED = {
    "mine": {"mine", "mine_waiting"},
    "team-unassigned": {"team_new"},
    "waiting": {"mine_waiting", "solution"},
    "on-hold": {"on_hold"},
    "updated": set(),
    "open": {"mine", "mine_waiting", "team_new", "other_team_new", "solution", "on_hold"},
    "recently-closed": {"closed_lately"},
    "breaching-soon": set(),  # no SLA policy here: tests/sla/test_pages.py
    "overdue": set(),
}


@pytest.mark.parametrize("key", list(EXPECTED))
def test_each_queue_holds_its_tickets(agent, tickets, key):
    assert _held(agent, key) == {tickets[name].number for name in EXPECTED[key]}


def test_all_counts_in_one_query(agent, tickets, django_assert_num_queries):
    with django_assert_num_queries(1):
        counts = queues.queue_counts(agent)
    assert counts == {key: queues.TicketCount(len(names)) for key, names in EXPECTED.items()}


def test_counts_stop_at_the_limit(agent, tickets):
    counts = queues.queue_counts(agent, limit=3)
    assert counts["open"] == queues.TicketCount(3, more=True)  # six open tickets
    assert counts["mine"] == queues.TicketCount(2)  # below the limit: exact
    assert counts["on-hold"] == queues.TicketCount(1)


def test_a_limited_page_count_still_pages_through_the_first_tickets(agent, tickets):
    page = queues.LimitedCountPaginator(Ticket.objects.order_by("pk"), 2, limit=4).get_page(2)
    assert page.paginator.ticket_count == queues.TicketCount(4, more=True)
    assert page.paginator.num_pages == 2 and len(page.object_list) == 2


def test_recently_closed_follows_the_setting(agent, tickets, settings):
    settings.TESSERA_DESK_RECENTLY_CLOSED_DAYS = 60
    assert _held(agent, "recently-closed") == {tickets["closed_lately"].number, tickets["closed_long_ago"].number}
    assert "60 days" in str(queues.QUEUES_BY_KEY["recently-closed"].description)


def test_customers_see_nothing_in_any_queue(customer, org_admin, outsider, tickets):
    for user in (customer, org_admin, outsider):
        assert set(queues.queue_counts(user).values()) == {queues.TicketCount(0)}
        assert all(not _held(user, queue.key) for queue in queues.QUEUES)


def test_agents_of_a_team_only_see_their_teams_tickets_where_the_setting_says_so(agent, tickets, settings):
    settings.TESSERA_AGENTS_SEE_ONLY_TEAM_TICKETS = True
    # Not their team: other_team_new, solution (Billing, no team of the agent's); on_hold is in their team.
    assert _held(agent, "open") == {tickets[n].number for n in ("mine", "mine_waiting", "team_new", "on_hold")}
    counts = queues.queue_counts(agent)
    assert counts["open"].value == 4 and counts["waiting"].value == 1 and counts["mine"].value == 2
    for sort in sorting.QUEUE_SORT_KEYS:  # DISTINCT of the policy and every ORDER BY go together (PostgreSQL is strict)
        for direction in ("", "-"):
            assert len(_held(agent, "open", sort=direction + sort)) == 4


def test_a_ticket_assigned_to_an_agent_of_another_team_stays_in_his_mine(other_agent, tickets, settings):
    settings.TESSERA_AGENTS_SEE_ONLY_TEAM_TICKETS = True
    assert _held(other_agent, "mine") == {tickets["solution"].number, tickets["on_hold"].number}


def test_superusers_see_everything_even_with_the_setting(vendor_admin, tickets, settings):
    settings.TESSERA_AGENTS_SEE_ONLY_TEAM_TICKETS = True
    assert len(_held(vendor_admin, "open")) == 6


# --- filters -------------------------------------------------------------------------------------------------------


def test_filters(agent, other_agent, tickets, service_team, outsider):
    open_ = "open"
    assert _held(agent, open_, team=str(service_team.pk)) == {
        tickets[n].number for n in ("mine", "mine_waiting", "team_new", "on_hold")
    }
    assert _held(agent, open_, status=Status.SOLUTION_PROVIDED) == {tickets["solution"].number}
    assert _held(agent, open_, organization=outsider.membership.organization.customer_code.lower()) == {
        tickets["other_team_new"].number
    }
    assert _held(agent, open_, assignee=str(other_agent.pk)) == {tickets["solution"].number, tickets["on_hold"].number}
    assert _held(agent, open_, assignee=queues.NONE) == {tickets["team_new"].number, tickets["other_team_new"].number}
    Ticket.objects.filter(pk=tickets["team_new"].pk).update(priority=1, service_team=None)
    assert _held(agent, open_, priority=1) == {tickets["team_new"].number}
    assert _held(agent, open_, team=queues.NONE) == {tickets["team_new"].number}


def test_category_filter_matches_the_node_and_everything_below_it(agent, customer):
    level1 = CategoryFactory(name="XDENT")
    level2 = CategoryFactory(name="Billing", parent=level1)
    level3 = CategoryFactory(name="Invoices", parent=level2)
    level4 = CategoryFactory(name="Totals", parent=level3)
    elsewhere = CategoryFactory(name="Other")
    on = {node.name: TicketFactory(created_by=customer, category=node).number
          for node in (level1, level2, level3, level4, elsewhere)}
    assert _held(agent, "open", category=level1.pk) == {on[n] for n in ("XDENT", "Billing", "Invoices", "Totals")}
    assert _held(agent, "open", category=level3.pk) == {on["Invoices"], on["Totals"]}
    assert _held(agent, "open", category=level4.pk) == {on["Totals"]}
    assert _held(agent, "open", category=elsewhere.pk) == {on["Other"]}


# --- search ----------------------------------------------------------------------------------------------------------


@pytest.fixture
def searchable(customer, outsider, category):
    return {
        "printer": TicketFactory(created_by=customer, category=category, title="Printer jams",
                                 description="The label printer stops."),
        "invoice": TicketFactory(created_by=customer, category=category, title="Invoice totals",
                                 description="Rounding of the VAT is wrong."),
        "weber": TicketFactory(created_by=outsider, category=category, title="Login fails", description="Since May."),
    }


def test_search_by_number_with_or_without_leading_zeros(agent, searchable):
    number = searchable["invoice"].number
    assert _held(agent, "open", query=number) == {number}
    assert _held(agent, "open", query=number.lstrip("0")) == {number}
    assert _held(agent, "open", query=number[:-1]) == set()


@pytest.mark.parametrize(
    ("query", "found"),
    [("printer", {"printer"}), ("vat ROUNDING", {"invoice"}), ("zahnarzt", {"weber"}), ("weber", {"weber"}),
     ("200002", {"weber"}), ("100001", {"printer", "invoice"}), ("praxis", {"printer", "invoice"}),
     ("nothing-like-it", set())],
)
def test_search_by_text_organization_name_or_customer_code(agent, searchable, query, found):
    assert _held(agent, "open", query=query) == {searchable[name].number for name in found}


# --- sort ------------------------------------------------------------------------------------------------------------


def _ordered(user, key="open", **filters) -> list[str]:
    queue = queues.QUEUES_BY_KEY[key]
    return [t.number for t in queues.queue_tickets(user, queue=queue, queue_filter=QueueFilter(**filters))]


def test_sort_by_assignee_and_team_puts_empty_ones_last_both_ways(agent, customer, category):
    anna = AgentFactory(first_name="Anna", last_name="Zeta")
    bruno = AgentFactory(first_name="bruno", last_name="Alpha")
    a = TicketFactory(created_by=customer, category=category, assignee=anna)
    b = TicketFactory(created_by=customer, category=category, assignee=bruno)
    none = TicketFactory(created_by=customer, category=category, service_team=None)
    assert _ordered(agent, sort="assignee") == [a.number, b.number, none.number]
    assert _ordered(agent, sort="-assignee") == [b.number, a.number, none.number]
    assert _ordered(agent, sort="team")[-1] == none.number
    assert _ordered(agent, sort="-team")[-1] == none.number


def test_sort_by_organization_priority_and_number(agent, customer, outsider, category):
    rossi = TicketFactory(created_by=customer, category=category, priority=4)
    weber = TicketFactory(created_by=outsider, category=category, priority=1)
    assert _ordered(agent, sort="organization") == [rossi.number, weber.number]  # Praxis Rossi < Zahnarzt Weber
    assert _ordered(agent, sort="-organization") == [weber.number, rossi.number]
    assert _ordered(agent, sort="priority") == [weber.number, rossi.number]
    assert _ordered(agent, sort="number") == [rossi.number, weber.number]
    assert _ordered(agent, sort="-number") == [weber.number, rossi.number]


def test_unknown_sort_falls_back_to_the_latest_change_first(agent, customer, category):
    older = TicketFactory(created_by=customer, category=category, updated_at=timezone.now() - timedelta(hours=1))
    newer = TicketFactory(created_by=customer, category=category)
    assert sorting.clean_sort("password", sorting.QUEUE_SORT_KEYS) == sorting.DEFAULT_SORT
    sort = sorting.clean_sort("-password", sorting.QUEUE_SORT_KEYS)
    assert _ordered(agent, sort=sort) == [newer.number, older.number]


# --- what the filters offer, and bulk lookups ----------------------------------------------------------------------


def test_category_paths_in_tree_order(db):
    top = CategoryFactory(name="XDENT", position=2)
    CategoryFactory(name="Billing", parent=top)
    CategoryFactory(name="Alpha", position=1)
    assert [path for _node, path in queues.category_paths()] == ["Alpha", "XDENT", "XDENT › Billing"]


def test_agents_are_active_staff_only(agent, other_agent, customer):
    AgentFactory(email="gone@vendor.test", is_active=False)
    assert set(queues.agents()) == {agent, other_agent}


def test_bulk_lookup_is_scoped_and_pads_numbers(agent, tickets, settings):
    settings.TESSERA_AGENTS_SEE_ONLY_TEAM_TICKETS = True
    visible, hidden = tickets["team_new"], tickets["other_team_new"]
    found = queues.visible_tickets_by_number(agent, [visible.number.lstrip("0"), hidden.number, "x1", "1" * 11])
    assert found == [visible]


# --- bulk services -------------------------------------------------------------------------------------------------


def test_bulk_status_change_applies_the_transition_table_per_ticket(agent, customer, category):
    open_ = TicketFactory(created_by=customer, category=category, status=Status.OPEN)
    done = TicketFactory(created_by=customer, category=category, status=Status.COMPLETED)
    outcome = services.ticket_bulk_change_status(tickets=[done, open_], user=agent, action=Action.HOLD)
    assert [t.number for t in outcome.changed] == [open_.number]
    assert outcome.refused == [(done, "not allowed from Completed")]
    open_.refresh_from_db()
    done.refresh_from_db()
    assert (open_.status, done.status) == (Status.ON_HOLD, Status.COMPLETED)
    assert TicketEvent.objects.filter(ticket=open_, type=TicketEvent.Type.STATUS_CHANGED).count() == 1
    assert not TicketEvent.objects.filter(ticket=done).exists()


def test_bulk_request_needs_the_message_and_writes_it_to_each_ticket(agent, customer, category):
    first = TicketFactory(created_by=customer, category=category, status=Status.IN_PROCESS)
    second = TicketFactory(created_by=customer, category=category, status=Status.OPEN)
    with pytest.raises(ValidationError):
        services.ticket_bulk_change_status(tickets=[first, second], user=agent, action=Action.REQUEST_INFO)
    outcome = services.ticket_bulk_change_status(
        tickets=[first, second], user=agent, action=Action.REQUEST_INFO, message="Which version do you use?"
    )
    assert len(outcome.changed) == 2 and not outcome.refused
    assert Comment.objects.filter(body="Which version do you use?", is_internal=False).count() == 2


def test_bulk_assign_refuses_tickets_outside_the_agents_teams(agent, tickets, settings):
    settings.TESSERA_AGENTS_SEE_ONLY_TEAM_TICKETS = True
    mine, foreign = tickets["team_new"], tickets["other_team_new"]
    outcome = services.ticket_bulk_assign(tickets=[mine, foreign], user=agent, assignee=agent)
    assert [t.pk for t in outcome.changed] == [mine.pk]
    assert [t.pk for t, _reason in outcome.refused] == [foreign.pk]
    foreign.refresh_from_db()
    assert foreign.assignee is None


def test_bulk_assign_only_to_active_staff(agent, customer, tickets):
    with pytest.raises(ValidationError):
        services.ticket_bulk_assign(tickets=[tickets["team_new"]], user=agent, assignee=customer)


def test_teams_without_members_do_not_leak_into_my_teams(agent, customer):
    lonely = CategoryFactory(service_team=ServiceTeamFactory(name="Lonely"))
    TicketFactory(created_by=customer, category=lonely)
    assert _held(agent, "team-unassigned") == set()
