"""Automation with time travel: unanswered solutions complete, waiting customers are reminded once."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django_tasks_db.models import DBTaskResult

from tessera.notifications.emails import absolute_url
from tessera.notifications.models import OutgoingEmail
from tessera.notifications.reply_tokens import parse_reply_address
from tessera.tickets import services, tasks
from tessera.tickets.automation import run_automation_pass
from tessera.tickets.models import Ticket, TicketEvent
from tessera.tickets.workflow import Action, Status

DAY = timedelta(days=1)


def _solution_provided(customer, category, agent, title="Printer does not print") -> Ticket:
    ticket = services.ticket_create(author=customer, title=title, category=category)
    services.ticket_change_status(
        ticket=ticket, user=agent, action=Action.PROVIDE_SOLUTION, message="Install the new printer driver."
    )
    ticket.refresh_from_db()
    return ticket


def _customer_action(customer, category, agent, title="Backup fails") -> Ticket:
    ticket = services.ticket_create(author=customer, title=title, category=category)
    services.ticket_change_status(
        ticket=ticket, user=agent, action=Action.REQUEST_INFO, message="Which version do you use?"
    )
    ticket.refresh_from_db()
    return ticket


def _waiting_for(ticket, delta: timedelta) -> Ticket:
    """Travel back: the ticket's status changed ``delta`` ago."""
    Ticket.objects.filter(pk=ticket.pk).update(status_changed_at=timezone.now() - delta)
    ticket.refresh_from_db()
    return ticket


def _reminders(mailoutbox) -> list:
    # Other notifications (status changes) may be sent by the same pass; these tests are about reminders.
    return [message for message in mailoutbox if message.subject.startswith("Reminder")]


