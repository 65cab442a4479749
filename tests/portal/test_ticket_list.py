"""'My tickets': the list, its filter (saved as default), search, sort, pages and the side pane."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tessera.tickets.models import SavedTicketFilter
from tessera.tickets.workflow import Status
from tests.factories import PASSWORD, CategoryFactory, TicketCCFactory, TicketFactory, create_tickets
from tests.html import parse

LIST = reverse("portal:ticket_list")
UTC = ZoneInfo("UTC")
FILTER = reverse("portal:ticket_filter")


def _pane(number: str) -> str:
    return reverse("portal:ticket_pane", kwargs={"number": number})


def _page(client, url=LIST, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def _listed(html: str) -> list[str]:
    """The ticket numbers of the list's rows, in order."""
    return [row.testid.removeprefix("row-") for row in parse(html).find_all("tr", testid_prefix="row-")]


def _count(html: str) -> int:
    return int(parse(html).find(testid="ticket-count").text.removeprefix("Ticket count: "))


# --- what a row shows ----------------------------------------------------------------------------------------------


def test_row_shows_every_column(client, customer):
    top = CategoryFactory(name="XDENT")
    category = CategoryFactory(name="Leaf", parent=CategoryFactory(name="Billing", parent=top))
    ticket = TicketFactory(
        created_by=customer, category=category, title="Invoice <b>totals</b>", status=Status.SOLUTION_PROVIDED,
        priority=3, created_at=datetime(2025, 9, 28, 0, 59, tzinfo=UTC),
        updated_at=datetime(2025, 10, 2, 13, 5, tzinfo=UTC),
    )
    client.force_login(customer)
    html = _page(client)
    detail = reverse("portal:ticket_detail", kwargs={"number": ticket.number})
    assert f'href="{detail}"' in html
    assert "Invoice &lt;b&gt;totals&lt;/b&gt;" in html
    assert 'title="There is a solution ready for your ticket"' in html
    assert '<span class="visually-hidden">: There is a solution ready for your ticket</span>' in html
    assert "medium (prio. 3)" in html
    assert customer.get_full_name() in html
    assert "XDENT › Billing › Leaf" in html
    # English date format, Rome time (the site's time zone): 00:59 UTC is 02:59 in Rome.
    assert "<span>09/28/2025</span> <span>2:59 a.m.</span>" in html
    assert "<span>10/02/2025</span> <span>3:05 p.m.</span>" in html
    assert f'data-pane-url="{_pane(ticket.number)}"' in html and 'id="ticket-pane"' in html
    assert f'href="{LIST}?status=all&amp;page=1&amp;selected={ticket.number}"' in html  # the preview link


def test_dates_follow_the_users_language(client, customer, category):
    customer.language = "it"
    customer.save(update_fields=["language"])
    TicketFactory(created_by=customer, category=category, created_at=datetime(2025, 9, 28, 0, 59, tzinfo=UTC))
    client.force_login(customer)
    html = _page(client)
    assert '<html lang="it">' in html
    assert "<span>28/09/2025</span> <span>02:59</span>" in html


def test_empty_list_says_so(client, customer):
    client.force_login(customer)
    html = _page(client)
    assert "No tickets match this filter." in html and _count(html) == 0


def test_home_tile_and_navigation_lead_to_the_list(client, customer):
    client.force_login(customer)
    html = _page(client, reverse("portal:home"))
    assert html.count(f'href="{LIST}"') >= 2


# --- status filter, saved default, only own ---------------------------------------------------------------------------


@pytest.fixture
def mixed(customer, colleague, manager, category):
    return {
        "own_open": TicketFactory(created_by=manager, category=category, status=Status.OPEN),
        "own_done": TicketFactory(created_by=manager, category=category, status=Status.COMPLETED),
        "customer_process": TicketFactory(created_by=customer, category=category, status=Status.IN_PROCESS),
        "colleague_hold": TicketFactory(created_by=colleague, category=category, status=Status.ON_HOLD),
    }


