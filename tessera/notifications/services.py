"""Writes to the outbox: a vendor administrator's "Retry", and the recovery of messages whose task was lost."""

from datetime import datetime, timedelta
from typing import Protocol

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from tessera.core.errors import ApplicationError
from tessera.core.operations import unit_of_work

from .models import OutgoingEmail
from .tasks import deliver_email, enqueue_after_commit


class Person(Protocol):
    """Who asks (any user model; this app knows none)."""

    @property
    def is_active(self) -> bool: ...

    @property
    def is_superuser(self) -> bool: ...


@unit_of_work
def outgoing_email_retry(*, email: OutgoingEmail, user: Person) -> OutgoingEmail:
    """Send a waiting or failed message again now, with a fresh round of attempts."""
    if not (user.is_active and user.is_superuser):
        raise PermissionDenied(_("Only vendor administrators can send e-mail again."))
    email = OutgoingEmail.objects.select_for_update().get(pk=email.pk)
    if email.status == OutgoingEmail.Status.SENT:
        raise ApplicationError(_("This message has been sent already."))
    email.status = OutgoingEmail.Status.QUEUED
    email.attempts = 0
    email.next_attempt_at = timezone.now()
    email.save(update_fields=["status", "attempts", "next_attempt_at"])
    enqueue_after_commit(deliver_email, email_id=email.pk)
    return email


@unit_of_work
def outgoing_emails_requeue_overdue(*, now: datetime | None = None) -> int:
    """Queue a delivery task again for each message still waiting well after it was due; returns how many.

    Its task was lost (a worker died while sending, a backend that cannot
    defer). A task that turns out not to be lost after all is harmless: the
    message's lock and status let only one of them send it.
    """
    now = now or timezone.now()
    overdue_since = now - timedelta(minutes=settings.TESSERA_EMAIL_REQUEUE_AFTER_MINUTES)
    ids = list(OutgoingEmail.objects.queued().filter(next_attempt_at__lte=overdue_since).values_list("pk", flat=True))
    for email_id in ids:
        enqueue_after_commit(deliver_email, email_id=email_id)
    return len(ids)
