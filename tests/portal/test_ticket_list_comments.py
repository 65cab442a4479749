"""Comments newest first (seed 000), with a switch to oldest first: on the ticket page and in the side pane.

The switch is a link (``?comments=oldest``), so it works without JavaScript; the choice is remembered in
the session for the next ticket.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tests.factories import CommentFactory, TicketFactory
from tests.html import parse

UTC = ZoneInfo("UTC")


@pytest.fixture
def discussed(customer, category):
    ticket = TicketFactory(created_by=customer, category=category, title="Printer")
    start = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    for i, body in enumerate(("first", "second", "third")):
        CommentFactory(ticket=ticket, body=body, created_at=start + timedelta(hours=i))
    CommentFactory(ticket=ticket, body="internal note", is_internal=True, created_at=start + timedelta(hours=5))
    return ticket


def _bodies(html: str) -> list[str]:
    return [comment.find(class_="prose").text for comment in parse(html).find_all(testid="comment")]


def _detail(ticket) -> str:
    return reverse("portal:ticket_detail", kwargs={"number": ticket.number})


def _pane(ticket) -> str:
    return reverse("portal:ticket_pane", kwargs={"number": ticket.number})


def test_ticket_page_shows_newest_first_and_switches_to_oldest(client, customer, discussed):
    client.force_login(customer)
    html = client.get(_detail(discussed)).content.decode()
    assert _bodies(html) == ["third", "second", "first"]
    toggle = parse(html).find(testid="comment-order-toggle")
    assert toggle.text == "Show oldest first"
    assert parse(html).find(testid="comment-order").text.startswith("Newest first")
    html = client.get(_detail(discussed) + toggle.attrs["href"].split("#")[0]).content.decode()
    assert _bodies(html) == ["first", "second", "third"]
    assert parse(html).find(testid="comment-order-toggle").text == "Show newest first"


def test_the_chosen_order_is_remembered_for_the_next_ticket(client, customer, discussed, category):
    client.force_login(customer)
    client.get(_detail(discussed), {"comments": "oldest"})
    assert _bodies(client.get(_detail(discussed)).content.decode()) == ["first", "second", "third"]
    assert _bodies(client.get(_pane(discussed)).content.decode()) == ["first", "second", "third"]
    client.get(_detail(discussed), {"comments": "newest"})
    assert _bodies(client.get(_detail(discussed)).content.decode()) == ["third", "second", "first"]


def test_odd_order_values_fall_back_to_newest_first(client, customer, discussed):
    client.force_login(customer)
    for value in ("sideways", "", "\x00"):
        response = client.get(_detail(discussed), {"comments": value})
        assert response.status_code == 200 and _bodies(response.content.decode()) == ["third", "second", "first"]


def test_pane_shows_comments_newest_first_with_the_switch(client, customer, discussed):
    client.force_login(customer)
    list_url = reverse("portal:ticket_list")
    fragment = client.get(
        _pane(discussed), headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{list_url}?status=all"}
    ).content.decode()
    assert _bodies(fragment) == ["third", "second", "first"]
    toggle = parse(fragment).find(testid="comment-order-toggle")
    # The link keeps the list in the address (no JavaScript needed); the pane loads in place with it.
    assert toggle.attrs["href"] == f"{list_url}?status=all&selected={discussed.number}&comments=oldest"
    assert toggle.attrs["data-pane-url"] == f"{_pane(discussed)}?comments=oldest"
    html = client.get(toggle.attrs["href"]).content.decode()
    assert parse(html).find(testid="ticket-pane") is not None
    assert _bodies(html) == ["first", "second", "third"]
    assert _bodies(client.get(toggle.attrs["data-pane-url"], headers={"HX-Request": "true"}).content.decode()) == [
        "first",
        "second",
        "third",
    ]


def test_pane_page_without_javascript_switches_too(client, customer, discussed):
    client.force_login(customer)
    html = client.get(_pane(discussed)).content.decode()
    assert "<html" in html and _bodies(html) == ["third", "second", "first"]
    toggle = parse(html).find(testid="comment-order-toggle")
    assert toggle.attrs["href"] == f"{_pane(discussed)}?comments=oldest"
    assert _bodies(client.get(toggle.attrs["href"]).content.decode()) == ["first", "second", "third"]


def test_internal_notes_never_show(client, customer, discussed):
    client.force_login(customer)
    for url in (_detail(discussed), _pane(discussed)):
        assert "internal note" not in client.get(url).content.decode()
