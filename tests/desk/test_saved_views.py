"""Saved views: a queue's filters and sort under a name, personal or for a team, listed beside the queues."""

import pytest
from django.urls import reverse

from tessera.tickets import services
from tessera.tickets.models import DeskView, Priority
from tests.factories import AgentFactory, ServiceTeamFactory, TicketFactory
from tests.html import parse


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def queue_url(key="open", query=""):
    return reverse("desk:queue", kwargs={"queue": key}) + (f"?{query}" if query else "")


def test_an_agent_saves_the_filtered_queue_and_finds_it_beside_the_queues(agent_client, agent, customer, category):
    urgent = TicketFactory(created_by=customer, category=category, title="URGENT one", priority=Priority.VERY_HIGH)
    TicketFactory(created_by=customer, category=category, title="LOW one", priority=Priority.LOW)
    response = agent_client.post(queue_url(query="priority=1&sort=-updated&page=2"),
                                 {"view-name": "  Fire  drill ", "view-team": ""}, follow=True)
    assert "The view “Fire drill” has been saved." in response.content.decode()
    view = DeskView.objects.get()
    assert (view.name, view.owner, view.team, view.queue, view.query) == (
        "Fire drill", agent, None, "open", "priority=1&sort=-updated")
    page = parse(response.content.decode())
    link = page.find_one(testid="saved-views").find("a")
    assert link.text == "Fire drill" and link.get("aria-current") == "page"
    assert urgent.title in page.text and "LOW one" not in page.text


def test_a_view_shared_with_a_team_is_seen_by_its_members_only(client, agent, service_team):
    stranger = AgentFactory(email="other-team@vendor.test")
    ServiceTeamFactory(name="Hardware").members.add(stranger)
    client.force_login(agent)
    client.post(queue_url(query="assignee=none"), {"view-name": "Unassigned", "view-team": service_team.pk})
    view = DeskView.objects.get()
    assert (view.owner, view.team) == (None, service_team)
    colleague = AgentFactory(email="colleague@vendor.test")
    service_team.members.add(colleague)
    client.force_login(colleague)
    assert "Unassigned" in parse(client.get(queue_url()).content.decode()).find_one(testid="saved-views").text
    client.force_login(stranger)
    assert not parse(client.get(queue_url()).content.decode()).exists(testid="saved-views")
    assert client.post(reverse("desk:view_delete", args=[view.pk])).status_code == 404
    assert DeskView.objects.exists()


def test_sharing_with_a_team_one_is_not_in_is_refused_next_to_the_field(agent_client):
    foreign = ServiceTeamFactory(name="Hardware")
    response = agent_client.post(queue_url(), {"view-name": "Theirs", "view-team": foreign.pk})
    assert response.status_code == 200  # the queue, with the form open and its message
    page = parse(response.content.decode())
    assert "Share with" in page.find_one(testid="error-summary").text
    assert page.find("input", name="view-name").get("value") == "Theirs"
    assert not DeskView.objects.exists()


def test_a_nameless_view_is_refused_and_the_queue_still_shows(agent_client, customer, category):
    TicketFactory(created_by=customer, category=category, title="Still listed")
    response = agent_client.post(queue_url(), {"view-name": "", "view-team": ""})
    page = parse(response.content.decode())
    assert "Name of the view" in page.find_one(testid="error-summary").text
    assert "Still listed" in page.text


def test_the_owner_deletes_a_view(agent_client, agent):
    view = services.desk_view_save(user=agent, name="Mine", queue="open", query="")
    response = agent_client.post(reverse("desk:view_delete", args=[view.pk]), follow=True)
    assert "The view “Mine” has been deleted." in response.content.decode()
    assert not DeskView.objects.exists()


def test_customers_cannot_save_or_delete_views(client, customer, agent):
    view = services.desk_view_save(user=agent, name="Mine", queue="open", query="")
    client.force_login(customer)
    assert client.post(queue_url(), {"view-name": "x"}).status_code == 404
    assert client.post(reverse("desk:view_delete", args=[view.pk])).status_code == 404
    assert DeskView.objects.count() == 1
