"""Helpers of the e-mail tests."""

from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tessera.notifications.models import OutgoingEmail


def time_passes():
    """What a worker would find once the retries' wait is over: every waiting task and message is due."""
    now = timezone.now()
    DBTaskResult.objects.filter(status=TaskResultStatus.READY, run_after__gt=now).update(run_after=now)
    OutgoingEmail.objects.queued().filter(next_attempt_at__gt=now).update(next_attempt_at=now)


def html_of(message) -> str:
    """The HTML alternative of a message in Django's outbox."""
    for content, mimetype in getattr(message, "alternatives", []):
        if mimetype == "text/html":
            return content
    return ""
