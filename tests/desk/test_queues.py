"""The desk's queues through their pages: content, counts, filters, search, sort, pages and bulk actions."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tessera.tickets.models import Comment, Ticket, TicketEvent
from tessera.tickets.workflow import Status
from tests.factories import AgentFactory, CategoryFactory, ServiceTeamFactory, TicketFactory, create_tickets
from tests.html import parse


def queue_url(key: str = "mine") -> str:
    return reverse("desk:queue", kwargs={"queue": key})


def _get(client, key="mine", **params):
    response = client.get(queue_url(key), params)
    assert response.status_code == 200
    return response


def _listed(response) -> list[str]:
    """The ticket numbers of the rows, in order, as the page shows them."""
    return [row.testid.removeprefix("row-") for row in parse(response).find_all("tr", testid_prefix="row-")]


def _nav_counts(response) -> dict[str, int]:
    counts = {}
    for link in parse(response).find_all("a", testid_prefix="queue-"):
        count = link.find("span", class_="queue-count").find("span", aria_hidden="true").text
        if count.isdigit():  # "3+" says more than the counting limit: no number
            counts[link.testid.removeprefix("queue-")] = int(count)
    return counts


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def tickets(customer, agent, other_agent, category, outsider):
    other_team = CategoryFactory(name="Billing", service_team=ServiceTeamFactory(name="Accounting"))
    now = timezone.now()
    make = TicketFactory
    return {
        "mine": make(
            created_by=customer, category=category, status=Status.IN_PROCESS, assignee=agent, title="Printer jams"
        ),
        "mine_waiting": make(created_by=customer, category=category, status=Status.CUSTOMER_ACTION, assignee=agent),
        "team_new": make(created_by=customer, category=category, status=Status.OPEN),
        "other_team_new": make(created_by=outsider, category=other_team, status=Status.OPEN),
        "solution": make(
            created_by=customer, category=other_team, status=Status.SOLUTION_PROVIDED, assignee=other_agent
        ),
        "on_hold": make(created_by=customer, category=category, status=Status.ON_HOLD, assignee=other_agent),
        "closed_lately": make(
            created_by=customer,
            category=category,
            status=Status.COMPLETED,
            assignee=agent,
            closed_at=now - timedelta(days=3),
        ),
        "closed_long_ago": make(
            created_by=customer, category=category, status=Status.CANCELED, closed_at=now - timedelta(days=45)
        ),
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


# --- queues and their counts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(EXPECTED))
def test_each_queue_lists_its_tickets(client, agent, tickets, key):
    client.force_login(agent)
    response = _get(client, key)
    assert set(_listed(response)) == {tickets[name].number for name in EXPECTED[key]}
    assert parse(response).find(testid=f"queue-{key}").get("aria-current") == "page"


def test_every_queue_shows_its_count(client, agent, tickets):
    client.force_login(agent)
    counts = _nav_counts(_get(client, "open"))
    assert counts == {key: len(names) for key, names in EXPECTED.items()}


def test_large_queues_say_more_than_the_counting_limit(client, agent, tickets, monkeypatch):
    monkeypatch.setattr("tessera.tickets.selectors.queues.COUNT_LIMIT", 3)
    monkeypatch.setattr("tessera.tickets.selectors.queues.LIST_COUNT_LIMIT", 5)
    client.force_login(agent)
    response = _get(client, "open")  # six open tickets
    open_count = parse(response).find(testid="queue-open").find("span", class_="queue-count")
    assert open_count.text == "3+More than 3 tickets"  # "3+" shown, the sentence read out
    assert _nav_counts(response)["mine"] == 2  # below the limit: exact
    count = parse(response).find(testid="ticket-count").text
    assert count == "More than 5 tickets: filters and sorting find the others."
    assert len(_listed(response)) == 6  # the rows of the page are all there
    home = parse(client.get(reverse("desk:home")))
    assert home.find(testid="queue-open").find("span", class_="queue-tile-count").text == "3+More than 3 tickets"


def test_desk_home_shows_the_queues_with_counts(client, agent, tickets):
    client.force_login(agent)
    response = client.get(reverse("desk:home"))
    html = response.content.decode()
    assert {queue.key: count.value for queue, count, _icon in response.context["queues"]} == {
        key: len(names) for key, names in EXPECTED.items()
    }
    assert f'href="{queue_url("team-unassigned")}"' in html and "My teams — unassigned" in html
    assert f'href="{reverse("desk:queues")}"' in html  # the main navigation's "Queues"


def test_queues_address_opens_the_default_queue(client, agent):
    client.force_login(agent)
    response = client.get(reverse("desk:queues"))
    assert response.status_code == 302 and response["Location"] == queue_url("mine")


def test_unknown_queue_is_404(client, agent):
    client.force_login(agent)
    assert client.get(queue_url("everything")).status_code == 404


def test_empty_queue_says_so(client, agent):
    client.force_login(agent)
    assert "This queue is empty." in _get(client, "mine").content.decode()


def test_row_shows_every_column(client, agent, customer):
    deep = CategoryFactory(
        name="Totals",
        parent=CategoryFactory(
            name="Invoices",
            parent=CategoryFactory(
                name="Billing", parent=CategoryFactory(name="XDENT", service_team=ServiceTeamFactory(name="Dental"))
            ),
        ),
    )
    agent.first_name, agent.last_name = "Anna", "Agente"
    agent.save()
    ticket = TicketFactory(
        created_by=customer,
        category=deep,
        title="Totals <b>wrong</b>",
        priority=2,
        status=Status.AWAITING_RELEASE,
        assignee=agent,
        service_team=deep.path()[0].service_team,
        created_at=timezone.now() - timedelta(days=3),
        updated_at=timezone.now() - timedelta(hours=2),
    )
    client.force_login(agent)
    html = _get(client, "open").content.decode()
    detail = f"/desk/tickets/{ticket.number}/"
    row = parse(html).find(testid=f"row-{ticket.number}")
    assert row.find("a", class_="ticket-number").get("href") == detail
    title = row.find("a", class_="ticket-title")
    assert title.get("href") == detail and title.text == "Totals <b>wrong</b>"
    assert title.get("title") == "Totals <b>wrong</b>"  # the whole title on hover, however long
    assert row.find("td", class_="col-organization").text == "Praxis Rossi 100001"
    status = row.find("td", class_="col-status").find("span", class_="badge")
    assert status.text == "Awaiting a new version" and "badge-status-on_hold" in status.classes
    priority = row.find("td", class_="col-priority").find("span", class_="badge")
    assert "badge-priority-high" in priority.classes and priority.get("title") == "high (prio. 2)"
    assert row.find("td", class_="col-assignee").text == "Anna Agente"
    assert row.find("td", class_="col-team").text == "Dental"
    assert row.find("td", class_="col-category").text == "XDENT › Billing › Invoices › Totals"
    assert row.find("td", class_="col-updated").text == "2 hours ago"


def test_unassigned_and_teamless_rows_say_so(client, agent, customer):
    TicketFactory(created_by=customer, category=CategoryFactory(service_team=None), service_team=None)
    client.force_login(agent)
    html = _get(client, "open").content.decode()
    assert '<span class="muted">Not assigned</span>' in html and '<span class="muted">No team</span>' in html


# --- filters and search ----------------------------------------------------------------------------------------------


def test_filters_narrow_the_queue(client, agent, other_agent, tickets, service_team, outsider):
    client.force_login(agent)
    numbers = {name: ticket.number for name, ticket in tickets.items()}
    assert set(_listed(_get(client, "open", team=service_team.pk))) == {
        numbers[n] for n in ("mine", "mine_waiting", "team_new", "on_hold")
    }
    assert _listed(_get(client, "open", status="solution_provided")) == [numbers["solution"]]
    assert _listed(_get(client, "open", organization="200002")) == [numbers["other_team_new"]]
    assert set(_listed(_get(client, "open", assignee=other_agent.pk))) == {numbers["solution"], numbers["on_hold"]}
    assert set(_listed(_get(client, "open", assignee="none"))) == {numbers["team_new"], numbers["other_team_new"]}
    Ticket.objects.filter(pk=tickets["mine"].pk).update(priority=1)
    assert _listed(_get(client, "open", priority=1)) == [numbers["mine"]]
    # Filters add up, also inside a narrower queue.
    assert _listed(_get(client, "mine", priority=1, team=service_team.pk)) == [numbers["mine"]]
    assert _listed(_get(client, "on-hold", status="open")) == []


def test_category_filter_includes_sub_categories(client, agent, customer):
    top = CategoryFactory(name="XDENT")
    leaf = CategoryFactory(name="Totals", parent=CategoryFactory(name="Billing", parent=top))
    on_top = TicketFactory(created_by=customer, category=top)
    on_leaf = TicketFactory(created_by=customer, category=leaf)
    TicketFactory(created_by=customer, category=CategoryFactory(name="Other"))
    client.force_login(agent)
    response = _get(client, "open", category=top.pk)
    assert set(_listed(response)) == {on_top.number, on_leaf.number}
    assert f'<option value="{top.pk}" selected>XDENT</option>' in response.content.decode()
    assert f'<option value="{leaf.pk}">XDENT › Billing › Totals</option>' in response.content.decode()


def test_filter_form_keeps_the_choices(client, agent, other_agent, tickets, service_team):
    client.force_login(agent)
    html = _get(client, "open", team=service_team.pk, assignee=other_agent.pk, q="printer", status="open").content
    html = html.decode()
    assert f'<option value="{service_team.pk}" selected>Practice software</option>' in html
    assert f'<option value="{other_agent.pk}" selected>' in html
    assert '<option value="open" selected>Open</option>' in html
    assert 'value="printer"' in html
    assert "Clear filters" in html


def test_a_filter_that_is_not_offered_shows_an_error_and_filters_nothing(client, agent, tickets):
    client.force_login(agent)
    response = _get(client, "open", team="999999", status="nonsense", category="x", priority="9")
    html = response.content.decode()
    assert len(_listed(response)) == 6
    assert html.count('class="field-error"') == 4
    assert "Select a valid choice." in html


def test_filters_not_understood_are_named_in_a_notice_and_the_others_still_apply(client, agent, tickets):
    """?priority=99&team=abc used to be ignored silently: the page now says which values it ignored."""
    client.force_login(agent)
    response = _get(client, "open", priority="99", team="abc", status="solution_provided")
    assert response.status_code == 200
    notice = parse(response).find(testid="ignored-filters")
    items = [item.text for item in notice.find_all("li")]
    assert items == [
        "Service team 'abc' is not a valid choice; the filter was ignored.",
        "Priority '99' is not a valid choice; the filter was ignored.",
    ]
    assert "were ignored" in notice.text
    assert _listed(response) == [tickets["solution"].number]  # the valid status filter still applies
    status = parse(response).find("select", name="status").find("option", value="solution_provided")
    assert status.has("selected")  # and is kept in the form


def test_no_notice_when_every_filter_is_understood(client, agent, tickets, service_team):
    client.force_login(agent)
    response = _get(client, "open", priority="1", team=service_team.pk)
    assert not parse(response).exists(testid="ignored-filters")


def test_search(client, agent, tickets):
    client.force_login(agent)
    number = tickets["team_new"].number
    assert _listed(_get(client, "open", q=number)) == [number]
    assert _listed(_get(client, "open", q=number.lstrip("0"))) == [number]
    assert _listed(_get(client, "open", q="printer")) == [tickets["mine"].number]
    assert _listed(_get(client, "open", q="zahnarzt")) == [tickets["other_team_new"].number]
    assert _listed(_get(client, "open", q="200002")) == [tickets["other_team_new"].number]
    assert len(_listed(_get(client, "open", q="Praxis Rossi"))) == 5
    response = _get(client, "open", q="no such words")
    assert _listed(response) == [] and "No ticket of this queue matches the filters." in response.content.decode()


@pytest.mark.parametrize("odd", ["%", "_", "\x00", "' OR 1=1 --", "a" * 500, "#", "0" * 30])
def test_odd_searches_never_fail(client, agent, tickets, odd):
    client.force_login(agent)
    _get(client, "open", q=odd)


# --- sort ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sort", ["number", "title", "organization", "status", "priority", "assignee", "team", "created", "updated"]
)
def test_every_column_sorts_both_ways(client, agent, tickets, sort):
    client.force_login(agent)
    ascending = _listed(_get(client, "open", sort=sort))
    descending = _listed(_get(client, "open", sort=f"-{sort}"))
    assert sorted(ascending) == sorted(descending) and len(ascending) == 6


def test_sort_links_toggle_and_keep_the_filters(client, agent, tickets, service_team):
    client.force_login(agent)
    html = _get(client, "open", team=service_team.pk, sort="priority").content.decode()
    assert f'href="?team={service_team.pk}&amp;sort=-priority"' in html  # the current column turns around
    assert f'href="?team={service_team.pk}&amp;sort=title"' in html
    assert 'aria-sort="ascending"' in html


def test_sort_orders_the_rows(client, agent, customer, outsider, category):
    high = TicketFactory(created_by=outsider, category=category, priority=1)
    low = TicketFactory(created_by=customer, category=category, priority=4)
    client.force_login(agent)
    assert _listed(_get(client, "open", sort="priority")) == [high.number, low.number]
    assert _listed(_get(client, "open", sort="-priority")) == [low.number, high.number]
    assert _listed(_get(client, "open", sort="organization")) == [low.number, high.number]
    assert _listed(_get(client, "open", sort="drop table")) == [low.number, high.number]  # latest change first


# --- pages -----------------------------------------------------------------------------------------------------------


def test_pages_of_25_keep_filter_and_sort(client, agent, customer, category, service_team):
    created = create_tickets(30, created_by=customer, category=category)
    client.force_login(agent)
    first = _get(client, "open", team=service_team.pk, sort="number")
    assert _listed(first) == [t.number for t in created[:25]]
    assert f'href="?team={service_team.pk}&amp;sort=number&amp;page=2"' in first.content.decode()
    assert "30 tickets" in first.content.decode()
    second = _get(client, "open", team=service_team.pk, sort="number", page=2)
    assert _listed(second) == [t.number for t in created[25:]]
    assert _listed(_get(client, "open", sort="number", page="999")) == [t.number for t in created[25:]]
    assert _listed(_get(client, "open", sort="number", page="x")) == [t.number for t in created[:25]]


@pytest.mark.parametrize("key", [key for key in EXPECTED if key not in {"breaching-soon", "overdue"}])  # tests/sla
def test_queue_pages_issue_a_constant_number_of_queries(client, agent, customer, key, django_assert_max_num_queries):
    deep = CategoryFactory(
        name="D",
        service_team=agent.service_teams.first(),
        parent=CategoryFactory(name="C", parent=CategoryFactory(name="B", parent=CategoryFactory(name="A"))),
    )
    closed = {"status": Status.COMPLETED, "closed_at": timezone.now()} if key == "recently-closed" else {}
    status = {"waiting": Status.CUSTOMER_ACTION, "on-hold": Status.ON_HOLD}.get(key)
    fields = {**closed, **({"status": status} if status else {})}
    if key == "updated":
        fields["customer_updated_at"] = timezone.now()
    assignee = {} if key == "team-unassigned" else {"assignee": agent}

    def measure(**params) -> int:
        with django_assert_max_num_queries(10) as captured:  # 2 of them: the saved views and the agent's teams
            response = client.get(queue_url(key), params)
        assert response.status_code == 200
        return len(captured.captured_queries)

    create_tickets(5, created_by=customer, category=deep, **fields, **assignee)
    client.force_login(agent)
    ignored = {"priority": "99", "team": "abc", "category": "x"}  # named in a notice: no query more
    few = [
        measure(),
        measure(sort="assignee", q="bulk"),
        measure(category=deep.parent.pk, sort="-team"),
        measure(**ignored),
    ]
    create_tickets(195, created_by=customer, category=deep, **fields, **assignee)
    assert len(_listed(client.get(queue_url(key)))) == 25
    assert [
        measure(),
        measure(sort="assignee", q="bulk"),
        measure(category=deep.parent.pk, sort="-team"),
        measure(**ignored),
    ] == few


# --- bulk actions ----------------------------------------------------------------------------------------------------


def _bulk(client, key="open", params="", **data):
    return client.post(queue_url(key) + params, data)


def test_bulk_assign_to_me(client, agent, tickets):
    client.force_login(agent)
    chosen = [tickets["team_new"], tickets["other_team_new"]]
    response = _bulk(client, "open", "?sort=number&page=1", ticket=[t.number for t in chosen], operation="assign_me")
    assert response.status_code == 302 and response["Location"] == queue_url("open") + "?sort=number&page=1"
    for ticket in chosen:
        ticket.refresh_from_db()
        assert ticket.assignee == agent
        assert TicketEvent.objects.filter(ticket=ticket, type=TicketEvent.Type.ASSIGNED, actor=agent).exists()
    assert _messages(client.get(response["Location"])) == ["2 tickets changed."]


def test_bulk_assign_to_another_agent_and_unassign(client, agent, other_agent, tickets):
    client.force_login(agent)
    chosen = [tickets["mine"].number, tickets["team_new"].number]
    _bulk(client, ticket=chosen, operation="assign", assignee=other_agent.pk)
    assert set(Ticket.objects.filter(number__in=chosen).values_list("assignee", flat=True)) == {other_agent.pk}
    _bulk(client, ticket=chosen, operation="unassign")
    assert set(Ticket.objects.filter(number__in=chosen).values_list("assignee", flat=True)) == {None}
    assert TicketEvent.objects.filter(type=TicketEvent.Type.UNASSIGNED).count() == 2


def test_bulk_assign_needs_an_agent_and_keeps_the_choices(client, agent, tickets, customer):
    client.force_login(agent)
    number = tickets["team_new"].number
    response = _bulk(client, ticket=[number], operation="assign", message="kept")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose the agent to assign the tickets to." in html
    assert f'value="{number}" id="select-{number}" checked' in html
    assert '<option value="assign" selected>' in html and "kept</textarea>" in html
    # Only agents are offered: a customer's id is not a choice.
    response = _bulk(client, ticket=[number], operation="assign", assignee=customer.pk)
    assert "Select a valid choice." in response.content.decode()
    assert Ticket.objects.get(number=number).assignee is None


def test_bulk_status_change_reports_each_refusal(client, agent, customer, category):
    new = TicketFactory(created_by=customer, category=category, status=Status.OPEN)
    working = TicketFactory(created_by=customer, category=category, status=Status.IN_PROCESS)
    held = TicketFactory(created_by=customer, category=category, status=Status.ON_HOLD)
    done = TicketFactory(created_by=customer, category=category, status=Status.COMPLETED, closed_at=timezone.now())
    canceled = TicketFactory(created_by=customer, category=category, status=Status.CANCELED)
    client.force_login(agent)
    chosen = [t.number for t in (canceled, new, working, held, done)]
    response = _bulk(client, "open", ticket=chosen, operation="status:hold")
    assert response.status_code == 302
    assert _messages(client.get(response["Location"])) == [
        f"2 changed, 3 refused: {held.number} (not allowed from Interrupted); "
        f"{done.number} (not allowed from Completed); {canceled.number} (not allowed from Canceled by customer)"
    ]
    statuses = dict(Ticket.objects.values_list("number", "status"))
    assert statuses == {
        new.number: "on_hold",
        working.number: "on_hold",
        held.number: "on_hold",
        done.number: "completed",
        canceled.number: "canceled",
    }
    assert TicketEvent.objects.filter(type=TicketEvent.Type.STATUS_CHANGED).count() == 2


def test_bulk_request_for_information_needs_the_message(client, agent, tickets):
    client.force_login(agent)
    chosen = [tickets["mine"].number, tickets["team_new"].number]
    response = _bulk(client, ticket=chosen, operation="status:request_info", message="  ")
    assert response.status_code == 200
    assert "Write the message the customer will receive." in response.content.decode()
    assert not Ticket.objects.filter(number__in=chosen, status=Status.CUSTOMER_ACTION).exists()

    response = _bulk(client, ticket=chosen, operation="status:request_info", message="Which version runs?")
    assert response.status_code == 302
    assert Ticket.objects.filter(number__in=chosen, status=Status.CUSTOMER_ACTION).count() == 2
    assert Comment.objects.filter(body="Which version runs?", is_internal=False, author=agent).count() == 2


def test_bulk_solution_refused_on_closed_tickets_without_writing_the_message(client, agent, tickets):
    client.force_login(agent)
    closed, long_closed, open_ = tickets["closed_lately"], tickets["closed_long_ago"], tickets["mine"]
    response = _bulk(
        client,
        "open",
        ticket=[closed.number, open_.number, long_closed.number],
        operation="status:provide_solution",
        message="Update to 5.2.",
    )
    assert _messages(client.get(response["Location"])) == [
        f"1 changed, 2 refused: {closed.number} (not allowed from Completed); "
        f"{long_closed.number} (not allowed from Canceled by customer)"
    ]
    assert list(Comment.objects.values_list("ticket__number", flat=True)) == [open_.number]


def test_bulk_needs_a_selection_and_an_action(client, agent, tickets):
    client.force_login(agent)
    html = _bulk(client, operation="assign_me").content.decode()
    assert "Select at least one ticket." in html
    html = _bulk(client, ticket=[tickets["mine"].number]).content.decode()
    assert "This field is required." in html
    html = _bulk(client, ticket=["abc"], operation="assign_me").content.decode()
    assert "Select tickets from the list." in html
    html = _bulk(client, ticket=[tickets["mine"].number], operation="status:accept_solution").content.decode()
    assert "Select a valid choice." in html  # customer actions are not offered


def test_bulk_on_tickets_the_agent_may_not_see_says_not_found(client, agent, tickets, settings):
    settings.TESSERA_AGENTS_SEE_ONLY_TEAM_TICKETS = True
    foreign, own = tickets["other_team_new"], tickets["team_new"]
    client.force_login(agent)
    response = _bulk(client, ticket=[foreign.number, own.number, "0000000001"], operation="assign_me")
    assert _messages(client.get(response["Location"])) == [
        f"1 changed, 2 refused: {foreign.number}, 0000000001 (not found)"
    ]
    foreign.refresh_from_db()
    assert foreign.assignee is None and not TicketEvent.objects.filter(ticket=foreign).exists()


def test_agents_see_only_their_teams_tickets_where_the_setting_says_so(client, agent, tickets, settings):
    settings.TESSERA_AGENTS_SEE_ONLY_TEAM_TICKETS = True
    client.force_login(agent)
    response = _get(client, "open")
    assert set(_listed(response)) == {tickets[n].number for n in ("mine", "mine_waiting", "team_new", "on_hold")}
    assert _nav_counts(response)["open"] == 4 and _nav_counts(response)["waiting"] == 1
    assert _listed(_get(client, "open", q=tickets["solution"].number)) == []


def test_an_agent_without_a_team_sees_only_his_own_with_the_setting(client, tickets, settings):
    settings.TESSERA_AGENTS_SEE_ONLY_TEAM_TICKETS = True
    loner = AgentFactory(email="loner@vendor.test")
    Ticket.objects.filter(pk=tickets["solution"].pk).update(assignee=loner)
    client.force_login(loner)
    response = _get(client, "open")
    assert _listed(response) == [tickets["solution"].number]
    assert _nav_counts(response) == {
        "mine": 1,
        "team-unassigned": 0,
        "waiting": 1,
        "on-hold": 0,
        "updated": 0,
        "open": 1,
        "recently-closed": 0,
        "breaching-soon": 0,
        "overdue": 0,
    }


def test_customers_and_anonymous_users_never_see_a_queue(client, customer, manager, org_admin, outsider, tickets):
    for user in (customer, manager, org_admin, outsider):
        client.force_login(user)
        assert client.get(queue_url("open")).status_code == 404
        response = client.post(queue_url("open"), {"ticket": [tickets["mine"].number], "operation": "unassign"})
        assert response.status_code == 404
    client.logout()
    response = client.get(queue_url("open"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert Ticket.objects.get(pk=tickets["mine"].pk).assignee is not None
