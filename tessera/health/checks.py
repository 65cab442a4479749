"""What "ready" means for a web node: each check returns None when it passes, else why it failed.

The reasons are for the operator reading the load balancer's log: they name what failed, never a version,
a host name, a setting's value or an error's text (those go to the node's own log).
"""

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection
from django.utils import timezone

from tessera.core.storage import storage_check

logger = logging.getLogger(__name__)


def database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Readiness: the database does not answer")
        return "the database does not answer"
    return None


def storage() -> str | None:
    try:
        storage_check(default_storage)
    except OSError:
        logger.exception("Readiness: the file storage cannot be used")
        return "the file storage cannot be used"
    return None


def task_queue() -> str | None:
    """The oldest task due and not yet taken by a worker has waited less than the threshold (workers keep up)."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    limit = timedelta(seconds=settings.TESSERA_READY_MAX_TASK_AGE_SECONDS)
    now = timezone.now()
    try:
        ready = DBTaskResult.objects.ready()
        unscheduled = ready.filter(run_after=get_date_max()).order_by("enqueued_at").values_list(
            "enqueued_at", flat=True).first()
        scheduled = ready.exclude(run_after=get_date_max()).order_by("run_after").values_list(
            "run_after", flat=True).first()
    except DatabaseError:
        return "the task queue cannot be read"
    waiting = [now - since for since in (unscheduled, scheduled) if since is not None]
    if waiting and max(waiting) > limit:
        return f"a queued task has waited more than {int(limit.total_seconds())} seconds for a worker"
    return None


CHECKS: dict[str, Callable[[], str | None]] = {"database": database, "storage": storage, "task_queue": task_queue}


def readiness() -> dict[str, str | None]:
    """Every check's outcome, by name; the queue is read only when the database answers."""
    results: dict[str, str | None] = {}
    for name, check in CHECKS.items():
        if name == "task_queue" and results.get("database"):
            results[name] = "not checked: the database does not answer"
            continue
        results[name] = check()
    return results
