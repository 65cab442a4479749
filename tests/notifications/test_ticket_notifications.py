"""Who hears of what happens to a ticket, in which language, with which link and Reply-To."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tessera.accounts.services import password_change
from tessera.core.operations import operation
from tessera.notifications.models import OutgoingEmail
from tessera.notifications.reply_tokens import reply_to_address
from tessera.tickets import services
from tessera.tickets.links import ticket_url
from tessera.tickets.models import ServiceTeam, TicketEvent
from tessera.tickets.notifications import notify
from tessera.tickets.workflow import Action, Status

from ..factories import PASSWORD, AgentFactory
from ..html import parse
from .helpers import html_of

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"

# The events one service call writes are told together because they share its operation id. Ticket services
# open their operation themselves once they are ``@unit_of_work`` (issue 12); the tests that depend on it say
# ``with operation():`` around the call, which joins the service's own operation when it has one.
PLAIN_CC = "it-contractor@rossi.test"  # a plain address at the practice's own domain


@pytest.fixture
def scene(organization, customer, colleague, agent, service_team):
    """Requester in Italian, a colleague in CC in English, an outside address in CC (the organization speaks
    German), two agents in the team (English, Italian)."""
    organization.language = "de"
    organization.save(update_fields=["language"])
    customer.language, customer.first_name = "it", "Giulia"
    customer.save(update_fields=["language", "first_name"])
    colleague.language = "en"
    colleague.save(update_fields=["language"])
    teammate = AgentFactory(email="teammate@vendor.test", language="it")
    service_team.members.add(teammate)
    return teammate


@pytest.fixture
def ticket(scene, customer, colleague, category, run_worker, mailoutbox):
    """A ticket whose creation has been told already (the outbox starts empty)."""
    ticket = services.ticket_create(
        author=customer, title="Printer jams", category=category, description="Paper stuck in tray 2.",
        cc_users=[colleague], cc_emails=[PLAIN_CC],
    )
    run_worker()
    mailoutbox.clear()
    return ticket


def by_recipient(outbox) -> dict:
    recipients = [message.to[0] for message in outbox]
    assert len(recipients) == len(set(recipients)), f"someone got two messages: {recipients}"
    return {message.to[0]: message for message in outbox}


def language_of(message) -> str:
    return parse(html_of(message)).find("html").attrs["lang"]


def assert_subject(message, ticket, news: str):
    """``[#number] Title – news``; the news in English only where the recipient reads English.

    (The catalogs are translated later; in another language only the number and title are checked.)
    """
    prefix = f"[#{ticket.number}] {ticket.title} – "
    assert message.subject.startswith(prefix)
    if language_of(message) == "en":
        assert message.subject == prefix + news


def portal_url(ticket) -> str:
    return f"{SITE}/tickets/{ticket.number}/"


def assert_for_customer(message, ticket, *, user=None, language):
    assert portal_url(ticket) in message.body
    assert portal_url(ticket) in html_of(message)
    assert "/desk/" not in message.body + html_of(message)
    assert language_of(message) == language
    assert message.reply_to == ([reply_to_address(ticket_id=ticket.pk, user_id=user.pk)] if user else [])
    assert message.extra_headers["X-Tessera-Ticket"] == ticket.number


def assert_for_agent(message, ticket, *, user=None, language):
    assert ticket_url(ticket, for_staff=True) in message.body
    assert ticket_url(ticket, for_staff=True) in html_of(message)
    assert language_of(message) == language
    assert message.reply_to == ([reply_to_address(ticket_id=ticket.pk, user_id=user.pk)] if user else [])


# Ticket created ---------------------------------------------------------------------------------


def test_created_confirms_to_requester_and_cc_and_tells_the_team(
    scene, deliver, mailoutbox, customer, colleague, agent, category
):
    teammate = scene
    with deliver(), operation():
        ticket = services.ticket_create(
            author=customer, title="Printer jams", category=category, description="Paper stuck in tray 2.",
            cc_users=[colleague], cc_emails=[PLAIN_CC],
            attachments=[SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, "image/png")],
        )
    mails = by_recipient(mailoutbox)
    assert set(mails) == {customer.email, colleague.email, PLAIN_CC, agent.email, teammate.email}

    for address in (customer.email, colleague.email, PLAIN_CC):
        assert_subject(mails[address], ticket, "Request received")
        assert "photo.png" in mails[address].body
    assert_for_customer(mails[customer.email], ticket, user=customer, language="it")
    assert_for_customer(mails[colleague.email], ticket, user=colleague, language="en")
    assert_for_customer(mails[PLAIN_CC], ticket, language="de")  # the organization's language, no reply address
    assert "Giulia" in mails[customer.email].body
    assert customer.get_full_name() in mails[colleague.email].body  # who put them in copy

    for address, user, language in ((agent.email, agent, "en"), (teammate.email, teammate, "it")):
        message = mails[address]
        assert_subject(message, ticket, "New ticket from Praxis Rossi")
        assert "Paper stuck in tray 2." in message.body
        assert "photo.png" in message.body
        assert_for_agent(message, ticket, user=user, language=language)
    assert f"/desk/tickets/{ticket.number}/" in mails[agent.email].body
    # One message, not also one per attachment.
    assert OutgoingEmail.objects.count() == 5


def test_a_team_address_is_told_instead_of_its_agents(scene, deliver, mailoutbox, customer, category, service_team):
    service_team.email = "Support-Team@vendor.test"
    service_team.save()
    with deliver():
        ticket = services.ticket_create(author=customer, title="Printer jams", category=category)
    mails = by_recipient(mailoutbox)
    assert set(mails) == {customer.email, "support-team@vendor.test"}
    assert_for_agent(mails["support-team@vendor.test"], ticket, language="en")


def test_the_assignee_is_told_instead_of_the_team(scene, deliver, mailoutbox, customer, agent, category, service_team):
    service_team.auto_assign = ServiceTeam.AutoAssign.ROUND_ROBIN
    service_team.save()
    with deliver(), operation():
        ticket = services.ticket_create(author=customer, title="Printer jams", category=category)
    ticket.refresh_from_db()
    assert ticket.assignee == agent
    mails = by_recipient(mailoutbox)
    assert set(mails) == {customer.email, agent.email}  # the round robin's assignment adds no second message
    assert "assigned to you" in mails[agent.email].body


def test_agents_who_are_away_or_want_no_mail_hear_nothing(scene, deliver, mailoutbox, customer, agent, category):
    teammate = scene
    teammate.is_away = True
    teammate.save()
    agent.notify_ticket_updates = False
    agent.save()
    with deliver():
        services.ticket_create(author=customer, title="Printer jams", category=category)
    assert set(by_recipient(mailoutbox)) == {customer.email}


# Support writes ---------------------------------------------------------------------------------


def test_an_agents_reply_reaches_requester_and_cc(ticket, deliver, mailoutbox, customer, colleague, agent):
    with deliver():
        services.comment_add(ticket=ticket, author=agent, body="Please restart the printer.")
    mails = by_recipient(mailoutbox)
    assert set(mails) == {customer.email, colleague.email, PLAIN_CC}
    for message in mails.values():
        assert_subject(message, ticket, "New reply from customer support")
        assert "Please restart the printer." in message.body
        assert "Please restart the printer." in html_of(message)
    assert_for_customer(mails[customer.email], ticket, user=customer, language="it")
    assert_for_customer(mails[colleague.email], ticket, user=colleague, language="en")
    assert_for_customer(mails[PLAIN_CC], ticket, language="de")


def test_an_internal_note_reaches_nobody_outside_support(ticket, deliver, mailoutbox, agent):
    with deliver():
        services.comment_add(ticket=ticket, author=agent, body="Secret: the customer owes us money.", is_internal=True)
    assert mailoutbox == []
    assert not OutgoingEmail.objects.filter(text__contains="Secret").exists()


@pytest.mark.parametrize(
    ("actions", "suffix"),
    [
        ([Action.REQUEST_INFO], "Further information requested"),
        ([Action.PROVIDE_SOLUTION], "Solution provided"),
        ([Action.START, Action.COMPLETE], "Completed"),
    ],
)
def test_status_changes_customers_hear_of_carry_the_message(
    ticket, deliver, mailoutbox, customer, colleague, agent, actions, suffix
):
    for action in actions[:-1]:
        services.ticket_change_status(ticket=ticket, user=agent, action=action)
    with deliver(), operation():
        services.ticket_change_status(ticket=ticket, user=agent, action=actions[-1], message="Which model is it?")
    mails = by_recipient(mailoutbox)  # one message each: the message is not told again as a reply
    assert set(mails) == {customer.email, colleague.email, PLAIN_CC}
    for message in mails.values():
        assert_subject(message, ticket, suffix)
        assert "Which model is it?" in message.body
    assert_for_customer(mails[customer.email], ticket, user=customer, language="it")
    assert_for_customer(mails[PLAIN_CC], ticket, language="de")


@pytest.mark.parametrize("message", ["", "Closed as agreed on the phone."])
def test_completed_without_email_sends_nothing(ticket, deliver, mailoutbox, agent, message):
    with deliver(), operation():
        services.ticket_change_status(ticket=ticket, user=agent, action=Action.COMPLETE_SILENTLY, message=message)
    assert mailoutbox == []


def test_other_status_changes_tell_only_their_message(ticket, deliver, mailoutbox, customer, agent):
    with deliver():
        services.ticket_change_status(ticket=ticket, user=agent, action=Action.START)
    assert mailoutbox == []
    with deliver():
        services.ticket_change_status(ticket=ticket, user=agent, action=Action.HOLD, message="Waiting for the vendor.")
    mails = by_recipient(mailoutbox)
    assert_subject(mails[customer.email], ticket, "New reply from customer support")
    assert "Waiting for the vendor." in mails[customer.email].body


def test_the_automatic_completion_tells_the_requester(ticket, deliver, run_worker, mailoutbox, customer, agent):
    services.ticket_change_status(ticket=ticket, user=agent, action=Action.PROVIDE_SOLUTION, message="Done.")
    run_worker()
    mailoutbox.clear()
    with deliver():
        services.ticket_system_transition(ticket=ticket, action=Action.AUTO_COMPLETE)
    mails = by_recipient(mailoutbox)
    assert_subject(mails[customer.email], ticket, "Completed")
    assert "Done." not in mails[customer.email].body  # the solution was told before, not again


# Customers write --------------------------------------------------------------------------------


def test_a_customers_comment_reaches_the_team_without_assignee(ticket, deliver, mailoutbox, scene, customer, agent):
    teammate = scene
    upload = SimpleUploadedFile("error.txt", b"E42 paper jam", "text/plain")
    with deliver():
        services.comment_add(ticket=ticket, author=customer, body="Still jammed.", attachments=[upload])
    mails = by_recipient(mailoutbox)
    assert set(mails) == {agent.email, teammate.email}  # not the customer, not the colleague in CC
    for message in mails.values():
        assert_subject(message, ticket, "New comment from the customer")
        assert "Still jammed." in message.body
        assert "error.txt" in message.body
        assert "Praxis Rossi" in message.body
    assert_for_agent(mails[agent.email], ticket, user=agent, language="en")
    assert_for_agent(mails[teammate.email], ticket, user=teammate, language="it")


def test_a_customers_comment_reaches_only_the_assignee(ticket, deliver, mailoutbox, customer, agent, other_agent):
    services.ticket_assign(ticket=ticket, user=agent, assignee=agent)
    with deliver():
        services.comment_add(ticket=ticket, author=customer, body="Still jammed.")
    assert set(by_recipient(mailoutbox)) == {agent.email}


def test_a_customers_answer_to_a_question_is_one_message(ticket, deliver, run_worker, mailoutbox, customer, agent,
                                                        scene):
    services.ticket_change_status(ticket=ticket, user=agent, action=Action.REQUEST_INFO, message="Which model?")
    run_worker()
    mailoutbox.clear()
    with deliver(), operation():
        services.comment_add(ticket=ticket, author=customer, body="A LaserJet 4.")
    ticket.refresh_from_db()
    assert ticket.status == Status.ADDITIONAL_INFO
    mails = by_recipient(mailoutbox)
    assert set(mails) == {agent.email, scene.email}
    assert_subject(mails[agent.email], ticket, "New comment from the customer")
    assert "A LaserJet 4." in mails[agent.email].body


# One operation, one message ----------------------------------------------------------------------
# The events one service call writes share its operation id and are told together; two calls are two
# operations, however close in time (a time window once merged them).


def _customer_mails(mailoutbox, customer) -> list:
    return [message for message in mailoutbox if message.to == [customer.email]]


def test_one_call_writing_several_events_sends_one_message(ticket, deliver, mailoutbox, customer, agent):
    with deliver(), operation():
        services.ticket_change_status(ticket=ticket, user=agent, action=Action.PROVIDE_SOLUTION, message="Fixed.")
    comment_event, status_event = TicketEvent.objects.filter(
        ticket=ticket, type__in=[TicketEvent.Type.COMMENT_ADDED, TicketEvent.Type.STATUS_CHANGED]
    ).order_by("pk")
    assert comment_event.operation_id is not None
    assert comment_event.operation_id == status_event.operation_id
    [message] = _customer_mails(mailoutbox, customer)
    assert_subject(message, ticket, "Solution provided")
    assert "Fixed." in message.body


def test_two_actions_seconds_apart_are_told_separately(ticket, deliver, mailoutbox, customer, agent):
    # The worker runs once both are written, as it would when the queue is busy.
    with deliver():
        with operation():
            services.comment_add(ticket=ticket, author=agent, body="Please restart the printer.")
        with operation():
            services.ticket_change_status(ticket=ticket, user=agent, action=Action.COMPLETE)
    first, second = TicketEvent.objects.filter(
        ticket=ticket, type__in=[TicketEvent.Type.COMMENT_ADDED, TicketEvent.Type.STATUS_CHANGED]
    ).order_by("pk")
    assert (second.created_at - first.created_at).total_seconds() < 10
    assert first.operation_id != second.operation_id
    reply, completed = _customer_mails(mailoutbox, customer)
    assert_subject(reply, ticket, "New reply from customer support")
    assert "Please restart the printer." in reply.body
    assert_subject(completed, ticket, "Completed")
    assert "Please restart the printer." not in completed.body  # told once, by its own message


def test_two_agents_acting_seconds_apart_are_told_separately(ticket, deliver, mailoutbox, customer, agent,
                                                             other_agent):
    with deliver():
        with operation():
            services.comment_add(ticket=ticket, author=agent, body="Please restart the printer.")
        with operation():
            services.ticket_change_status(ticket=ticket, user=other_agent, action=Action.REQUEST_INFO,
                                          message="Which model is it?")
    reply, question = _customer_mails(mailoutbox, customer)
    assert_subject(reply, ticket, "New reply from customer support")
    assert "Please restart the printer." in reply.body and "Which model is it?" not in reply.body
    assert_subject(question, ticket, "Further information requested")
    assert "Which model is it?" in question.body and "Please restart the printer." not in question.body


def test_events_written_before_operations_were_recorded_stand_alone(ticket, deliver, mailoutbox, customer, agent):
    with deliver():
        services.ticket_change_status(ticket=ticket, user=agent, action=Action.PROVIDE_SOLUTION, message="Fixed.")
        TicketEvent.objects.filter(ticket=ticket).update(operation_id=None)
    reply, solution = _customer_mails(mailoutbox, customer)
    assert_subject(reply, ticket, "New reply from customer support")
    assert_subject(solution, ticket, "Solution provided")
    told = OutgoingEmail.objects.filter(to=customer.email).exclude(template="ticket_created").order_by("pk")
    assert list(told.values_list("template", flat=True)) == ["ticket_reply", "ticket_status_changed"]


def test_a_customer_accepting_the_solution(ticket, deliver, run_worker, mailoutbox, customer, colleague, agent, scene):
    services.ticket_change_status(ticket=ticket, user=agent, action=Action.PROVIDE_SOLUTION, message="Fixed.")
    run_worker()
    mailoutbox.clear()
    with deliver():
        services.ticket_accept_solution(ticket=ticket, user=customer)
    mails = by_recipient(mailoutbox)
    assert customer.email not in mails  # who acted is not told
    assert_subject(mails[colleague.email], ticket, "Completed")
    assert_subject(mails[agent.email], ticket, "Status changed by the customer: Completed")


def test_an_attachment_added_later_on_its_own(ticket, deliver, mailoutbox, customer, agent, scene):
    TicketEvent.objects.filter(ticket=ticket).update(created_at=timezone.now() - timedelta(hours=1))
    upload = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * 32, "application/pdf")
    with deliver():
        services.attachment_add(ticket=ticket, uploaded_by=customer, upload=upload)
    mails = by_recipient(mailoutbox)
    assert set(mails) == {agent.email, scene.email}
    assert_subject(mails[agent.email], ticket, "New attachment from the customer")
    assert "scan.pdf" in mails[agent.email].body


# Agents among themselves ------------------------------------------------------------------------


def test_an_agent_assigned_by_a_colleague_is_told(ticket, deliver, mailoutbox, agent, other_agent):
    other_agent.first_name, other_agent.last_name = "Anna", "Lead"
    other_agent.save()
    with deliver():
        services.ticket_assign(ticket=ticket, user=other_agent, assignee=agent)
    [message] = mailoutbox
    assert message.to == [agent.email]
    assert_subject(message, ticket, "Assigned to you")
    assert "Anna Lead has assigned this ticket to you." in message.body
    assert_for_agent(message, ticket, user=agent, language="en")
    mailoutbox.clear()
    with deliver():
        services.ticket_assign(ticket=ticket, user=other_agent, assignee=other_agent)  # taken by oneself
    assert mailoutbox == []


def test_a_merge_sends_only_the_merged_notice_to_the_duplicates_customers(
    ticket, deliver, mailoutbox, customer, agent, category, run_worker
):
    duplicate = services.ticket_create(author=customer, title="Printer jams again", category=category)
    run_worker()
    mailoutbox.clear()
    with deliver():
        services.ticket_merge(ticket=duplicate, user=agent, target=ticket)
    [message] = mailoutbox  # nothing of the moved comments, CC or links: only where the ticket went
    assert message.to == [customer.email]
    assert_subject(message, duplicate, f"Merged into ticket {ticket.number}")


# Who never hears ---------------------------------------------------------------------------------


def test_no_ticket_mail_when_switched_off_but_account_mail_still_goes(scene, deliver, mailoutbox, customer, category,
                                                                     colleague):
    customer.notify_ticket_updates = False
    customer.save()
    with deliver():
        ticket = services.ticket_create(author=customer, title="Printer jams", category=category,
                                        cc_users=[colleague])
        services.comment_add(ticket=ticket, author=AgentFactory(), body="On it.")
    assert customer.email not in {m.to[0] for m in mailoutbox}
    assert colleague.email in {m.to[0] for m in mailoutbox}
    mailoutbox.clear()
    with deliver():
        password_change(user=customer, old_password=PASSWORD, new_password="another-horse-8")
    [message] = mailoutbox
    assert message.to == [customer.email]
    assert message.subject  # the security notice goes whatever the preference


def test_never_to_another_organization(scene, deliver, mailoutbox, customer, colleague, outsider, category, agent):
    """An address of another organization's user typed as CC is refused; a colleague who has left hears nothing."""
    with pytest.raises(ValidationError):
        services.ticket_create(
            author=customer, title="Printer jams", category=category, cc_emails=[outsider.email.upper()],
        )
    with deliver():
        ticket = services.ticket_create(author=customer, title="Printer jams", category=category, cc_users=[colleague])
    assert outsider.email not in {m.to[0] for m in mailoutbox}
    colleague.membership.is_active = False
    colleague.membership.save()
    mailoutbox.clear()
    with deliver():
        services.comment_add(ticket=ticket, author=agent, body="On it.")
    assert set(by_recipient(mailoutbox)) == {customer.email}
    assert not OutgoingEmail.objects.filter(to__in=[outsider.email, colleague.email], text__contains="On it.").exists()


def test_a_plain_address_hears_only_of_its_own_ticket(scene, deliver, mailoutbox, customer, category, agent):
    with deliver():
        with_copy = services.ticket_create(author=customer, title="With copy", category=category, cc_emails=[PLAIN_CC])
        other = services.ticket_create(author=customer, title="Without copy", category=category)
        services.comment_add(ticket=other, author=agent, body="Answer on the other ticket.")
    [message] = [m for m in mailoutbox if m.to == [PLAIN_CC]]
    assert_subject(message, with_copy, "Request received")


# Composition ------------------------------------------------------------------------------------


def test_an_event_composed_twice_queues_nothing_new(ticket, customer, agent):
    comment = services.comment_add(ticket=ticket, author=agent, body="Please restart.")
    event = TicketEvent.objects.get(type=TicketEvent.Type.COMMENT_ADDED, data__comment_id=comment.pk)
    first = notify(event_id=event.pk)
    assert first == 3
    assert notify(event_id=event.pk) == 0
    keys = set(OutgoingEmail.objects.filter(template="ticket_reply").values_list("idempotency_key", flat=True))
    assert keys == {f"{event.pk}:{address}" for address in (customer.email, "colleague@rossi.test", PLAIN_CC)}


@pytest.mark.urls("tests.notifications.urls_without_desk")
def test_agent_link_falls_back_to_the_administration(ticket):
    assert ticket_url(ticket, for_staff=True) == f"{SITE}/admin/tickets/ticket/{ticket.pk}/change/"
