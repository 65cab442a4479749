from urllib.parse import parse_qs, urlsplit

from django.urls import reverse

from tessera.tickets.workflow import Status
from tests.factories import TicketCCFactory, TicketFactory, create_tickets
from tests.html import parse

HOME = reverse("portal:home")


def test_home_shows_both_tiles_and_counts(client, customer, category):
    TicketFactory(created_by=customer, category=category, status=Status.OPEN)
    TicketFactory(created_by=customer, category=category, status=Status.CUSTOMER_ACTION)
    TicketFactory(created_by=customer, category=category, status=Status.COMPLETED)
    client.force_login(customer)
    page = client.get(HOME).content.decode()
    assert "Report a problem" in page and "My tickets" in page
    assert "2 open tickets" in page
    assert "1 waiting for you" in page


def test_counts_never_include_other_organizations(client, customer, outsider, category):
    TicketFactory(created_by=outsider, category=category)
    client.force_login(customer)
    assert "0 open tickets" in client.get(HOME).content.decode()


def test_restricted_user_sees_activation_notice_not_tiles(client, restricted_user):
    client.force_login(restricted_user)
    page = client.get(HOME).content.decode()
    assert "waiting for activation" in page
    assert "Report a problem" not in page


def test_unlinked_user_is_sent_to_link_an_organization(client, unlinked_user):
    client.force_login(unlinked_user)
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"] == reverse("portal:link")


def test_staff_are_sent_to_the_desk(client, agent):
    client.force_login(agent)
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"] == reverse("desk:home")


def test_home_query_count_is_constant(client, customer, category, django_assert_max_num_queries):
    client.force_login(customer)
    for _ in range(30):
        TicketFactory(created_by=customer, category=category)
    with django_assert_max_num_queries(6):
        client.get(HOME)


def _queries(django_assert_max_num_queries, call) -> int:
    with django_assert_max_num_queries(6) as captured:
        call()
    return len(captured.captured_queries)


def test_home_queries_do_not_grow_with_many_tickets(
    client, manager, customer, colleague, category, django_assert_max_num_queries
):
    """Overview, waiting and recent tickets: a constant number of queries, for managers and basic users (CC)."""
    for user in (manager, customer):
        client.force_login(user)
        few = _queries(django_assert_max_num_queries, lambda: client.get(HOME))
        tickets = create_tickets(300, created_by=colleague, category=category)
        for ticket in tickets[:50]:
            TicketCCFactory(ticket=ticket, user=customer)
        assert _queries(django_assert_max_num_queries, lambda: client.get(HOME)) == few
        assert len(parse(client.get(HOME).content.decode()).find_all(testid_prefix="home-ticket-")) == 5


# --- overview, waiting for you, recent tickets, search ------------------------------------------------------------


def _statuses_of(url: str) -> set[str]:
    parts = urlsplit(url)
    assert parts.path == reverse("portal:ticket_list")
    return set(parse_qs(parts.query)["status"])


def test_overview_counts_per_status_group_link_to_the_filtered_list(client, customer, category):
    for status in (Status.OPEN, Status.IN_PROCESS, Status.CUSTOMER_ACTION, Status.SOLUTION_PROVIDED,
                   Status.AWAITING_RELEASE, Status.COMPLETED, Status.CANCELED, Status.CANCELED):
        TicketFactory(created_by=customer, category=category, status=status)
    client.force_login(customer)
    page = parse(client.get(HOME).content.decode())
    tiles = {key: page.find(testid=f"overview-{key}") for key in ("waiting", "in_progress", "on_hold", "closed")}
    assert tiles["waiting"].text == "Waiting for you 2"
    assert tiles["in_progress"].text == "With customer support 2"
    assert tiles["on_hold"].text == "On hold 1"
    assert tiles["closed"].text == "Closed 3"
    assert _statuses_of(tiles["waiting"].attrs["href"]) == {"customer_action", "solution_provided"}
    assert _statuses_of(tiles["closed"].attrs["href"]) == {"completed", "completed_silent", "canceled", "error"}
    # Following a tile lists just those tickets.
    listed = parse(client.get(tiles["waiting"].attrs["href"]).content.decode())
    assert listed.find(testid="ticket-count").text == "Ticket count: 2"
    # Every status is in exactly one tile.
    every = [s for tile in tiles.values() for s in _statuses_of(tile.attrs["href"])]
    assert sorted(every) == sorted(s.value for s in Status)


