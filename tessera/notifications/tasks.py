"""E-mail leaves only from the task worker, and only for a transaction that committed.

Every message is first stored as an ``OutgoingEmail`` (see ``emails.queue_email``).
``deliver_email`` sends one: it holds the row's lock while it talks to the SMTP
server, so a second task for the same message (a duplicate, another worker)
waits and then finds it sent. A failed attempt is recorded on the row and the
task queues itself again after 1, 2, 4, … minutes (at most
``TESSERA_EMAIL_RETRY_MAX_MINUTES``); after ``TESSERA_EMAIL_MAX_ATTEMPTS`` the
message is marked failed and waits in the desk's outbox for a vendor
administrator's "Retry".

This module only delivers the outbox. What to write, and to whom, is decided
by the apps that have something to tell (a ticket's notifications live in
``tickets/notifications.py``).
"""

import logging
from datetime import timedelta
from smtplib import SMTPDataError, SMTPRecipientsRefused

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import router, transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from .models import OutgoingEmail

logger = logging.getLogger(__name__)

#: A task that starts a little before its message's next attempt (clocks of two hosts) still counts as due.
DUE_TOLERANCE = timedelta(seconds=5)
LAST_ERROR_MAX_LENGTH = 2000


def enqueue_after_commit(task_, /, **kwargs) -> None:
    """Queue ``task_`` so that it runs only if, and only after, the current transaction commits.

    The database queue writes its row inside this very transaction: no worker
    sees it before the commit, a rollback takes it away, and no crash between
    the commit and an on-commit callback can lose it. Any other backend is
    handed the task by an on-commit callback.
    """
    if _queue_shares_transaction(task_):
        task_.enqueue(**kwargs)
    else:
        transaction.on_commit(lambda: task_.enqueue(**kwargs))


def _queue_shares_transaction(task_) -> bool:
    return isinstance(task_.get_backend(), DatabaseBackend) and (
        router.db_for_write(DBTaskResult) == router.db_for_write(OutgoingEmail)
    )


def retry_delay(failed_attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: 1, 2, 4, … minutes, never more than the configured cap."""
    minutes = min(2 ** max(failed_attempts - 1, 0), settings.TESSERA_EMAIL_RETRY_MAX_MINUTES)
    return timedelta(minutes=minutes)


def _is_permanent(error: Exception) -> bool:
    """The server refused this message for good (unknown recipient, rejected content): trying again won't help.

    A refused sender or login is not counted here: that is the server's
    configuration, and every message would fail for good until it is fixed.
    """
    if isinstance(error, SMTPRecipientsRefused):
        return bool(error.recipients) and all(500 <= code < 600 for code, _msg in error.recipients.values())
    if isinstance(error, SMTPDataError):
        return 500 <= error.smtp_code < 600
    return False


def _send(email: OutgoingEmail) -> None:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        reply_to=[email.reply_to] if email.reply_to else None,
        headers=email.headers or None,
    )
    if email.html:
        message.attach_alternative(email.html, "text/html")
    message.send(fail_silently=False)


def _record_failure(email: OutgoingEmail, error: Exception) -> None:
    now = timezone.now()
    email.attempts += 1
    email.last_error = f"{type(error).__name__}: {error}"[:LAST_ERROR_MAX_LENGTH]
    if _is_permanent(error) or email.attempts >= settings.TESSERA_EMAIL_MAX_ATTEMPTS:
        email.status = OutgoingEmail.Status.FAILED
        email.next_attempt_at = None
        logger.error("E-mail id=%s to %s failed for good: %s", email.pk, email.to, email.last_error)
    else:
        email.next_attempt_at = now + retry_delay(email.attempts)
        later = deliver_email.using(run_after=email.next_attempt_at)
        if later.get_backend().supports_defer:
            enqueue_after_commit(later, email_id=email.pk)
        # A backend that cannot defer leaves it queued for ``manage.py requeue_emails``.
        logger.warning(
            "E-mail id=%s to %s not sent (attempt %s), next try at %s: %s",
            email.pk, email.to, email.attempts, email.next_attempt_at, email.last_error,
        )
    email.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])


@task()
def deliver_email(email_id: int) -> str:
    """Send one stored message if it is still waiting and due; returns what became of it."""
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None:
            return "missing"
        if email.status != OutgoingEmail.Status.QUEUED:
            return email.status  # sent already (a duplicate task, another worker), or given up
        if email.next_attempt_at is not None and email.next_attempt_at > timezone.now() + DUE_TOLERANCE:
            return "not due"  # a later attempt is scheduled, with its own task
        try:
            _send(email)
        except Exception as error:  # every failure is recorded on the message and tried again
            _record_failure(email, error)
            return email.status
        email.status = OutgoingEmail.Status.SENT
        email.attempts += 1
        email.sent_at = timezone.now()
        email.next_attempt_at = None
        email.save(update_fields=["status", "attempts", "sent_at", "next_attempt_at"])
    return email.status