def _html(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def _ticket_url(ticket) -> str:
    return absolute_url(reverse("portal:ticket_detail", args=[ticket.number]))


@pytest.fixture
def solved(customer, category, agent):
    return _solution_provided(customer, category, agent)


@pytest.fixture
def waiting(customer, category, agent):
    return _customer_action(customer, category, agent)


# --- auto-completion ---------------------------------------------------------------------------------------------


def test_an_unanswered_solution_is_completed_after_14_days_and_not_before(solved):
    _waiting_for(solved, 14 * DAY - timedelta(minutes=1))
    assert run_automation_pass().completed == 0
    solved.refresh_from_db()
    assert solved.status == Status.SOLUTION_PROVIDED

    _waiting_for(solved, 14 * DAY)
    assert run_automation_pass().completed == 1
    solved.refresh_from_db()
    assert solved.status == Status.COMPLETED
    assert solved.closed_at is not None
    event = TicketEvent.objects.filter(ticket=solved, type=TicketEvent.Type.STATUS_CHANGED).last()
    assert event.actor is None
    assert event.data == {"old": Status.SOLUTION_PROVIDED, "new": Status.COMPLETED, "action": Action.AUTO_COMPLETE}


def test_completion_day_follows_the_setting_and_a_frozen_now(settings, solved):
    settings.TESSERA_AUTO_COMPLETE_DAYS = 3
    assert run_automation_pass(now=solved.status_changed_at + 3 * DAY - timedelta(seconds=1)).completed == 0
    assert run_automation_pass(now=solved.status_changed_at + 3 * DAY).completed == 1
    solved.refresh_from_db()
    assert solved.status == Status.COMPLETED


def test_a_second_pass_completes_nothing_twice(solved):
    _waiting_for(solved, 20 * DAY)
    assert run_automation_pass().completed == 1
    assert run_automation_pass().completed == 0
    assert TicketEvent.objects.filter(ticket=solved, data__action=Action.AUTO_COMPLETE).count() == 1


def test_a_customer_comment_on_the_solution_is_an_answer_and_stops_completion(solved, customer, deliver,
                                                                              mailoutbox):
    services.comment_add(ticket=solved, author=customer, body="The driver does not install.")
    _waiting_for(solved, 30 * DAY)
    solved.comments.filter(author=customer).update(created_at=timezone.now() - 29 * DAY)
    with deliver():
        result = run_automation_pass()
    assert result.completed == 0
    assert result.solution_reminders == 0
    solved.refresh_from_db()
    assert solved.status == Status.ADDITIONAL_INFO  # the answer hands the ticket back to support
    assert _reminders(mailoutbox) == []


def test_an_internal_note_is_not_an_answer(solved, agent):
    services.comment_add(ticket=solved, author=agent, body="Customer called, all fine.", is_internal=True)
    _waiting_for(solved, 14 * DAY)
    assert run_automation_pass().completed == 1


def test_other_statuses_are_left_alone(waiting, customer, category):
    _waiting_for(waiting, 60 * DAY)
    in_process = services.ticket_create(author=customer, title="Slow", category=category)
    _waiting_for(in_process, 60 * DAY)
    result = run_automation_pass()
    assert result.completed == 0
    waiting.refresh_from_db()
    in_process.refresh_from_db()
    assert (waiting.status, in_process.status) == (Status.CUSTOMER_ACTION, Status.OPEN)


# --- reminder before completion ----------------------------------------------------------------------------------


def test_reminder_half_way_tells_the_customer_when_the_solution_counts_as_accepted(solved, customer, deliver,
                                                                                  mailoutbox):
    _waiting_for(solved, 7 * DAY - timedelta(minutes=1))
    with deliver():
        run_automation_pass()
    assert _reminders(mailoutbox) == []

    _waiting_for(solved, 7 * DAY)
    with deliver():
        assert run_automation_pass().solution_reminders == 1
    [message] = _reminders(mailoutbox)
    assert message.to == ["customer@rossi.test"]
    assert message.subject == (
        f'Reminder: a solution for ticket {solved.number} "Printer does not print" awaits your answer'
    )
    accept_on = date_format(timezone.localtime(solved.status_changed_at + 14 * DAY), "DATE_FORMAT")
    assert f"Your solution will be considered accepted on {accept_on} unless you answer" in message.body
    assert _ticket_url(solved) in message.body
    assert "Install the new printer driver." in message.body
    assert f'href="{_ticket_url(solved)}"' in _html(message)
    assert '<html lang="en"' in _html(message)
    assert parse_reply_address(message.reply_to[0]) == (solved.pk, customer.pk)
    solved.refresh_from_db()
    assert solved.status == Status.SOLUTION_PROVIDED
    assert solved.reminder_sent_at is not None


def test_a_reminder_is_a_ticket_event_told_by_the_ticket_notifications(solved, customer, deliver, mailoutbox):
    _waiting_for(solved, 7 * DAY)
    with deliver():
        run_automation_pass()
    [event] = TicketEvent.objects.filter(ticket=solved, type=TicketEvent.Type.REMINDER_SENT)
    assert event.actor is None
    assert event.operation_id is not None
    assert event.data["status"] == Status.SOLUTION_PROVIDED
    assert event.data["waiting_since"] == solved.status_changed_at.isoformat()
    assert event.data["accept_on"] == (solved.status_changed_at + 14 * DAY).isoformat()
    [message] = _reminders(mailoutbox)
    # The same path as every ticket e-mail: keyed by its event, threaded with the ticket's other messages.
    assert OutgoingEmail.objects.filter(
        idempotency_key=f"{event.pk}:{customer.email}", template="ticket_reminder_solution"
    ).exists()
    assert message.extra_headers["X-Tessera-Ticket"] == solved.number


def test_a_reminder_nobody_receives_is_still_recorded_once(solved, customer, deliver, mailoutbox):
    customer.notify_ticket_updates = False
    customer.save()
    _waiting_for(solved, 7 * DAY)
    with deliver():
        run_automation_pass()
        run_automation_pass()
    assert _reminders(mailoutbox) == []
    assert TicketEvent.objects.filter(ticket=solved, type=TicketEvent.Type.REMINDER_SENT).count() == 1


def test_the_desk_timeline_shows_the_reminder(solved, agent, client, deliver):
    _waiting_for(solved, 7 * DAY)
    with deliver():
        run_automation_pass()
    client.force_login(agent)
    page = client.get(reverse("desk:ticket", args=[solved.number]))
    assert page.status_code == 200
    timeline = page.content.decode()
    assert "Reminder sent" in timeline
    assert "waiting_since" not in timeline  # the event's data is for the e-mail, not shown raw


def test_the_reminder_is_sent_once_however_often_the_pass_runs(solved, deliver, mailoutbox):
    _waiting_for(solved, 8 * DAY)
    with deliver():
        run_automation_pass()
        run_automation_pass()
    with deliver():
        assert run_automation_pass(now=timezone.now() + 3 * DAY).solution_reminders == 0
    assert len(_reminders(mailoutbox)) == 1


def test_a_ticket_past_its_completion_date_is_completed_without_a_late_reminder(solved, deliver, mailoutbox):
    _waiting_for(solved, 15 * DAY)
    with deliver():
        result = run_automation_pass()
    assert (result.completed, result.solution_reminders) == (1, 0)
    assert _reminders(mailoutbox) == []


def test_the_reminder_is_in_the_customers_language(solved, customer, deliver, mailoutbox):
    customer.language = "it"
    customer.save()
    with deliver():
        pass  # whatever the set-up queued (the solution's own notification) leaves first
    mailoutbox.clear()
    _waiting_for(solved, 7 * DAY)
    with deliver():
        run_automation_pass()
    [message] = mailoutbox  # the reminder, in words that may not be English
    assert message.to == ["customer@rossi.test"]
    assert _ticket_url(solved) in message.body
    assert '<html lang="it"' in _html(message)
    accept_on = solved.status_changed_at + 14 * DAY
    with translation.override("it"):
        assert date_format(timezone.localtime(accept_on), "DATE_FORMAT") in message.body


def test_a_customer_who_turned_ticket_e_mail_off_gets_no_reminder_but_the_ticket_still_completes(
    solved, customer, deliver, mailoutbox
):
    customer.notify_ticket_updates = False
    customer.save()
    _waiting_for(solved, 7 * DAY)
    with deliver():
        run_automation_pass()
    assert _reminders(mailoutbox) == []
    _waiting_for(solved, 14 * DAY)
    run_automation_pass()
    solved.refresh_from_db()
    assert solved.status == Status.COMPLETED


def test_no_reminder_to_an_inactive_requester(solved, customer, deliver, mailoutbox):
    customer.is_active = False
    customer.save()
    _waiting_for(solved, 7 * DAY)
    with deliver():
        run_automation_pass()
    assert _reminders(mailoutbox) == []


def test_no_reminder_to_a_requester_who_lost_access_to_the_ticket(solved, customer, deliver, mailoutbox):
    customer.membership.is_active = False
    customer.membership.save()
    _waiting_for(solved, 7 * DAY)
    with deliver():
        run_automation_pass()
    assert _reminders(mailoutbox) == []


# --- customer action -----------------------------------------------------------------------------------------------


def test_customer_action_is_reminded_after_5_days_once(waiting, customer, deliver, mailoutbox):
    _waiting_for(waiting, 5 * DAY - timedelta(minutes=1))
    with deliver():
        assert run_automation_pass().customer_action_reminders == 0
    _waiting_for(waiting, 5 * DAY)
    with deliver():
        assert run_automation_pass().customer_action_reminders == 1
        run_automation_pass()
    with deliver():
        run_automation_pass(now=timezone.now() + 30 * DAY)
    [message] = _reminders(mailoutbox)
    assert message.to == ["customer@rossi.test"]
    assert message.subject == f'Reminder: ticket {waiting.number} "Backup fails" is waiting for your information'
    assert "our customer support asked you for further information" in message.body
    assert "Which version do you use?" in message.body
    assert _ticket_url(waiting) in message.body
    assert f'href="{_ticket_url(waiting)}"' in _html(message)
    assert '<html lang="en"' in _html(message)
    waiting.refresh_from_db()
    assert waiting.status == Status.CUSTOMER_ACTION  # a reminder, never a completion


def test_customer_action_reminder_follows_its_setting(settings, waiting, deliver, mailoutbox):
    settings.TESSERA_CUSTOMER_ACTION_REMINDER_DAYS = 2
    _waiting_for(waiting, 2 * DAY)
    with deliver():
        run_automation_pass()
    assert len(_reminders(mailoutbox)) == 1


def test_a_status_change_starts_a_new_waiting_period_with_its_own_reminder(waiting, customer, agent, deliver,
                                                                          mailoutbox):
    _waiting_for(waiting, 6 * DAY)
    with deliver():
        run_automation_pass()
    assert len(_reminders(mailoutbox)) == 1

    services.comment_add(ticket=waiting, author=customer, body="Version 5.2")
    waiting.refresh_from_db()
    assert waiting.status == Status.ADDITIONAL_INFO
    assert waiting.reminder_sent_at is None
    services.ticket_change_status(ticket=waiting, user=agent, action=Action.REQUEST_INFO, message="And the OS?")
    with deliver():
        run_automation_pass()
    assert len(_reminders(mailoutbox)) == 1  # the new period has only just begun

    _waiting_for(waiting, 5 * DAY)
    with deliver():
        run_automation_pass()
    reminders = _reminders(mailoutbox)
    assert len(reminders) == 2
    assert "And the OS?" in reminders[1].body


def test_a_ticket_answered_before_the_pass_gets_no_reminder(waiting, customer, deliver, mailoutbox):
    _waiting_for(waiting, 6 * DAY)
    services.comment_add(ticket=waiting, author=customer, body="Version 5.2")
    with deliver():
        run_automation_pass()
    assert _reminders(mailoutbox) == []


# --- batches -------------------------------------------------------------------------------------------------------


def test_a_pass_walks_every_due_ticket_in_batches(customer, category, agent, deliver, mailoutbox):
    solved = [_waiting_for(_solution_provided(customer, category, agent, title=f"S{n}"), 15 * DAY) for n in range(5)]
    reminded = [_waiting_for(_customer_action(customer, category, agent, title=f"C{n}"), 6 * DAY) for n in range(5)]
    with deliver():
        result = run_automation_pass(batch_size=2)
    assert (result.completed, result.customer_action_reminders, result.failed) == (5, 5, 0)
    assert set(Ticket.objects.filter(pk__in=[t.pk for t in solved]).values_list("status", flat=True)) == {
        Status.COMPLETED
    }
    assert len(_reminders(mailoutbox)) == len(reminded)


# --- scheduling through the task queue ----------------------------------------------------------------------------


def _runs(status=None):
    runs = DBTaskResult.objects.filter(task_path=tasks.run_automation.module_path)
    return runs.filter(status=status) if status else runs


def _run_worker_then_deliver(deliver, django_capture_on_commit_callbacks) -> None:
    """The worker runs the queued passes; the e-mail they queue is sent by the worker that follows."""
    with django_capture_on_commit_callbacks(execute=True):
        call_command("db_worker", batch=True, queue_name="*", reload=False, verbosity=0)
    with deliver():
        pass


def test_the_command_queues_exactly_one_run(capsys, db):
    call_command("run_automation")
    call_command("run_automation")
    assert _runs("READY").count() == 1
    assert "already queued" in capsys.readouterr().out


def test_once_runs_a_pass_here_and_queues_nothing(solved, capsys):
    _waiting_for(solved, 14 * DAY)
    call_command("run_automation", "--once")
    solved.refresh_from_db()
    assert solved.status == Status.COMPLETED
    assert "Completed 1 tickets" in capsys.readouterr().out
    assert not _runs().exists()


def test_the_worker_runs_the_automation_and_it_schedules_its_next_run(solved, waiting, deliver, mailoutbox,
                                                                     django_capture_on_commit_callbacks):
    _waiting_for(solved, 14 * DAY)
    _waiting_for(waiting, 5 * DAY)
    call_command("run_automation")
    _run_worker_then_deliver(deliver, django_capture_on_commit_callbacks)
    solved.refresh_from_db()
    assert solved.status == Status.COMPLETED
    assert [m.to for m in _reminders(mailoutbox)] == [["customer@rossi.test"]]
    [done] = _runs("SUCCESSFUL")
    assert done.return_value["completed"] == 1
    [following] = _runs("READY")
    assert following.run_after >= timezone.now() + timedelta(minutes=14)


def test_duplicate_runs_do_the_work_once_and_merge_into_one_schedule(solved, waiting, deliver, mailoutbox,
                                                                     django_capture_on_commit_callbacks):
    _waiting_for(solved, 14 * DAY)
    _waiting_for(waiting, 5 * DAY)
    tasks.run_automation.enqueue()
    tasks.run_automation.enqueue()
    _run_worker_then_deliver(deliver, django_capture_on_commit_callbacks)
    assert _runs("SUCCESSFUL").count() == 2
    assert _runs("READY").count() == 1
    assert TicketEvent.objects.filter(ticket=solved, data__action=Action.AUTO_COMPLETE).count() == 1
    assert len(_reminders(mailoutbox)) == 1


def test_a_failed_pass_keeps_the_schedule(monkeypatch, db, worker_keeps_test_connection):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("tessera.tickets.automation.run_automation_pass", broken)
    call_command("run_automation")
    call_command("db_worker", batch=True, queue_name="*", reload=False, verbosity=0)
    assert _runs("FAILED").count() == 1
    assert _runs("READY").count() == 1


# --- several workers at once ---------------------------------------------------------------------------------------

WORKERS = 4


@pytest.mark.postgres(reason="needs PostgreSQL row locking")
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("no_hourly_limits")
def test_passes_on_several_workers_at_once_complete_and_remind_each_ticket_once(customer, category, agent,
                                                                               mailoutbox):
    solved = [_waiting_for(_solution_provided(customer, category, agent, title=f"S{n}"), 15 * DAY) for n in range(8)]
    half_way = [_waiting_for(_solution_provided(customer, category, agent, title=f"H{n}"), 8 * DAY) for n in range(8)]
    waiting = [_waiting_for(_customer_action(customer, category, agent, title=f"C{n}"), 6 * DAY) for n in range(8)]
    barrier = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=30)
            run_automation_pass(batch_size=3)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    for ticket in solved:
        assert TicketEvent.objects.filter(ticket=ticket, data__action=Action.AUTO_COMPLETE).count() == 1
    call_command("db_worker", batch=True, queue_name="*", reload=False, verbosity=0)
    reminders = _reminders(mailoutbox)
    assert len(reminders) == len(half_way) + len(waiting)
    for ticket in half_way + waiting:
        assert sum(f"ticket {ticket.number} " in message.subject for message in reminders) == 1
