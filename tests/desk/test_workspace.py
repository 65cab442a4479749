"""The desk's ticket workspace: every field, the timeline, and every action through the views."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tessera.tickets import services
from tessera.tickets.models import (
    Attachment,
    CannedResponse,
    CategoryField,
    Comment,
    Priority,
    Source,
    Ticket,
    TicketEvent,
    TicketLink,
)
from tessera.tickets.workflow import Status
from tests.factories import (
    AgentFactory,
    CategoryFactory,
    CommentFactory,
    ServiceTeamFactory,
    TicketFactory,
)
from tests.html import parse

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
Type = TicketEvent.Type


def url(name, ticket, *args):
    return reverse(f"desk:{name}", args=[ticket.number, *args])


def png(name="screen.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@pytest.fixture
def ticket(customer, category):
    return services.ticket_create(
        author=customer, title="Month end export fails", category=category, description="The export stops at 50%.",
        external_reference="REF-42", cc_emails=["it@rossi.test"],
    )


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def page_of(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def events_of(ticket, type_):
    return list(TicketEvent.objects.filter(ticket=ticket, type=type_).order_by("pk"))


# Who may open the workspace.

ACTION_URLS = [
    ("ticket", ()), ("ticket_reply", ()), ("ticket_canned", ()), ("ticket_status", ()), ("ticket_assign", ()),
    ("ticket_assign_me", ()), ("ticket_unassign", ()), ("ticket_team", ()), ("ticket_priority", ()),
    ("ticket_category", ()), ("ticket_cc_add", ()), ("ticket_cc_remove", ()), ("ticket_link", ()),
    ("ticket_unlink", ("0000000001",)), ("ticket_merge", ()), ("ticket_attachment", (1,)),
]


@pytest.mark.parametrize("persona", ["customer", "colleague", "manager", "org_admin", "restricted_user", "outsider"])
@pytest.mark.parametrize(("name", "args"), ACTION_URLS)
def test_customers_get_404_on_every_workspace_url(client, request, ticket, persona, name, args):
    client.force_login(request.getfixturevalue(persona))
    target = url(name, ticket, *args)
    assert client.get(target).status_code == 404
    assert client.post(target, {"body": "x", "action": "complete", "number": ticket.number}).status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.comments.count() == 0


def test_anonymous_is_sent_to_log_in(client, ticket):
    response = client.get(url("ticket", ticket))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_unknown_and_malformed_numbers_are_404(agent_client, db):
    for number in ("0000000000", "12ab", "1" * 11, "٣٣"):
        assert agent_client.get(reverse("desk:ticket", args=[number])).status_code == 404


def test_agents_limited_to_their_teams_find_other_tickets_nowhere(agent_client, settings, customer):
    settings.TESSERA_AGENTS_SEE_ONLY_TEAM_TICKETS = True
    foreign = TicketFactory(created_by=customer, category=CategoryFactory(service_team=ServiceTeamFactory()))
    assert agent_client.get(url("ticket", foreign)).status_code == 404
    assert agent_client.post(url("ticket_status", foreign), {"action": "start"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Status.OPEN


# What the workspace shows.


def test_every_field_of_the_ticket_is_shown(agent_client, agent, customer, category, organization):
    CategoryField.objects.create(category=category, key="module", label="Module", kind="text")
    previous = TicketFactory(created_by=customer, category=category, status=Status.COMPLETED, title="Earlier one")
    ticket = services.ticket_create(
        author=customer, title="Month end export fails", category=category, description="It stops.",
        external_reference="REF-42", cc_emails=["it@rossi.test"], field_values={"module": "Export"},
        priority=Priority.HIGH, follow_up_of=previous,
    )
    related = TicketFactory(created_by=customer, category=category, title="Related one")
    TicketLink.objects.create(from_ticket=related if related.pk < ticket.pk else ticket,
                              to_ticket=ticket if related.pk < ticket.pk else related)
    services.ticket_assign(ticket=ticket, user=agent, assignee=agent)
    page = page_of(agent_client.get(url("ticket", ticket)))
    for text in (
        ticket.number, "Month end export fails", "It stops.", "Praxis Rossi", "100001",
        reverse("desk:organization_detail", args=[organization.pk]), customer.get_full_name(), customer.email,
        "it@rossi.test", "Open", "New", "high (prio. 2)", "Practice management", "Practice software",
        agent.get_full_name(), "Customer portal", "REF-42", "Module", "Export", previous.number, related.number,
        "Related one",
    ):
        assert text in page, text
    assert "Creation date" in page and "Change date" in page and "Closed" in page


def test_merged_into_pointer_is_shown(agent_client, agent, customer, category):
    target = TicketFactory(created_by=customer, category=category, title="The original")
    duplicate = TicketFactory(created_by=customer, category=category)
    services.ticket_merge(ticket=duplicate, user=agent, target=target)
    page = page_of(agent_client.get(url("ticket", duplicate)))
    assert f"This ticket was merged into {target.number}" in page and url("ticket", target) in page
    assert "The original" in page
    assert duplicate.number in page_of(agent_client.get(url("ticket", target)))


def test_timeline_merges_comments_notes_and_events_in_time_order(agent_client, agent, other_agent, ticket, customer):
    services.ticket_assign(ticket=ticket, user=agent, assignee=other_agent)
    services.comment_add(ticket=ticket, author=customer, body="Customer says hello")
    services.comment_add(ticket=ticket, author=agent, body="Secret remark", is_internal=True, attachments=[png()])
    services.ticket_change_priority(ticket=ticket, user=agent, priority=Priority.VERY_HIGH)
    services.ticket_change_status(ticket=ticket, user=agent, action="request_info", message="Which version?")
    services.ticket_cc_remove(ticket=ticket, user=agent, emails=["it@rossi.test"])
    page = page_of(agent_client.get(url("ticket", ticket)))
    timeline = page[page.index('data-testid="timeline"'):]
    order = [
        "Ticket created", "Assignee", other_agent.get_full_name(), "Customer says hello", "Internal note",
        "Secret remark", "screen.png", "Priority", "medium (prio. 3)", "very high (prio. 1)",
        "Which version?", "Status", "Customer action", "CC", "removed: it@rossi.test",
    ]
    positions = [timeline.index(text) for text in order]
    assert positions == sorted(positions), list(zip(order, positions, strict=True))
    # The note looks different from what the customer reads.
    note = parse(timeline).find("li", testid="timeline-note").inner_html
    assert "Internal note" in note and "Secret remark" in note
    assert 'class="timeline-entry timeline-comment"' in timeline
    assert agent.get_full_name() in timeline  # who
    assert "Request information" in timeline  # how


def test_events_of_unknown_types_and_odd_data_do_not_break_the_page(agent_client, ticket):
    TicketEvent.objects.create(ticket=ticket, type="not_yet_known", data={"days": 5, "to": "<b>x</b>"})
    TicketEvent.objects.create(ticket=ticket, type=Type.LINKED, data={"other": "../../admin"})
    TicketEvent.objects.create(ticket=ticket, type=Type.STATUS_CHANGED, data={"old": "bogus", "new": None})
    response = agent_client.get(url("ticket", ticket))
    assert response.status_code == 200
    assert "&lt;b&gt;x&lt;/b&gt;" in page_of(response)


def test_workspace_queries_stay_constant_with_the_timeline_length(agent_client, agent, customer, category,
                                                                   django_assert_max_num_queries):
    def build(entries):
        ticket = services.ticket_create(author=customer, title="Busy", category=category, cc_emails=["a@rossi.test"])
        for i in range(entries):
            if i % 3 == 0:
                comment = CommentFactory(ticket=ticket, author=customer, body=f"comment {i}")
                Attachment.objects.create(ticket=ticket, comment=comment, file="x.png", original_name=f"f{i}.png")
            elif i % 3 == 1:
                CommentFactory(ticket=ticket, author=agent, body=f"note {i}", is_internal=True)
            else:
                TicketEvent.objects.create(ticket=ticket, actor=agent, type=Type.PRIORITY_CHANGED,
                                           data={"old": 3, "new": 2})
        CannedResponse.objects.create(title="Hello", body="Hi {customer_name}")
        return ticket

    counts = []
    agent_client.get(url("ticket", build(0)))  # the branding is cached by the first page a process serves
    for entries in (5, 100):
        ticket = build(entries)
        with CaptureQueriesContext(connection) as queries:
            response = agent_client.get(url("ticket", ticket))
        assert response.status_code == 200
        assert f"comment {entries - 1 - (entries - 1) % 3}" in page_of(response)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    ticket = build(100)
    # the customer panel (other tickets, contacts, notes, SLA tier): 5; tags: 1; SLA: 1; the version (collisions): 1
    with django_assert_max_num_queries(20):
        agent_client.get(url("ticket", ticket))


# Replies and internal notes.


def test_reply_to_the_customer_with_an_attachment(agent_client, agent, ticket):
    response = agent_client.post(url("ticket_reply", ticket),
                                 {"body": "Please restart.", "send": "public", "attachments": [png()]}, follow=True)
    assert "Your reply has been sent to the customer." in messages_of(response)
    comment = Comment.objects.get(ticket=ticket)
    assert (comment.body, comment.is_internal, comment.author, comment.source) == (
        "Please restart.", False, agent, Source.DESK)
    assert comment.attachments.get().original_name == "screen.png"
    assert "Please restart." in page_of(response)


def test_internal_note_stays_internal(agent_client, client, ticket, customer):
    response = agent_client.post(url("ticket_reply", ticket), {"body": "Looks like bug 123", "send": "internal"},
                                 follow=True)
    assert "Your internal note has been added." in messages_of(response)
    assert Comment.objects.get(ticket=ticket).is_internal
    client.force_login(customer)
    assert "bug 123" not in page_of(client.get(reverse("portal:ticket_detail", args=[ticket.number])))


def test_an_empty_reply_is_refused_next_to_the_field(agent_client, ticket):
    response = agent_client.post(url("ticket_reply", ticket), {"body": "  ", "send": "public"})
    assert response.status_code == 400
    assert "Write a message or attach a file." in page_of(response)
    assert not Comment.objects.filter(ticket=ticket).exists()


def test_an_oversized_file_is_refused_and_the_text_kept(agent_client, ticket, settings):
    settings.TESSERA_ATTACHMENT_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * 5000, content_type="image/png")
    response = agent_client.post(url("ticket_reply", ticket), {"body": "See file", "attachments": [big]})
    assert response.status_code == 400
    page = page_of(response)
    assert "The file big.png is larger than" in page and "See file" in page
    assert "Please choose your attachments again" in page
    assert not Comment.objects.filter(ticket=ticket).exists()


def test_a_closed_ticket_takes_no_reply(agent_client, ticket):
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.COMPLETED)
    page = page_of(agent_client.get(url("ticket", ticket)))
    assert "This ticket is closed" in page and "Send reply to customer" not in page
    response = agent_client.post(url("ticket_reply", ticket), {"body": "Late", "send": "public"}, follow=True)
    assert "This ticket is closed; open a follow-up ticket instead." in messages_of(response)
    assert not Comment.objects.filter(ticket=ticket).exists()


def test_attachments_download_through_the_desk_only_for_their_ticket(agent_client, agent, ticket, customer, category):
    note = services.comment_add(ticket=ticket, author=agent, body="internal", is_internal=True, attachments=[png()])
    attachment = note.attachments.get()
    response = agent_client.get(url("ticket_attachment", ticket, attachment.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG
    other = TicketFactory(created_by=customer, category=category)
    assert agent_client.get(url("ticket_attachment", other, attachment.pk)).status_code == 404


# Status changes, only by the transition table.


def test_status_form_offers_only_the_allowed_transitions(agent_client, ticket):
    form = agent_client.get(url("ticket", ticket)).context["status_form"]
    offered = {value for value, _label in form.fields["action"].choices if value}
    assert "start" in offered and "request_info" in offered
    assert not offered & {"accept_solution", "close", "customer_replied", "auto_complete"}


def test_request_info_needs_a_message_to_the_customer(agent_client, ticket):
    response = agent_client.post(url("ticket_status", ticket), {"action": "request_info", "message": ""})
    assert response.status_code == 400
    assert "Tell the customer which information you need." in page_of(response)
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN

    response = agent_client.post(url("ticket_status", ticket),
                                 {"action": "request_info", "message": "Which version do you use?"}, follow=True)
    assert "The status is now “Customer action”." in messages_of(response)
    ticket.refresh_from_db()
    assert ticket.status == Status.CUSTOMER_ACTION
    comment = Comment.objects.get(ticket=ticket)
    assert comment.body == "Which version do you use?" and not comment.is_internal


def test_provide_solution_needs_the_solution_text(agent_client, ticket):
    response = agent_client.post(url("ticket_status", ticket), {"action": "provide_solution"})
    assert response.status_code == 400 and "Write the solution the customer will receive." in page_of(response)
    agent_client.post(url("ticket_status", ticket), {"action": "provide_solution", "message": "Update to 5.3."})
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLUTION_PROVIDED
    assert Comment.objects.get(ticket=ticket).body == "Update to 5.3."


def test_complete_silently_sends_nothing(agent_client, ticket, deliver, mailoutbox):
    response = agent_client.post(url("ticket_status", ticket), {"action": "complete_silently", "message": "Bye"})
    assert response.status_code == 400 and "Completing without e-mail sends nothing" in page_of(response)
    with deliver():
        pass  # what the ticket's creation sent
    mailoutbox.clear()
    with deliver():
        agent_client.post(url("ticket_status", ticket), {"action": "complete_silently"})
    ticket.refresh_from_db()
    assert ticket.status == Status.COMPLETED_SILENT and ticket.closed_at is not None
    assert not Comment.objects.filter(ticket=ticket).exists()
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (Status.IN_PROCESS, "start"),  # already there
        (Status.OPEN, "accept_solution"),  # the customer's action
        (Status.OPEN, "auto_complete"),  # the system's
        (Status.COMPLETED, "start"),  # closed: read-only
        (Status.OPEN, "no_such_action"),
    ],
)
def test_refused_transitions_say_so_and_change_nothing(agent_client, ticket, status, action):
    Ticket.objects.filter(pk=ticket.pk).update(status=status)
    response = agent_client.post(url("ticket_status", ticket), {"action": action, "message": "x"}, follow=True)
    assert "This status change is not allowed while the ticket is" in page_of(response)
    ticket.refresh_from_db()
    assert ticket.status == status
    assert not events_of(ticket, Type.STATUS_CHANGED)


def test_a_transition_refused_by_the_service_is_a_message(agent_client, ticket, monkeypatch):
    from tessera.tickets.workflow import TransitionNotAllowed

    def refuse(**kwargs):
        raise TransitionNotAllowed("agent", "start", "open")

    monkeypatch.setattr(services, "ticket_change_status", refuse)
    response = agent_client.post(url("ticket_status", ticket), {"action": "start"}, follow=True)
    assert "This status change is no longer possible: the ticket's status has changed." in messages_of(response)


# Assignment, team, priority, category.


def test_assign_to_me_to_another_agent_and_unassign(agent_client, agent, other_agent, ticket):
    response = agent_client.post(url("ticket_assign_me", ticket), follow=True)
    assert "The ticket is now assigned to you." in messages_of(response)
    ticket.refresh_from_db()
    assert ticket.assignee == agent

    agent_client.post(url("ticket_assign", ticket), {"assignee": other_agent.pk})
    ticket.refresh_from_db()
    assert ticket.assignee == other_agent
    assert events_of(ticket, Type.ASSIGNED)[-1].data["previous"] == str(agent)

    agent_client.post(url("ticket_unassign", ticket))
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert events_of(ticket, Type.UNASSIGNED)[-1].data["previous"] == str(other_agent)


def test_only_active_staff_can_be_assigned(agent_client, ticket, customer):
    inactive = AgentFactory(is_active=False)
    for candidate in (customer, inactive):
        response = agent_client.post(url("ticket_assign", ticket), {"assignee": candidate.pk})
        assert response.status_code == 400 and "Select a valid choice" in page_of(response)
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_hand_the_ticket_to_another_team(agent_client, agent, ticket, service_team):
    hardware = ServiceTeamFactory(name="Hardware")
    agent_client.post(url("ticket_team", ticket), {"team": hardware.pk})
    ticket.refresh_from_db()
    assert ticket.service_team == hardware
    event = events_of(ticket, Type.TEAM_CHANGED)[-1]
    assert (event.actor, event.data["old"], event.data["new"]) == (agent, "Practice software", "Hardware")
    page = page_of(agent_client.get(url("ticket", ticket)))
    assert "Service team" in page and "Hardware" in page
    inactive = ServiceTeamFactory(is_active=False)
    assert agent_client.post(url("ticket_team", ticket), {"team": inactive.pk}).status_code == 400


def test_change_priority(agent_client, ticket):
    agent_client.post(url("ticket_priority", ticket), {"priority": "1"})
    ticket.refresh_from_db()
    assert ticket.priority == Priority.VERY_HIGH
    assert events_of(ticket, Type.PRIORITY_CHANGED)[-1].data == {"old": 3, "new": 1}
    response = agent_client.post(url("ticket_priority", ticket), {"priority": "9"})
    assert response.status_code == 400 and "Select a valid choice" in page_of(response)


def test_recategorize_reroutes_to_the_category_team(agent_client, ticket):
    billing_team = ServiceTeamFactory(name="Billing support")
    billing = CategoryFactory(name="Billing", service_team=billing_team)
    month_end = CategoryFactory(name="Month end", parent=billing, service_team=None)
    response = agent_client.post(url("ticket_category", ticket), {"category": month_end.pk}, follow=True)
    assert any("service team" in m for m in messages_of(response))
    ticket.refresh_from_db()
    assert ticket.category == month_end and ticket.service_team == billing_team
    assert events_of(ticket, Type.CATEGORY_CHANGED)[-1].data["new"] == "Billing › Month end"
    assert events_of(ticket, Type.TEAM_CHANGED)[-1].data["new"] == "Billing support"
    assert "Billing › Month end" in page_of(response)
    inactive = CategoryFactory(is_active=False)
    assert agent_client.post(url("ticket_category", ticket), {"category": inactive.pk}).status_code == 400


# CC.


def test_add_and_remove_cc(agent_client, agent, ticket, colleague):
    response = agent_client.post(url("ticket_cc_add", ticket),
                                 {"cc_users": [colleague.pk], "cc_emails": "boss@rossi.test"}, follow=True)
    assert "Added to CC: colleague@rossi.test, boss@rossi.test" in messages_of(response)
    assert set(ticket.cc_entries.values_list("email", flat=True)) == {
        "it@rossi.test", "colleague@rossi.test", "boss@rossi.test"}

    response = agent_client.post(url("ticket_cc_remove", ticket), {"email": "it@rossi.test"}, follow=True)
    assert "Removed from CC: it@rossi.test" in messages_of(response)
    assert not ticket.cc_entries.filter(email="it@rossi.test").exists()
    event = events_of(ticket, Type.CC_CHANGED)[-1]
    assert (event.actor, event.data) == (agent, {"added": [], "removed": ["it@rossi.test"]})

    response = agent_client.post(url("ticket_cc_remove", ticket), {"email": "nobody@rossi.test"}, follow=True)
    assert "This address is not in CC." in messages_of(response)


def test_cc_errors_show_next_to_the_field(agent_client, ticket, outsider):
    response = agent_client.post(url("ticket_cc_add", ticket), {"cc_emails": "not-an-address"})
    assert response.status_code == 400 and "not-an-address is not a valid e-mail address." in page_of(response)
    response = agent_client.post(url("ticket_cc_add", ticket), {"cc_users": [outsider.pk]})
    assert response.status_code == 400  # only colleagues of the ticket's organization are offered
    assert not ticket.cc_entries.filter(email=outsider.email).exists()


# Related tickets.


def test_link_and_unlink_a_related_ticket(agent_client, agent, ticket, customer, category):
    other = TicketFactory(created_by=customer, category=category, title="Printer jam")
    response = agent_client.post(url("ticket_link", ticket), {"number": other.number.lstrip("0")}, follow=True)
    assert f"Ticket {other.number} is now linked." in messages_of(response)
    link = TicketLink.objects.get()
    assert link.from_ticket_id < link.to_ticket_id
    assert {link.from_ticket_id, link.to_ticket_id} == {ticket.pk, other.pk}
    assert events_of(ticket, Type.LINKED)[0].data["other"] == other.number
    assert events_of(other, Type.LINKED)[0].data["other"] == ticket.number
    assert "Printer jam" in page_of(agent_client.get(url("ticket", ticket)))
    assert ticket.number in page_of(agent_client.get(url("ticket", other)))

    response = agent_client.post(url("ticket_link", other), {"number": ticket.number})
    assert response.status_code == 400 and "is already linked" in page_of(response)

    response = agent_client.post(url("ticket_unlink", other, ticket.number), follow=True)
    assert f"The link to ticket {ticket.number} has been removed." in messages_of(response)
    assert not TicketLink.objects.exists()
    assert events_of(ticket, Type.UNLINKED) and events_of(other, Type.UNLINKED)


def test_refused_links(agent_client, ticket):
    for number, message in (
        (ticket.number, "A ticket cannot be linked to itself."),
        ("0999999999", "There is no ticket 0999999999."),
        ("12-3", "A ticket number has only digits."),
    ):
        response = agent_client.post(url("ticket_link", ticket), {"number": number})
        assert response.status_code == 400 and message in page_of(response), number
    assert not TicketLink.objects.exists()


# Canned responses.


@pytest.fixture
def canned(service_team):
    other_team = ServiceTeamFactory(name="Hardware")
    return {
        "team": CannedResponse.objects.create(
            team=service_team, title="Restart", body="Dear {customer_name}, about {ticket_number} “{ticket_title}”: "
                                                    "please restart. {ticket.__class__}"),
        "everyone": CannedResponse.objects.create(title="Thanks", body="Thank you!"),
        "other_team": CannedResponse.objects.create(team=other_team, title="Hardware only", body="x"),
        "inactive": CannedResponse.objects.create(team=service_team, title="Old answer", body="x", is_active=False),
    }


def test_the_reply_box_offers_the_team_and_shared_canned_responses(agent_client, ticket, canned):
    page = page_of(agent_client.get(url("ticket", ticket)))
    assert "Restart" in page and "Thanks" in page
    assert "Hardware only" not in page and "Old answer" not in page


def test_insert_without_javascript_puts_the_text_in_the_box_and_sends_nothing(agent_client, ticket, canned, customer):
    response = agent_client.post(url("ticket_reply", ticket),
                                 {"body": "Hello,", "canned": canned["team"].pk, "insert": "1"})
    assert response.status_code == 200
    body = response.context["reply_form"]["body"].value()
    assert body == (f"Hello,\n\nDear {customer.get_full_name()}, about {ticket.number} “Month end export fails”: "
                    "please restart. {ticket.__class__}")
    assert "please restart." in page_of(response)
    assert not Comment.objects.filter(ticket=ticket).exists()


def test_insert_with_htmx_returns_the_reply_box(agent_client, ticket, canned):
    response = agent_client.post(url("ticket_canned", ticket), {"body": "", "canned": canned["everyone"].pk},
                                 headers={"HX-Request": "true"})
    page = page_of(response)
    assert response.status_code == 200 and "<html" not in page
    assert 'id="reply-body"' in page and "Thank you!</textarea>" in page


def test_canned_responses_of_another_team_cannot_be_inserted(agent_client, ticket, canned):
    response = agent_client.post(url("ticket_canned", ticket), {"body": "typed", "canned": canned["other_team"].pk})
    assert "typed</textarea>" in page_of(response)
    response = agent_client.post(url("ticket_reply", ticket), {"body": "typed", "canned": "", "insert": "1"})
    assert "Choose a canned response to insert." in messages_of(response)


def test_customers_see_no_canned_response(client, customer, ticket, canned):
    client.force_login(customer)
    assert "Restart" not in page_of(client.get(reverse("portal:ticket_detail", args=[ticket.number])))


def test_timeline_dates_keep_their_order_across_days(agent_client, agent, ticket):
    old = CommentFactory(ticket=ticket, author=agent, body="older note", is_internal=True,
                         created_at=timezone.now() - timedelta(days=2))
    CommentFactory(ticket=ticket, author=agent, body="newer note", is_internal=True)
    page = page_of(agent_client.get(url("ticket", ticket)))
    assert page.index("older note") < page.index("Ticket created") < page.index("newer note")
    assert old.pk


def test_a_refusal_by_a_domain_rule_shows_next_to_the_form(agent_client, ticket, monkeypatch):
    from tessera.core.errors import ApplicationError

    def refuse(**kwargs):
        raise ApplicationError("Priorities are frozen during the audit.", field="priority")

    monkeypatch.setattr(services, "ticket_change_priority", refuse)
    response = agent_client.post(url("ticket_priority", ticket), {"priority": "1"})
    assert response.status_code == 400
    assert "Priorities are frozen during the audit." in page_of(response)
