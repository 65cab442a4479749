from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tessera.webhooks.models import WebhookDelivery

from .receiver import start_receiver


@pytest.fixture
def receiver(settings):
    """A real HTTP server on 127.0.0.1 (a free port), reachable because the test allows private addresses."""
    settings.TESSERA_WEBHOOKS_ALLOW_PRIVATE = True
    receiver, server = start_receiver()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def run_worker(worker_keeps_test_connection):
    """Run the task worker once over every task that is due."""

    def _run():
        call_command("db_worker", batch=True, queue_name="*", reload=False, verbosity=0)

    return _run


@pytest.fixture
def time_passes(run_worker):
    """Let the waits of the backoff pass: every pending delivery and deferred task is due now; then run the worker."""

    def _pass():
        past = timezone.now() - timedelta(seconds=1)
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__isnull=False).update(
            next_attempt_at=past
        )
        DBTaskResult.objects.filter(run_after__gt=timezone.now(), run_after__year__lt=9000).update(run_after=past)
        run_worker()

    return _pass