def test_home_lists_the_tickets_waiting_for_the_customer(client, customer, colleague, category):
    asked = TicketFactory(created_by=customer, category=category, status=Status.CUSTOMER_ACTION, title="Send the log")
    solved = TicketFactory(created_by=customer, category=category, status=Status.SOLUTION_PROVIDED, title="Fixed")
    TicketFactory(created_by=customer, category=category, status=Status.IN_PROCESS, title="Being handled")
    not_mine = TicketFactory(created_by=colleague, category=category, status=Status.CUSTOMER_ACTION)
    client.force_login(customer)
    page = parse(client.get(HOME).content.decode())
    waiting = page.find(testid="waiting-tickets")
    numbers = [item.testid.removeprefix("home-ticket-") for item in waiting.find_all(testid_prefix="home-ticket-")]
    assert sorted(numbers) == sorted([asked.number, solved.number]) and not_mine.number not in numbers
    assert "Send the log" in waiting.text and "Further information requested" not in waiting.text
    assert waiting.find("a", href=reverse("portal:ticket_detail", kwargs={"number": asked.number})) is not None


def test_nothing_waiting_says_so(client, customer, category):
    TicketFactory(created_by=customer, category=category, status=Status.IN_PROCESS)
    client.force_login(customer)
    page = parse(client.get(HOME).content.decode())
    assert "Nothing is waiting for you." in page.find(testid="waiting-tickets").text


def test_home_lists_recent_tickets_newest_change_first(client, customer, category):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    tickets = [
        TicketFactory(created_by=customer, category=category, title=f"Ticket {i}", updated_at=now - timedelta(days=i))
        for i in range(7)
    ]
    client.force_login(customer)
    page = parse(client.get(HOME).content.decode())
    recent = page.find(testid="recent-tickets")
    numbers = [item.testid.removeprefix("home-ticket-") for item in recent.find_all(testid_prefix="home-ticket-")]
    assert numbers == [t.number for t in tickets[:5]]
    assert recent.find("a", href=reverse("portal:ticket_list")).text == "All my tickets"


def test_home_search_box_searches_my_tickets(client, customer, category):
    wanted = TicketFactory(created_by=customer, category=category, number="0800000270", title="Printer")
    TicketFactory(created_by=customer, category=category, title="Scanner")
    client.force_login(customer)
    page = parse(client.get(HOME).content.decode())
    form = page.find(testid="home-search")
    assert form.attrs["action"] == reverse("portal:ticket_list") and form.attrs.get("method") == "get"
    assert form.find("input", type="search").attrs["name"] == "q"
    params = {"status": form.find("input", type="hidden").attrs["value"], "q": "270"}
    listed = parse(client.get(reverse("portal:ticket_list"), params).content.decode())
    assert [row.testid for row in listed.find_all("tr", testid_prefix="row-")] == [f"row-{wanted.number}"]


def test_home_without_tickets_says_so_and_counts_zero(client, customer):
    client.force_login(customer)
    page = parse(client.get(HOME).content.decode())
    assert "You have no tickets yet." in page.find(testid="recent-tickets").text
    assert "Nothing is waiting for you." in page.find(testid="waiting-tickets").text
    assert [page.find(testid=f"overview-{key}").text.split()[-1] for key in ("waiting", "closed")] == ["0", "0"]


def test_overview_closed_is_the_status_groups_word_in_italian(client, customer):
    customer.language = "it"
    customer.save(update_fields=["language"])
    client.force_login(customer)
    page = parse(client.get(HOME).content.decode())
    assert page.find(testid="overview-closed").text == "Chiusi 0"  # not "Chiuso il", the "closed on" of a date