def test_status_filter_shows_only_chosen_statuses(client, manager, mixed):
    client.force_login(manager)
    html = _page(client, status=["open", "in_process"])
    assert set(_listed(html)) == {mixed["own_open"].number, mixed["customer_process"].number}
    assert _count(html) == 2
    page = parse(html)
    assert page.find("input", name="status", value="open").has("checked")
    assert not page.find("input", name="status", value="completed").has("checked")


def test_status_filter_groups_open_and_closed(client, manager):
    client.force_login(manager)
    html = _page(client)
    page = parse(html)
    open_group, closed_group = page.find_all("fieldset", testid_prefix="status-group-")
    assert open_group.find("legend").text == "Open" and open_group.exists("input", value="in_process")
    assert closed_group.find("legend").text == "Closed" and closed_group.exists("input", value="canceled")
    assert len(page.find_all("input", type="checkbox", name="status")) == len(Status)


def test_filter_form_redirects_to_the_filtered_list(client, manager, mixed):
    client.force_login(manager)
    response = client.post(FILTER, {"status": ["completed"], "q": "", "sort": "-number", "action": "apply"})
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?status=completed&sort=-number"
    assert _listed(_page(client, response["Location"])) == [mixed["own_done"].number]
    assert not SavedTicketFilter.objects.exists()


def test_saved_filter_applies_in_a_new_session(client, manager, mixed):
    client.force_login(manager)
    response = client.post(FILTER, {"status": ["completed", "on_hold"], "action": "save"}, follow=True)
    assert "Your filter is saved" in response.content.decode()
    saved = SavedTicketFilter.objects.get(user=manager)
    assert saved.statuses == ["on_hold", "completed"]
    client.logout()
    response = client.post(reverse("accounts:login"), {"username": manager.email, "password": PASSWORD})
    assert response.status_code == 302
    html = _page(client)
    assert set(_listed(html)) == {mixed["own_done"].number, mixed["colleague_hold"].number}
    assert "Your saved filter is applied." in html
    # An explicit filter wins over the saved one.
    assert _count(_page(client, status="all")) == 4


def test_saving_no_status_means_every_status(client, manager, mixed):
    client.force_login(manager)
    client.post(FILTER, {"action": "save"})
    assert SavedTicketFilter.objects.get(user=manager).statuses == []
    assert _count(_page(client)) == 4


def test_saved_filter_is_the_users_own(client, manager, org_admin, mixed):
    SavedTicketFilter.objects.create(user=manager, statuses=["completed"])
    client.force_login(org_admin)
    assert _count(_page(client)) == 4


def test_only_own_toggle_for_managers_and_admins(client, manager, org_admin, mixed):
    client.force_login(manager)
    html = _page(client)
    assert "Only own tickets" in html and _count(html) == 4
    assert set(_listed(_page(client, own="1"))) == {mixed["own_open"].number, mixed["own_done"].number}
    client.force_login(org_admin)
    assert "Only own tickets" in _page(client) and _count(_page(client, own="1")) == 0


def test_only_own_saved_as_default(client, manager, mixed):
    client.force_login(manager)
    client.post(FILTER, {"own": "1", "action": "save"})
    assert SavedTicketFilter.objects.get(user=manager).only_own is True
    html = _page(client)
    assert _count(html) == 2 and parse(html).find("input", name="own", value="1").has("checked")


def test_basic_user_in_cc_has_the_only_own_toggle(client, customer, colleague, category):
    own = TicketFactory(created_by=customer, category=category)
    in_cc = TicketFactory(created_by=colleague, category=category)
    TicketCCFactory(ticket=in_cc, user=customer)
    hidden = TicketFactory(created_by=colleague, category=category)
    client.force_login(customer)
    html = _page(client)
    assert parse(html).find(testid="only-own").text == "Only own tickets"
    assert set(_listed(html)) == {own.number, in_cc.number}
    assert hidden.number not in html
    # "Only own" leaves out the colleague's ticket the user is in CC of; it can be the saved default too.
    assert _listed(_page(client, own="1")) == [own.number]
    client.post(FILTER, {"own": "1", "action": "save"})
    assert SavedTicketFilter.objects.get(user=customer).only_own is True
    assert _listed(_page(client)) == [own.number]


