"""Durable delivery against a real SMTP server: nothing lost while it is down, nothing sent twice."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from tessera.notifications.emails import queue_email, send_email_to_user
from tessera.notifications.models import OutgoingEmail
from tessera.notifications.tasks import deliver_email, retry_delay
from tessera.tickets.links import ticket_url
from tessera.tickets.services import ticket_create

from .helpers import time_passes

pytestmark = pytest.mark.django_db


def waiting_retries():
    return DBTaskResult.objects.filter(task_path=deliver_email.module_path, status=TaskResultStatus.READY)


def test_backoff_doubles_from_one_minute_up_to_an_hour(settings):
    settings.TESSERA_EMAIL_RETRY_MAX_MINUTES = 60
    assert [retry_delay(n) for n in range(1, 10)] == [
        timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60, 60, 60)
    ]


def test_sent_over_smtp_with_both_parts_and_headers(smtp_server, deliver, customer):
    with deliver():
        send_email_to_user("account_password_changed", user=customer, context={"reset_link": "http://x.test/r"})
    [message] = smtp_server.messages
    assert message["To"] == customer.email
    assert message["Subject"] == "Your password has been changed"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"] == OutgoingEmail.objects.get().headers["Message-ID"]
    assert message.get_body(("plain",)).get_content().startswith("Hello")
    assert '<html lang="en">' in message.get_body(("html",)).get_content()
    assert OutgoingEmail.objects.get().status == OutgoingEmail.Status.SENT


def test_smtp_down_then_back_nothing_lost_nothing_doubled(
    smtp_server, deliver, run_worker, customer, colleague, agent, category
):
    """A ticket's notifications wait while the server is down and all go out, once each, when it returns."""
    smtp_server.stop()
    with deliver():
        ticket = ticket_create(author=customer, title="Printer", category=category, cc_users=[colleague])
    emails = list(OutgoingEmail.objects.order_by("to"))
    assert [e.to for e in emails] == [agent.email, colleague.email, customer.email]
    for stored in emails:
        assert stored.status == OutgoingEmail.Status.QUEUED
        assert stored.attempts == 1
        assert "Connection refused" in stored.last_error or "Errno" in stored.last_error
        assert timedelta(seconds=50) < stored.next_attempt_at - timezone.now() <= timedelta(minutes=1)
    assert waiting_retries().count() == 3
    assert {task.run_after for task in waiting_retries()} == {e.next_attempt_at for e in emails}

    run_worker()  # the wait is not over: nothing is tried
    assert set(OutgoingEmail.objects.values_list("attempts", flat=True)) == {1}

    time_passes()
    run_worker()  # still down: second failure, two minutes' wait
    for stored in OutgoingEmail.objects.all():
        assert stored.attempts == 2
        assert timedelta(seconds=110) < stored.next_attempt_at - timezone.now() <= timedelta(minutes=2)
    assert smtp_server.messages == []

    smtp_server.start()
    time_passes()
    run_worker()
    assert sorted(m["X-Envelope-To"] for m in smtp_server.messages) == sorted([agent.email, colleague.email,
                                                                               customer.email])
    assert set(OutgoingEmail.objects.values_list("status", "attempts")) == {("sent", 3)}
    assert waiting_retries().count() == 0

    # A duplicate task (or a second worker) for a message that went out sends nothing.
    for stored in emails:
        deliver_email.enqueue(email_id=stored.pk)
    run_worker()
    assert len(smtp_server.messages) == 3
    [to_customer] = smtp_server.to(customer.email)
    assert to_customer["Subject"].strip() == f"[#{ticket.number}] Printer – Request received"
    assert ticket_url(ticket, for_staff=False) in to_customer.get_body(("plain",)).get_content()


def test_gives_up_after_the_last_attempt_and_waits_for_a_retry(smtp_server, deliver, run_worker, customer, settings):
    settings.TESSERA_EMAIL_MAX_ATTEMPTS = 3
    smtp_server.stop()
    with deliver():
        send_email_to_user("account_password_changed", user=customer, context={"reset_link": "http://x.test/r"})
    for _ in range(2):
        time_passes()
        run_worker()
    stored = OutgoingEmail.objects.get()
    assert (stored.status, stored.attempts, stored.next_attempt_at) == ("failed", 3, None)
    assert stored.last_error
    assert waiting_retries().count() == 0
    smtp_server.start()
    run_worker()
    assert smtp_server.messages == []  # failed messages wait for a person


def test_an_unknown_recipient_fails_at_once(smtp_server, deliver, customer):
    smtp_server.handler.refuse.add(customer.email)
    with deliver():
        send_email_to_user("account_password_changed", user=customer, context={"reset_link": "http://x.test/r"})
    stored = OutgoingEmail.objects.get()
    assert (stored.status, stored.attempts) == ("failed", 1)
    assert "550" in stored.last_error
    assert waiting_retries().count() == 0


