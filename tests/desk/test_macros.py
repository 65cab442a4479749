"""Macros: a reply with placeholders, a status, an assignee or team, a priority, a note and tags, in one click."""

import pytest
from django.urls import reverse

from tessera.tickets import services
from tessera.tickets.models import CannedResponse, Comment, Priority
from tessera.tickets.workflow import Action, Status
from tests.factories import AgentFactory, ServiceTeamFactory
from tests.html import parse


@pytest.fixture
def ticket(customer, category):
    return services.ticket_create(author=customer, title="Backup fails", category=category)


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def apply(client, ticket, macro, **extra):
    return client.post(reverse("desk:ticket_macro", args=[ticket.number]),
                       {"canned": macro.pk, "body": "", **extra}, follow=True)


def test_a_macro_does_everything_it_says_in_one_click(agent_client, agent, ticket, service_team):
    helper = AgentFactory(email="second@vendor.test", first_name="Sam")
    service_team.members.add(helper)
    macro = CannedResponse.objects.create(
        title="Solved by restart", body="Dear {customer_name}, restart fixes {ticket_number}.",
        action=Action.PROVIDE_SOLUTION, set_priority=Priority.HIGH, set_assignee=helper,
        note="Known issue in 4.2", add_tags="backup, known-issue",
    )
    services.ticket_change_status(ticket=ticket, user=agent, action=Action.START)
    response = apply(agent_client, ticket, macro)
    page = response.content.decode()
    assert "Macro “Solved by restart” applied: internal note added, priority changed, assigned, tags added, " \
           "status changed." in page
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assignee) == (Status.SOLUTION_PROVIDED, Priority.HIGH, helper)
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["backup", "known-issue"]
    public = Comment.objects.get(ticket=ticket, is_internal=False)
    customer_name = ticket.created_by.get_full_name()
    assert public.body == f"Dear {customer_name}, restart fixes {ticket.number}."
    assert public.is_markdown  # the reply that goes with the status change is the macro's Markdown too
    assert Comment.objects.get(ticket=ticket, is_internal=True).body == "Known issue in 4.2"


def test_a_status_change_the_ticket_does_not_allow_changes_nothing(agent_client, ticket):
    macro = CannedResponse.objects.create(title="Restart", body="Please restart.", action=Action.PROVIDE_SOLUTION,
                                          set_priority=Priority.LOW, note="x")
    services.ticket_change_status(ticket=ticket, user=ticket.created_by, action=Action.CLOSE)
    response = apply(agent_client, ticket, macro)
    assert "This ticket is closed: reopen it before applying a macro." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.priority != Priority.LOW and not Comment.objects.exists()


def test_without_a_choice_the_reply_text_stays_and_the_field_is_named(agent_client, ticket):
    CannedResponse.objects.create(title="Any", body="x")
    response = agent_client.post(reverse("desk:ticket_macro", args=[ticket.number]),
                                 {"canned": "", "body": "My draft"})
    assert response.status_code == 400
    page = parse(response.content.decode())
    assert "Choose the macro to apply." in page.find_one(testid="error-summary").text
    assert "My draft" in page.find("textarea", name="body").text


def test_personal_macros_are_offered_to_their_owner_only(client, agent, other_agent, ticket):
    mine = CannedResponse.objects.create(title="MINE-ONLY", body="x", owner=agent)
    client.force_login(other_agent)
    page = client.get(reverse("desk:ticket", args=[ticket.number])).content.decode()
    assert "MINE-ONLY" not in page
    response = apply(client, ticket, mine)
    assert "Choose the macro to apply." in response.content.decode()
    assert not Comment.objects.exists()
    client.force_login(agent)
    assert "MINE-ONLY" in client.get(reverse("desk:ticket", args=[ticket.number])).content.decode()


def test_an_agent_creates_a_personal_macro_and_cannot_touch_shared_ones(agent_client, agent):
    shared = CannedResponse.objects.create(title="Shared", body="x")
    response = agent_client.post(reverse("desk:macros"), {
        "title": "Ask for logs", "body": "Please send the logs of {ticket_title}.", "action": Action.REQUEST_INFO,
        "add_tags": "logs", "is_active": "on",
    }, follow=True)
    assert "The macro “Ask for logs” has been saved." in response.content.decode()
    macro = CannedResponse.objects.get(title="Ask for logs")
    assert (macro.owner, macro.team, macro.action) == (agent, None, Action.REQUEST_INFO)
    assert agent_client.get(reverse("desk:macro_edit", args=[shared.pk])).status_code == 404
    assert agent_client.post(reverse("desk:macro_delete", args=[shared.pk])).status_code == 404
    assert CannedResponse.objects.filter(pk=shared.pk).exists()


def test_an_empty_macro_is_refused_with_what_was_typed_kept(agent_client):
    response = agent_client.post(reverse("desk:macros"), {"title": "Nothing", "is_active": "on"})
    assert response.status_code == 400
    page = parse(response.content.decode())
    assert "A macro needs at least a reply, a note or a change to make." in page.find_one(testid="error-summary").text
    assert page.find("input", name="title").get("value") == "Nothing"
    assert not CannedResponse.objects.exists()


def test_a_vendor_admin_shares_a_macro_with_a_team(client, vendor_admin):
    team = ServiceTeamFactory(name="Hardware")
    client.force_login(vendor_admin)
    client.post(reverse("desk:macros"), {"title": "Send a technician", "scope": f"team:{team.pk}",
                                         "set_team": team.pk, "is_active": "on"})
    macro = CannedResponse.objects.get()
    assert (macro.owner, macro.team) == (None, team)


def test_customers_find_no_macro_page(client, customer, ticket):
    macro = CannedResponse.objects.create(title="x", body="y")
    client.force_login(customer)
    for url in (reverse("desk:macros"), reverse("desk:macro_edit", args=[macro.pk])):
        assert client.get(url).status_code == 404
    assert client.post(reverse("desk:ticket_macro", args=[ticket.number]), {"canned": macro.pk}).status_code == 404
    assert not Comment.objects.exists()


def test_a_status_not_allowed_from_the_current_one_is_named(agent_client, agent, ticket):
    macro = CannedResponse.objects.create(title="Start", action=Action.START, set_priority=Priority.LOW)
    services.ticket_change_status(ticket=ticket, user=agent, action=Action.START)  # already in process
    response = agent_client.post(reverse("desk:ticket_macro", args=[ticket.number]), {"canned": macro.pk})
    assert response.status_code == 400
    assert "is not possible from" in parse(response.content.decode()).find_one(testid="error-summary").text
    ticket.refresh_from_db()
    assert ticket.priority != Priority.LOW
