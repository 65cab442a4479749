"""Two agents on one ticket: presence (who else has it open, who is typing) and the stale-page check."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tessera.tickets import services
from tessera.tickets.models import Comment, Ticket, TicketEvent, TicketPresence
from tessera.tickets.selectors.versions import ticket_version
from tessera.tickets.workflow import Action, Status
from tests.factories import AgentFactory
from tests.html import parse

CHANGED = "This ticket changed since you opened it."


def url(name, ticket):
    return reverse(f"desk:{name}", args=[ticket.number])


@pytest.fixture
def ticket(customer, category):
    return services.ticket_create(author=customer, title="Export fails", category=category,
                                  description="The export stops at 50%.")


@pytest.fixture
def anna(db):
    return AgentFactory(email="anna@vendor.test", first_name="Anna", last_name="Rossi")


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def version_on(response) -> str:
    """The version the reply form carries."""
    form = parse(response.content.decode()).find("form", class_="reply-form")
    return form.find("input", name="ticket_version").get("value") or ""


def reply(client, ticket, body, version, send="public"):
    return client.post(url("ticket_reply", ticket), {"body": body, "send": send, "ticket_version": version})


# The stale-page check.


def test_every_form_of_the_workspace_carries_the_version_it_shows(agent_client, ticket):
    page = parse(agent_client.get(url("ticket", ticket)).content.decode())
    versions = {field.get("value") for field in page.find_all("input", name="ticket_version")}
    assert versions == {str(ticket_version(ticket))}
    actions = {field.parent.get("action") for field in page.find_all("input", name="ticket_version")}
    assert {url(name, ticket) for name in ("ticket_reply", "ticket_status", "ticket_assign", "ticket_assign_me",
                                           "ticket_team", "ticket_priority", "ticket_tags")} <= actions


def test_a_reply_from_a_stale_page_is_stopped_with_what_changed_and_the_draft_kept(agent_client, agent, anna, ticket):
    seen = version_on(agent_client.get(url("ticket", ticket)))
    services.comment_add(ticket=ticket, author=anna, body="I restarted the export server.", source="desk")

    response = reply(agent_client, ticket, "Please try again tomorrow.", seen)

    assert response.status_code == 409
    page = parse(response.content.decode())
    form = page.find("form", class_="reply-form")
    assert CHANGED in form.find(testid="error-summary").text
    change = form.find_one(testid="ticket-change").text
    assert "Anna Rossi" in change and "Reply to the customer" in change and "I restarted the export server." in change
    assert form.find("textarea", name="body").text == "Please try again tomorrow."
    assert not Comment.objects.filter(author=agent).exists()
    # The page now carries the new version: sending again is deliberate, and goes through.
    fresh = version_on(response)
    assert fresh == str(ticket_version(ticket)) != seen
    again = reply(agent_client, ticket, "Please try again tomorrow.", fresh)
    assert again.status_code == 302
    assert Comment.objects.get(author=agent).body.startswith("Please try again tomorrow.")


def test_an_internal_note_and_a_customer_comment_count_too(agent_client, agent, ticket, customer):
    seen = version_on(agent_client.get(url("ticket", ticket)))
    services.comment_add(ticket=ticket, author=customer, body="It works now, thanks!")
    response = reply(agent_client, ticket, "Noted.", seen, send="internal")
    assert response.status_code == 409
    assert "Customer comment" in parse(response.content.decode()).find_one(testid="ticket-change").text
    assert not Comment.objects.filter(author=agent).exists()


def test_the_agents_own_changes_and_tesseras_bookkeeping_do_not_stop_them(agent_client, agent, ticket):
    seen = version_on(agent_client.get(url("ticket", ticket)))
    # Another tab of the same agent, then Tessera noting a missed SLA target: nothing another person did.
    services.ticket_change_priority(ticket=ticket, user=agent, priority=1)
    TicketEvent.objects.create(ticket=ticket, type=TicketEvent.Type.SLA_BREACHED, data={"target": "resolution"})
    assert reply(agent_client, ticket, "On it.", seen).status_code == 302


def test_a_page_without_the_version_is_not_checked(agent_client, agent, anna, ticket):
    services.comment_add(ticket=ticket, author=anna, body="Mine.", source="desk")
    response = agent_client.post(url("ticket_reply", ticket), {"body": "Scripts send no version.", "send": "public"})
    assert response.status_code == 302


@pytest.mark.parametrize("garbage", ["abc", "-1", "1e9", "9" * 40, "１２", " ", "0x10", "1.5"])
def test_a_garbage_version_is_no_error_it_reads_as_a_page_that_showed_nothing(agent_client, anna, ticket, garbage):
    services.comment_add(ticket=ticket, author=anna, body="Checked the logs.", source="desk")
    response = reply(agent_client, ticket, "Draft.", garbage)
    assert response.status_code == 409


def test_a_status_change_from_a_stale_page_is_stopped_and_keeps_the_message(agent_client, agent, anna, ticket):
    seen = version_on(agent_client.get(url("ticket", ticket)))
    services.ticket_assign(ticket=ticket, user=anna, assignee=anna)
    response = agent_client.post(url("ticket_status", ticket), {
        "action": Action.REQUEST_INFO, "message": "Which version do you use?", "ticket_version": seen,
    })
    assert response.status_code == 409
    form = parse(response.content.decode()).find("form", class_="status-form")
    assert CHANGED in form.find(testid="error-summary").text
    assert "Anna Rossi" in form.find_one(testid="ticket-change").text
    assert form.find("textarea", name="message").text == "Which version do you use?"
    assert Ticket.objects.get(pk=ticket.pk).status == Status.OPEN


def test_taking_a_ticket_someone_else_just_took_is_stopped(agent_client, agent, anna, ticket):
    seen = version_on(agent_client.get(url("ticket", ticket)))
    services.ticket_assign(ticket=ticket, user=anna, assignee=anna)
    response = agent_client.post(url("ticket_assign_me", ticket), {"ticket_version": seen}, follow=True)
    assert CHANGED in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).assignee == anna


def test_a_priority_change_from_a_stale_page_is_stopped(agent_client, anna, ticket):
    seen = version_on(agent_client.get(url("ticket", ticket)))
    services.ticket_change_priority(ticket=ticket, user=anna, priority=1)
    response = agent_client.post(url("ticket_priority", ticket), {"priority": 4, "ticket_version": seen})
    assert response.status_code == 409
    assert "Priority" in parse(response.content.decode()).find_one(testid="ticket-change").text
    assert Ticket.objects.get(pk=ticket.pk).priority == 1


def test_the_check_runs_under_the_tickets_lock(agent, anna, ticket):
    """The service compares inside its transaction: what committed before it took the lock stops it."""
    seen = ticket_version(ticket)
    services.comment_add(ticket=ticket, author=anna, body="First.", source="desk")
    with pytest.raises(services.TicketChanged) as stopped:
        services.ticket_unchanged_then(
            ticket=ticket, user=agent, seen=seen,
            perform=lambda: services.comment_add(ticket=ticket, author=agent, body="Second.", source="desk"),
        )
    assert [event.actor for event in stopped.value.changes] == [anna]
    assert not Comment.objects.filter(author=agent).exists()


# Presence.


def beat(client, ticket, activity="viewing"):
    return client.post(url("ticket_presence", ticket), {"activity": activity})


def test_agents_see_who_else_views_and_who_types(client, agent, anna, ticket):
    client.force_login(anna)
    assert beat(client, ticket, "typing").status_code == 200
    client.force_login(agent)
    response = beat(client, ticket)
    names = parse(response.content.decode()).find_one(testid="presence-list").text
    assert "Anna Rossi is typing a reply…" in names
    assert "agent@vendor.test" not in names and names.count("is ") == 1  # never oneself
    client.force_login(anna)
    assert "is viewing" in parse(beat(client, ticket).content.decode()).find_one(testid="presence-viewing").text


def test_a_heartbeat_is_one_row_per_agent_and_expires(client, agent, anna, ticket):
    client.force_login(anna)
    beat(client, ticket)
    beat(client, ticket, "typing")
    assert TicketPresence.objects.filter(ticket=ticket, user=anna).count() == 1
    TicketPresence.objects.filter(user=anna).update(last_seen=timezone.now() - timedelta(seconds=31))
    client.force_login(agent)
    page = beat(client, ticket).content.decode()
    assert "Anna Rossi" not in page
    assert not TicketPresence.objects.filter(user=anna).exists()  # expired rows are swept by the next heartbeat


def test_leaving_removes_the_row_at_once(client, anna, ticket):
    client.force_login(anna)
    beat(client, ticket)
    assert beat(client, ticket, "left").status_code == 204
    assert not TicketPresence.objects.exists()


def test_an_unknown_activity_is_viewing(client, anna, ticket):
    client.force_login(anna)
    beat(client, ticket, "<script>")
    assert TicketPresence.objects.get(user=anna).activity == TicketPresence.Activity.VIEWING


@pytest.mark.parametrize("persona", ["customer", "outsider", "org_admin"])
def test_customers_never_reach_presence(client, request, anna, ticket, persona):
    TicketPresence.objects.create(ticket=ticket, user=anna)
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url("ticket_presence", ticket)).status_code == 404
    assert beat(client, ticket).status_code == 404
    assert TicketPresence.objects.count() == 1


def test_the_workspace_has_a_polite_presence_region_and_no_customer_page_has(agent_client, client, customer, ticket):
    region = parse(agent_client.get(url("ticket", ticket)).content.decode()).find_one(testid="presence")
    assert region.get("aria-live") == "polite"
    client.force_login(customer)
    portal = client.get(reverse("portal:ticket_detail", args=[ticket.number])).content.decode()
    assert "ticket_presence" not in portal and "presence" not in portal


def test_a_heartbeat_costs_the_same_few_queries_however_many_agents_are_there(
    client, agent, ticket, django_assert_max_num_queries
):
    client.force_login(agent)
    beat(client, ticket)  # warm up
    with django_assert_max_num_queries(9) as few:
        beat(client, ticket)
    for i in range(15):
        TicketPresence.objects.create(ticket=ticket, user=AgentFactory(first_name=f"Agent{i}"), activity="typing")
        gone = timezone.now() - timedelta(minutes=5)
        TicketPresence.objects.create(ticket=ticket, user=AgentFactory(), last_seen=gone)
    with django_assert_max_num_queries(len(few)):
        response = beat(client, ticket)
    assert response.content.decode().count("is typing") == 15


def test_a_macro_applied_from_a_stale_page_is_stopped_with_the_draft_kept(agent_client, agent, anna, ticket):
    from tessera.tickets.models import CannedResponse

    macro = CannedResponse.objects.create(title="Urgent", body="", set_priority=1, owner=agent)
    seen = version_on(agent_client.get(url("ticket", ticket)))
    services.comment_add(ticket=ticket, author=anna, body="Looking into it.", source="desk")
    response = agent_client.post(url("ticket_macro", ticket), {
        "canned": macro.pk, "body": "My draft.", "ticket_version": seen,
    })
    assert response.status_code == 409
    form = parse(response.content.decode()).find("form", class_="reply-form")
    assert CHANGED in form.find(testid="error-summary").text
    assert form.find("textarea", name="body").text == "My draft."
    assert Ticket.objects.get(pk=ticket.pk).priority != 1


def test_tags_from_a_stale_page_are_stopped(agent_client, anna, ticket):
    seen = version_on(agent_client.get(url("ticket", ticket)))
    services.ticket_set_tags(ticket=ticket, user=anna, names=["billing"])
    response = agent_client.post(url("ticket_tags", ticket), {"tags": "export", "ticket_version": seen})
    assert response.status_code == 409
    assert "Anna Rossi" in parse(response.content.decode()).find_one(testid="ticket-change").text
    assert [tag.name for tag in Ticket.objects.get(pk=ticket.pk).tags.all()] == ["billing"]


def test_a_status_change_on_a_ticket_closed_meanwhile_is_a_message_above_the_page(agent_client, agent, anna, ticket):
    """The view's own check says so before the service is called; the service's check covers the race."""
    seen = version_on(agent_client.get(url("ticket", ticket)))
    services.ticket_change_status(ticket=ticket, user=anna, action=Action.COMPLETE_SILENTLY)
    response = agent_client.post(url("ticket_status", ticket), {
        "action": Action.REQUEST_INFO, "message": "Which version?", "ticket_version": seen,
    }, follow=True)
    assert "This status change is not allowed while the ticket is" in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == Status.COMPLETED_SILENT


def test_the_refusal_after_a_race_with_a_closing_agent_is_a_message_above_the_page(rf, agent, anna, ticket):
    """Between the view reading the ticket and the service locking it, another agent closed it."""
    from django.contrib.messages.storage.fallback import FallbackStorage

    from tessera.desk.views.ticket_actions import _changed
    from tessera.tickets.selectors.versions import changes_since

    seen = ticket_version(ticket)
    services.ticket_change_status(ticket=ticket, user=anna, action=Action.COMPLETE_SILENTLY)
    request = rf.post(url("ticket_status", ticket), {"action": Action.REQUEST_INFO, "ticket_version": seen})
    request.user = agent
    request.session = {}
    request._messages = FallbackStorage(request)
    changed = services.TicketChanged(changes_since(ticket, version=seen, user=agent))
    response = _changed(request, ticket.number, changed, "status_form", lambda fresh: None)
    assert response.status_code == 302
    assert [str(m) for m in request._messages] == [changed.message]


def test_a_form_loaded_on_demand_carries_the_version_when_it_was_loaded(agent_client, anna, ticket):
    services.ticket_change_priority(ticket=ticket, user=anna, priority=2)
    fragment = parse(agent_client.get(url("ticket_category", ticket), HTTP_HX_REQUEST="true").content.decode())
    assert fragment.find("input", name="ticket_version").get("value") == str(ticket_version(ticket))
