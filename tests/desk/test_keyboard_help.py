"""The desk's keyboard shortcuts as the server sends them: the help and its script on the desk's pages only.

What the keys do is tested in Chromium (tests/e2e/test_desk_keys.py).
"""

import pytest
from django.urls import reverse

from tests.factories import TicketFactory
from tests.html import parse


@pytest.fixture
def ticket(customer, category):
    return TicketFactory(created_by=customer, category=category, status="open")


@pytest.mark.parametrize("page", ["home", "queue", "ticket"])
def test_the_desk_offers_the_shortcuts_and_their_help(client, agent, ticket, page):
    url = {
        "home": reverse("desk:home"),
        "queue": reverse("desk:queue", kwargs={"queue": "open"}),
        "ticket": reverse("desk:ticket", kwargs={"number": ticket.number}),
    }[page]
    client.force_login(agent)
    html = parse(client.get(url))
    dialog = html.find(testid="keys-help")
    assert dialog.tag == "dialog"
    assert html.find(id=dialog.attrs["aria-labelledby"]).text.strip() == "Keyboard shortcuts"
    for sentence in ("Mark the next ticket", "Write an internal note", "Assign the ticket to me"):
        assert sentence in dialog.text
    assert html.exists("script", src="/static/tessera/desk_keys.js")
    assert html.find(testid="keys-hint").text.strip() == "Press ? for keyboard shortcuts"


def test_the_assign_to_me_form_and_the_queue_rows_carry_what_the_keys_use(client, agent, ticket):
    client.force_login(agent)
    workspace = parse(client.get(reverse("desk:ticket", kwargs={"number": ticket.number})))
    form = workspace.find_one("form", data_keys_assign_me=True)
    assert form.attrs["action"] == reverse("desk:ticket_assign_me", kwargs={"number": ticket.number})
    assert form.find("button").text.strip() == "Assign to me"
    queue = parse(client.get(reverse("desk:queue", kwargs={"queue": "open"})))
    row = queue.find(testid=f"row-{ticket.number}")
    assert row.attrs["data-ticket"] == ticket.number
    link = row.find(id=f"open-{ticket.number}")
    assert link.attrs["href"] == reverse("desk:ticket", kwargs={"number": ticket.number})


def test_customers_get_neither_the_help_nor_its_script(client, customer, ticket):
    client.force_login(customer)
    html = parse(client.get(reverse("portal:ticket_detail", kwargs={"number": ticket.number})))
    assert not html.exists(testid="keys-help")
    assert not html.exists("script", src="/static/tessera/desk_keys.js")


def test_every_id_of_the_workspace_is_unique(client, agent, ticket):
    """Labels, the error summary and the shortcuts find elements by id: the reply box is the only "id_body"."""
    client.force_login(agent)
    html = parse(client.get(reverse("desk:ticket", kwargs={"number": ticket.number})))
    ids = [element.attrs["id"] for element in html.iter() if "id" in element.attrs]
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
    assert html.find_one("label", **{"for": "id_note_body"}).text.strip().startswith("Note for agents")