# --- search ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def searchable(manager, category):
    return {
        "printer": TicketFactory(created_by=manager, category=category, title="Printer offline"),
        "invoice": TicketFactory(
            created_by=manager, category=category, title="Wrong totals", description="The invoice sums are wrong"
        ),
    }


def test_search_by_number_with_and_without_zeros(client, manager, searchable):
    client.force_login(manager)
    number = searchable["invoice"].number
    assert _listed(_page(client, q=number)) == [number]
    assert _listed(_page(client, q=number.lstrip("0"))) == [number]


def test_search_by_title_and_text(client, manager, searchable):
    client.force_login(manager)
    assert _listed(_page(client, q="printer")) == [searchable["printer"].number]
    html = _page(client, q="invoice")
    assert _listed(html) == [searchable["invoice"].number]
    assert 'value="invoice"' in html and _count(html) == 1


def test_search_through_the_form_keeps_the_status_filter(client, manager, searchable):
    client.force_login(manager)
    response = client.post(FILTER, {"q": " printer ", "status": ["completed"], "action": "apply"})
    assert response["Location"] == f"{LIST}?status=completed&q=printer"
    assert _count(_page(client, response["Location"])) == 0


# --- sort and pages -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key", ["number", "title", "status", "priority", "created_by", "created", "updated", "category"]
)
def test_sort_by_every_column(client, manager, customer, key):
    first = TicketFactory(
        created_by=customer, category=CategoryFactory(name="A cat"), title="a", status=Status.COMPLETED, priority=1,
        created_at=datetime(2025, 1, 1, tzinfo=UTC), updated_at=datetime(2025, 1, 1, tzinfo=UTC),
    )
    second = TicketFactory(
        created_by=manager, category=CategoryFactory(name="B cat"), title="b", status=Status.OPEN, priority=4,
        created_at=datetime(2025, 2, 1, tzinfo=UTC), updated_at=datetime(2025, 2, 1, tzinfo=UTC),
    )
    customer.first_name, manager.first_name = "Alice", "Bob"
    customer.save()
    manager.save()
    client.force_login(manager)
    ascending = _page(client, sort=key)
    assert _listed(ascending) == [first.number, second.number]
    assert _listed(_page(client, sort=f"-{key}")) == [second.number, first.number]
    # The sorted column's header says so, and its link reverses the order.
    assert 'aria-sort="ascending"' in ascending
    reverse_link = 'href="?status=all"' if key == "updated" else f'href="?status=all&amp;sort=-{key}"'
    assert reverse_link in ascending  # -updated is the default order: no parameter needed


def test_default_order_is_latest_change_first(client, manager, customer, category):
    older = TicketFactory(created_by=customer, category=category, updated_at=datetime(2025, 1, 1, tzinfo=UTC))
    newer = TicketFactory(created_by=customer, category=category, updated_at=datetime(2025, 6, 1, tzinfo=UTC))
    client.force_login(manager)
    assert _listed(_page(client)) == [newer.number, older.number]


def test_pages_of_25_with_links_and_total_count(client, manager, category):
    create_tickets(30, created_by=manager, category=category)
    client.force_login(manager)
    first = _page(client, status="all", sort="number")
    assert len(_listed(first)) == 25 and _count(first) == 30
    assert 'href="?status=all&amp;sort=number&amp;page=2"' in first
    assert 'aria-current="page"' in first
    second = _page(client, status="all", sort="number", page=2)
    assert len(_listed(second)) == 5
    assert set(_listed(first)).isdisjoint(_listed(second))