def test_same_idempotency_key_is_queued_once(db):
    first = queue_email(to="a@example.test", subject="S", text="T", idempotency_key="k1")
    second = queue_email(to="a@example.test", subject="S", text="T", idempotency_key="k1")
    assert first is not None and second is None
    assert OutgoingEmail.objects.count() == 1


def test_requeue_command_picks_up_a_lost_task(smtp_server, run_worker, customer, settings):
    settings.TESSERA_EMAIL_REQUEUE_AFTER_MINUTES = 15
    stored = queue_email(to=customer.email, subject="Lost", text="T")
    DBTaskResult.objects.all().delete()  # its task was lost with a crashed worker
    call_command("requeue_emails", verbosity=0)
    run_worker()
    assert smtp_server.messages == []  # not overdue yet
    OutgoingEmail.objects.filter(pk=stored.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=16))
    call_command("requeue_emails", verbosity=0)
    call_command("requeue_emails", verbosity=0)  # twice: still sent once
    run_worker()
    assert [m["Subject"] for m in smtp_server.messages] == ["Lost"]


def test_worker_sends_what_the_portal_queued(smtp_server, deliver, run_worker, client, customer, agent, category):
    """The whole path: a customer's comment in the portal reaches the agent by SMTP."""
    ticket = ticket_create(author=customer, title="Scanner", category=category)
    run_worker()
    smtp_server.messages.clear()
    client.force_login(customer)
    with deliver():
        response = client.post(f"/tickets/{ticket.number}/comment/", {"body": "It beeps now."})
    assert response.status_code == 302
    [message] = smtp_server.to(agent.email)
    assert message["Subject"].strip() == f"[#{ticket.number}] Scanner – New comment from the customer"
    assert "It beeps now." in message.get_body(("plain",)).get_content()


# Several workers on PostgreSQL: real commits, one connection per thread.


def run_db_worker():
    """What ``manage.py db_worker --batch`` runs, minus its signal handlers (which only the main thread may set)."""
    Worker(
        queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False, max_tasks=None,
        worker_id=get_random_string(16), excluded_queue_names=[],
    ).run()


def _in_threads(count, target):
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def run():
        try:
            barrier.wait(timeout=30)
            target()
        except BaseException as error:  # reported in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []


@pytest.mark.postgres(reason="needs PostgreSQL row locking")
@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_same_task_send_once(smtp_server):
    smtp_server.handler.delay = 0.5  # both workers are inside the task at the same time
    stored = queue_email(to="someone@example.test", subject="Once", text="T")
    _in_threads(2, lambda: deliver_email.call(email_id=stored.pk))
    assert [m["Subject"] for m in smtp_server.messages] == ["Once"]
    stored.refresh_from_db()
    assert (stored.status, stored.attempts) == ("sent", 1)


@pytest.mark.postgres(reason="needs PostgreSQL row locking")
@pytest.mark.django_db(transaction=True)
def test_two_db_workers_with_duplicate_tasks_deliver_each_message_once(smtp_server, settings):
    addresses = [f"user{n}@example.test" for n in range(20)]
    for address in addresses:
        stored = queue_email(to=address, subject="Hello", text="T")
        deliver_email.enqueue(email_id=stored.pk)  # and a duplicate of its task
    _in_threads(2, run_db_worker)
    assert sorted(m["X-Envelope-To"] for m in smtp_server.messages) == sorted(addresses)
    assert set(OutgoingEmail.objects.values_list("status", "attempts")) == {("sent", 1)}


@pytest.mark.postgres(reason="needs PostgreSQL row locking")
@pytest.mark.django_db(transaction=True)
def test_two_workers_while_smtp_is_down_then_back(smtp_server, settings):
    """Failures recorded by two workers at once: one retry each, then each message once."""
    smtp_server.stop()
    addresses = [f"user{n}@example.test" for n in range(10)]
    for address in addresses:
        stored = queue_email(to=address, subject="Later", text="T")
        deliver_email.enqueue(email_id=stored.pk)

    def two_workers():
        _in_threads(2, run_db_worker)

    two_workers()
    assert set(OutgoingEmail.objects.values_list("status", "attempts")) == {("queued", 1)}
    assert waiting_retries().count() == len(addresses)  # one retry per message, not one per task
    smtp_server.start()
    time_passes()
    two_workers()
    assert sorted(m["X-Envelope-To"] for m in smtp_server.messages) == sorted(addresses)
    assert set(OutgoingEmail.objects.values_list("status", "attempts")) == {("sent", 2)}
