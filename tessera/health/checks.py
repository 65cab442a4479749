"""What "ready" means for a web node: each check returns None when it passes, else why it failed.

The reasons are for the operator reading the load balancer's log: they name what failed, never a version,
a host name, a setting's value or an error's text (those go to the node's own log).

A load balancer waits for the answer a few seconds at most, so the whole answer has a deadline
(``TESSERA_READY_TIMEOUT_SECONDS``): the database and the storage are probed side by side, each in a thread of its
own (the database one on a connection of its own, closed afterwards), and a probe that has not answered by then
fails as "did not answer". A probe still hanging from an earlier request is waited for again rather than started
twice, so a store that drops packets never piles up threads.
"""

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
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
        storage_check(default_storage, timeout=settings.TESSERA_READY_TIMEOUT_SECONDS)
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


def database_and_queue() -> dict[str, str | None]:
    """The database, then (when it answers) the queue, on this thread's own connection."""
    try:
        results = {"database": database()}
        results["task_queue"] = (
            "not checked: the database does not answer" if results["database"] else task_queue()
        )
        return results
    finally:
        connection.close()


def storage_probe() -> dict[str, str | None]:
    return {"storage": storage()}


#: Each probe, and the checks it answers for (in the order of the answer).
PROBES: dict[str, tuple[Callable[[], dict[str, str | None]], tuple[str, ...]]] = {
    "database": (database_and_queue, ("database", "task_queue")),
    "storage": (storage_probe, ("storage",)),
}
TIMED_OUT = {
    "database": "the database did not answer within {seconds} seconds",
    "task_queue": "not checked: the database did not answer in time",
    "storage": "the file storage did not answer within {seconds} seconds",
}
#: The probes under way in this process, by name: a hanging one is joined by the next request, not repeated.
_running: dict[str, Future] = {}
_running_lock = threading.Lock()


def _run(future: Future, probe: Callable[[], dict[str, str | None]]) -> None:
    try:
        future.set_result(probe())
    except BaseException as error:  # reported as a failure by readiness(), never lost with the thread
        future.set_exception(error)


def _start(name: str) -> Future:
    with _running_lock:
        future = _running.get(name)
        if future is not None and not future.done():
            return future
        future = Future()
        _running[name] = future
    probe, _ = PROBES[name]
    threading.Thread(target=_run, args=(future, probe), name=f"readyz-{name}", daemon=True).start()
    return future


def readiness() -> dict[str, str | None]:
    """Every check's outcome, by name, within ``TESSERA_READY_TIMEOUT_SECONDS`` in all."""
    deadline = time.monotonic() + settings.TESSERA_READY_TIMEOUT_SECONDS
    futures = {name: _start(name) for name in PROBES}
    results: dict[str, str | None] = {}
    for name, future in futures.items():
        checks = PROBES[name][1]
        try:
            results.update(future.result(timeout=max(0.0, deadline - time.monotonic())))
        except TimeoutError:
            seconds = f"{settings.TESSERA_READY_TIMEOUT_SECONDS:g}"
            logger.error("Readiness: the %s probe did not answer within %s seconds", name, seconds)
            results.update({check: TIMED_OUT[check].format(seconds=seconds) for check in checks})
        except Exception:
            logger.exception("Readiness: the %s probe failed", name)
            results.update(dict.fromkeys(checks, "the check failed"))
    return {check: results[check] for check in ("database", "storage", "task_queue")}