def test_count_is_the_filtered_count(client, manager, category):
    create_tickets(3, created_by=manager, category=category, status=Status.OPEN)
    create_tickets(2, created_by=manager, category=category, status=Status.ERROR)
    client.force_login(manager)
    assert _count(_page(client, status="error")) == 2


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"}, {"page": "99999"}, {"page": "-1"}, {"sort": "password"}, {"sort": "-"},
        {"status": "<script>"}, {"q": "\x00"}, {"q": "' OR 1=1 --"}, {"q": "a & | ! :* ("}, {"own": "yes"},
        {"selected": "../../etc"}, {"selected": "08\x0000"}, {"q": "x" * 5000},
    ],
)
def test_odd_parameters_never_fail(client, manager, category, params):
    TicketFactory(created_by=manager, category=category)
    client.force_login(manager)
    _page(client, **params)


def test_filter_endpoint_only_takes_posts(client, manager):
    client.force_login(manager)
    assert client.get(FILTER).status_code == 405


# --- the side pane --------------------------------------------------------------------------------------------------


def test_pane_partial_shows_the_ticket_summary(client, customer):
    category = CategoryFactory(name="Sub", parent=CategoryFactory(name="Main"))
    ticket = TicketFactory(created_by=customer, category=category, title="Scanner", status=Status.CUSTOMER_ACTION)
    client.force_login(customer)
    response = client.get(_pane(ticket.number), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # a fragment for the pane
    for text in (ticket.number, "Scanner", "Customer action", "Further information is requested", "medium (prio. 3)",
                 "Opened on", "Last update", "Main › Sub", customer.get_full_name()):
        assert text in html
    assert f'href="{reverse("portal:ticket_detail", kwargs={"number": ticket.number})}"' in html
    assert "Open ticket" in html


def test_pane_without_javascript_is_a_page(client, customer, category):
    ticket = TicketFactory(created_by=customer, category=category)
    client.force_login(customer)
    html = _page(client, _pane(ticket.number))
    assert "<html" in html and "Open ticket" in html and "Back to my tickets" in html


def test_selected_ticket_is_shown_beside_the_list(client, customer, colleague, category):
    ticket = TicketFactory(created_by=customer, category=category, title="Chosen one")
    foreign = TicketFactory(created_by=colleague, category=category, title="Not yours")
    client.force_login(customer)
    html = _page(client, selected=ticket.number)
    assert 'data-testid="ticket-pane"' in html and 'aria-current="true"' in html
    html = _page(client, selected=foreign.number)
    assert 'data-testid="ticket-pane"' not in html and "Not yours" not in html


def test_pane_is_404_for_tickets_out_of_sight(client, customer, colleague, outsider, category):
    colleagues = TicketFactory(created_by=colleague, category=category)
    outsiders = TicketFactory(created_by=outsider, category=category)
    client.force_login(customer)
    assert client.get(_pane(colleagues.number)).status_code == 404
    assert client.get(_pane("0000000000")).status_code == 404
    assert client.get(_pane("08%00")).status_code == 404
    client.force_login(outsider)
    assert client.get(_pane(colleagues.number), headers={"HX-Request": "true"}).status_code == 404
    assert client.get(_pane(outsiders.number)).status_code == 200


def test_pane_for_a_ticket_in_cc(client, customer, colleague, category):
    ticket = TicketFactory(created_by=colleague, category=category)
    TicketCCFactory(ticket=ticket, user=customer)
    client.force_login(customer)
    assert client.get(_pane(ticket.number)).status_code == 200


# --- who may see the list -------------------------------------------------------------------------------------------


def test_outsider_never_sees_another_organizations_tickets(client, manager, outsider, category):
    ticket = TicketFactory(created_by=manager, category=category, title="Secret of Rossi")
    client.force_login(outsider)
    for params in ({}, {"q": ticket.number}, {"q": "secret"}, {"status": "all"}, {"selected": ticket.number}):
        html = _page(client, **params)
        assert _listed(html) == [] and "Secret of Rossi" not in html and _count(html) == 0
        assert f'href="{reverse("portal:ticket_detail", kwargs={"number": ticket.number})}"' not in html


@pytest.mark.parametrize("persona", ["restricted_user", "unlinked_user", "inactive_member"])
def test_users_without_ticket_access_get_a_clear_page(client, persona, request, manager, category):
    ticket = TicketFactory(created_by=manager, category=category)
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="tickets-unavailable"' in html
    assert ticket.number not in html and "Ticket count" not in html
    assert client.get(_pane(ticket.number)).status_code == 404
    assert client.get(reverse("portal:ticket_export", kwargs={"format": "csv"})).status_code == 404
    assert client.post(FILTER, {"action": "save", "status": ["open"]}).status_code == 404
    assert not SavedTicketFilter.objects.exists()


def test_unlinked_user_is_pointed_to_linking(client, unlinked_user):
    client.force_login(unlinked_user)
    html = _page(client)
    assert "not yet linked" in html and reverse("portal:link") in html


def test_anonymous_users_log_in_first(client, db):
    for url in (LIST, _pane("0800000001"), reverse("portal:ticket_export", kwargs={"format": "xlsx"})):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_staff_go_to_the_desk(client, agent):
    client.force_login(agent)
    response = client.get(LIST)
    assert response.status_code == 302 and response["Location"] == reverse("desk:home")


# --- constant number of queries -------------------------------------------------------------------------------------


def _queries(django_assert_max_num_queries, limit, call) -> int:
    with django_assert_max_num_queries(limit) as captured:
        call()
    return len(captured.captured_queries)


def test_list_and_pane_queries_do_not_grow_with_tickets(client, manager, colleague, django_assert_max_num_queries):
    deep = CategoryFactory(name="D", parent=CategoryFactory(name="C", parent=CategoryFactory(name="B")))
    tickets = create_tickets(5, created_by=colleague, category=deep)
    SavedTicketFilter.objects.create(user=manager, statuses=["open"])
    client.force_login(manager)
    number = tickets[0].number

    def measure():
        return [
            _queries(django_assert_max_num_queries, 10, lambda: client.get(LIST)),
            _queries(django_assert_max_num_queries, 10, lambda: client.get(LIST, {"status": "all", "q": "bulk"})),
            _queries(django_assert_max_num_queries, 10, lambda: client.get(LIST, {"sort": "category"})),
            _queries(django_assert_max_num_queries, 10, lambda: client.get(LIST, {"selected": number})),
            _queries(django_assert_max_num_queries, 8, lambda: client.get(_pane(number), headers={"HX-Request": "1"})),
        ]

    few = measure()
    create_tickets(495, created_by=colleague, category=deep)
    assert measure() == few


def test_basic_users_list_queries_do_not_grow(client, customer, colleague, category, django_assert_max_num_queries):
    client.force_login(customer)
    for ticket in create_tickets(5, created_by=colleague, category=category):
        TicketCCFactory(ticket=ticket, user=customer)
    few = _queries(django_assert_max_num_queries, 10, lambda: client.get(LIST))
    for ticket in create_tickets(495, created_by=colleague, category=category):
        TicketCCFactory(ticket=ticket, user=customer)
    assert _queries(django_assert_max_num_queries, 10, lambda: client.get(LIST)) == few


# --- issue 13: the compact filter bar, the two ways to open a ticket, what to type for a number ------------------


def test_status_filter_is_folded_in_the_filter_bar_and_says_what_is_chosen(client, manager, category):
    TicketFactory(created_by=manager, category=category, status=Status.COMPLETED)
    client.force_login(manager)
    bar = parse(_page(client, status=["completed", "canceled"])).find(testid="filterbar")
    details = bar.find("details", testid="status-filter")
    assert "filterbar-more" in details.classes and not details.has("open")
    assert details.find("summary").text == "Status filter 2 Completed, Canceled by customer"
    assert details.find("input", value="completed").has("checked")
    assert bar.find(testid="only-own").find("input", name="own") is not None
    assert bar.find("button", value="save").text == "Save as my default filter"
    summary = parse(_page(client, status="all")).find(testid="status-filter-summary")
    assert summary.text == "every status"


def test_title_link_opens_the_ticket_page_the_preview_link_the_pane(client, customer, category):
    ticket = TicketFactory(created_by=customer, category=category, title="A rather long title " * 8)
    client.force_login(customer)
    row = parse(_page(client)).find(testid=f"row-{ticket.number}")
    link = row.find(testid=f"ticket-link-{ticket.number}")
    assert link.attrs["href"] == reverse("portal:ticket_detail", kwargs={"number": ticket.number})
    assert link.attrs["title"] == f"{ticket.number} {ticket.title}"  # the full title on hover
    assert "cell-title" in row.find("th").classes
    preview = row.find(testid=f"preview-{ticket.number}")
    assert preview.attrs["href"] == f"{LIST}?status=all&page=1&selected={ticket.number}"
    assert preview.attrs["data-pane-url"] == _pane(ticket.number)
    assert preview.find("svg").attrs["aria-label"] == f"Show ticket {ticket.number} beside the list"
    # Without JavaScript the preview link is the list with the ticket in the pane, and a way to close it.
    html = _page(client, preview.attrs["href"])
    pane = parse(html).find(testid="ticket-pane")
    assert pane.find(testid="pane-close").attrs["href"] == f"{LIST}?status=all&page=1"


def test_a_part_of_the_number_finds_the_ticket_and_too_few_digits_say_what_to_type(client, customer, category):
    # Titles without digits: a factory's "Ticket 127" would match "27" as words do.
    ticket = TicketFactory(created_by=customer, category=category, number="0800000270", title="Printer offline")
    TicketFactory(created_by=customer, category=category, number="0800000311", title="Scanner offline")
    client.force_login(customer)
    assert _listed(_page(client, q="270")) == [ticket.number]
    page = parse(_page(client, q="27"))
    assert page.find(testid="number-too-short").text == (
        "To find a ticket by its number, type at least 3 of its digits, or the whole number."
    )
    assert "at least 3 of its digits" in page.find(id="ticket-search-help").text
    assert not parse(_page(client, q="zebra")).find_all(testid="number-too-short")


def test_overview_above_the_list_counts_and_links_each_group_of_statuses(client, manager, colleague, category):
    for status in (Status.OPEN, Status.CUSTOMER_ACTION, Status.SOLUTION_PROVIDED, Status.ON_HOLD, Status.COMPLETED):
        TicketFactory(created_by=manager, category=category, status=status)
    TicketFactory(created_by=colleague, category=category, status=Status.CUSTOMER_ACTION)
    client.force_login(manager)
    views = parse(_page(client, status="all")).find(testid="ticket-views")
    keys = ("all", "waiting", "in_progress", "on_hold", "closed")
    texts = {key: views.find(testid=f"view-{key}").text for key in keys}
    assert texts == {
        "all": "All 6", "waiting": "Waiting for you 3", "in_progress": "With customer support 1",
        "on_hold": "On hold 1", "closed": "Closed 1",
    }
    assert views.find(testid="view-all").attrs["aria-current"] == "page"
    waiting = views.find(testid="view-waiting").attrs["href"]
    html = _page(client, waiting)
    assert _count(html) == 3
    assert parse(html).find(testid="view-waiting").attrs["aria-current"] == "page"
    # With "only own" the counts and the links keep to the user's own tickets.
    views = parse(_page(client, status="all", own="1")).find(testid="ticket-views")
    assert views.find(testid="view-waiting").text == "Waiting for you 2"
    assert _count(_page(client, views.find(testid="view-waiting").attrs["href"])) == 2
