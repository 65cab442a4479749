"""Ticket work done by the task worker: the automation pass, which keeps itself scheduled.

``run_automation`` runs one pass and then queues its next run
``TESSERA_AUTOMATION_INTERVAL_MINUTES`` later, so the workers that already send
e-mail also keep time; no scheduler process is needed. ``manage.py
run_automation`` starts the chain (``make run`` calls it) and may be run again
at any time: it queues a run only when none is waiting (checked and queued under
a lock every node shares, ``core.leases.lease_lock``). Should two runs ever be
queued, the pass runs once: a run takes the lease ``tickets.automation`` for most
of an interval, and a run that finds it held skips its pass. Whichever finishes
later sees the other's successor waiting and queues none, so the chains merge
again. ``manage.py run_automation --once`` (cron on every node) takes the same lease.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from tessera.core.leases import lease_acquire, lease_lock

from . import automation

#: The lease a pass holds: the next regular run, an interval after this one ends, finds it free again.
AUTOMATION_LEASE = "tickets.automation"
SCHEDULE_LOCK = "tickets.automation.schedule"


def run_pass_once_per_interval() -> dict[str, int] | None:
    """Run a pass unless another process ran one less than nine tenths of an interval ago (then None)."""
    if not lease_acquire(AUTOMATION_LEASE, duration=automation_interval() * 0.9):
        return None
    return automation.run_automation_pass().as_dict()


@task()
def run_automation() -> dict[str, int]:
    try:
        result = run_pass_once_per_interval()
        return {"skipped": 1} if result is None else result
    finally:
        # Even a failed pass keeps the schedule alive.
        if can_schedule():
            schedule_automation(run_after=timezone.now() + automation_interval())


def automation_interval() -> timedelta:
    return timedelta(minutes=settings.TESSERA_AUTOMATION_INTERVAL_MINUTES)


def can_schedule() -> bool:
    """Whether the configured task backend keeps queued runs in the database (and can defer them)."""
    return isinstance(run_automation.get_backend(), DatabaseBackend)


def waiting_runs():
    """The queued runs of ``run_automation`` that no worker has started yet."""
    backend = run_automation.get_backend()
    return DBTaskResult.objects.filter(
        task_path=run_automation.module_path, backend_name=backend.alias, status=TaskResultStatus.READY,
    )


def running_runs():
    """The runs of ``run_automation`` a worker is running now."""
    backend = run_automation.get_backend()
    return DBTaskResult.objects.filter(
        task_path=run_automation.module_path, backend_name=backend.alias, status=TaskResultStatus.RUNNING,
    )


def schedule_automation(*, run_after: datetime | None = None, unless_running: bool = False) -> bool:
    """Queue a run of the automation (at ``run_after``, else at once) unless one is waiting already.

    ``unless_running``: nor while a worker runs one (it queues its successor itself); the running run's own
    call cannot ask this. Returns whether a run was queued.
    """
    with lease_lock(SCHEDULE_LOCK):  # two nodes asking at once queue one run
        if waiting_runs().exists() or (unless_running and running_runs().exists()):
            return False
        task_ = run_automation.using(run_after=run_after) if run_after is not None else run_automation
        task_.enqueue()
    return True
