"""Agents' tags on tickets (set in the workspace, filtered in the queues) and the time spent per reply."""

import pytest
from django.urls import reverse

from tessera.tickets import services
from tessera.tickets.models import Comment, Tag, TicketEvent
from tests.html import parse


@pytest.fixture
def ticket(customer, category):
    return services.ticket_create(author=customer, title="Backup fails nightly", category=category)


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def tags_url(ticket):
    return reverse("desk:ticket_tags", args=[ticket.number])


def test_tags_are_set_reused_whatever_the_case_and_recorded(agent_client, agent, ticket):
    Tag.objects.create(name="Backup")
    response = agent_client.post(tags_url(ticket), {"tags": " backup , VIP,, vip , month end "}, follow=True)
    assert "The tags have been saved." in response.content.decode()
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["Backup", "VIP", "month end"]
    assert Tag.objects.count() == 3
    shown = parse(response.content.decode()).find_one(testid="ticket-tags")
    assert [li.text for li in shown.find_all("li")] == ["Backup", "VIP", "month end"]
    event = TicketEvent.objects.get(ticket=ticket, type=TicketEvent.Type.TAGS_CHANGED)
    assert (event.actor, event.data) == (agent, {"added": ["Backup", "VIP", "month end"], "removed": []})
    agent_client.post(tags_url(ticket), {"tags": "VIP"})
    assert list(ticket.tags.values_list("name", flat=True)) == ["VIP"]
    last = TicketEvent.objects.filter(type=TicketEvent.Type.TAGS_CHANGED).last()
    assert last.data == {"added": [], "removed": ["Backup", "month end"]}


def test_a_bad_tag_is_named_and_what_was_typed_stays(agent_client, ticket):
    response = agent_client.post(tags_url(ticket), {"tags": "ok, bad<script>"})
    assert response.status_code == 400
    page = parse(response.content.decode())
    assert "may hold only letters, digits, spaces and - _ . /" in page.find_one(testid="error-summary").text
    assert page.find("input", name="tags").get("value") == "ok, bad<script>"
    assert not ticket.tags.exists()


def test_the_queue_filters_by_tag(agent_client, agent, ticket, customer, category):
    other = services.ticket_create(author=customer, title="Printer jam", category=category)
    services.ticket_set_tags(ticket=ticket, user=agent, names=["vip"])
    page = agent_client.get(reverse("desk:queue", args=["open"]), {"tag": "VIP"}).content.decode()
    assert ticket.title in page and other.title not in page
    page = agent_client.get(reverse("desk:queue", args=["open"])).content.decode()
    assert ticket.title in page and other.title in page


def test_customers_never_see_tags_nor_time_spent(client, agent, customer, ticket):
    services.ticket_set_tags(ticket=ticket, user=agent, names=["SECRET-TAG"])
    services.comment_add(ticket=ticket, author=agent, body="Restart the service.", time_spent=25)
    client.force_login(customer)
    page = client.get(reverse("portal:ticket_detail", args=[ticket.number])).content.decode()
    assert "Restart the service." in page
    assert "SECRET-TAG" not in page and "25 minutes" not in page
    response = client.post(tags_url(ticket), {"tags": "mine"})
    assert response.status_code == 404 and not Tag.objects.filter(name="mine").exists()


def test_time_spent_per_reply_adds_up_in_the_workspace(agent_client, ticket):
    url = reverse("desk:ticket_reply", args=[ticket.number])
    agent_client.post(url, {"body": "Checked the logs.", "send": "internal", "time_spent": "15"})
    response = agent_client.post(url, {"body": "Please restart.", "send": "public", "time_spent": "30"}, follow=True)
    assert sorted(Comment.objects.values_list("time_spent", flat=True)) == [15, 30]
    page = parse(response.content.decode())
    assert [e.text for e in page.find_all(testid="time-spent")] == ["15 minutes spent", "30 minutes spent"]
    assert page.find_one(testid="time-spent-total").text == "45 minutes"


def test_time_spent_out_of_range_is_named_and_the_reply_kept(agent_client, ticket):
    url = reverse("desk:ticket_reply", args=[ticket.number])
    response = agent_client.post(url, {"body": "Long job", "send": "public", "time_spent": "5000"})
    assert response.status_code == 400
    page = parse(response.content.decode())
    assert "Time spent (minutes)" in page.find_one(testid="error-summary").text
    assert "Long job" in page.find("textarea", name="body").text
    assert not Comment.objects.exists()
