"""Leases: once for the whole installation, not once per process (core/leases.py, tickets/tasks.py)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tessera.core.leases import lease_acquire, lease_release
from tessera.core.models import Lease
from tessera.tickets import tasks

pytestmark = pytest.mark.django_db


def test_a_lease_is_taken_once_until_it_runs_out():
    assert lease_acquire("job", duration=timedelta(minutes=5), holder="node-a")
    assert not lease_acquire("job", duration=timedelta(minutes=5), holder="node-b")
    assert Lease.objects.get(name="job").holder == "node-a"

    Lease.objects.filter(name="job").update(expires_at=timezone.now() - timedelta(seconds=1))
    assert lease_acquire("job", duration=timedelta(minutes=5), holder="node-b")
    assert Lease.objects.get(name="job").holder == "node-b"


def test_a_released_lease_can_be_taken_at_once():
    assert lease_acquire("job", duration=timedelta(hours=1))
    lease_release("job")
    assert lease_acquire("job", duration=timedelta(hours=1))


def test_two_leases_do_not_block_each_other():
    assert lease_acquire("one", duration=timedelta(hours=1))
    assert lease_acquire("two", duration=timedelta(hours=1))


def test_the_automation_pass_runs_once_per_interval_however_often_it_is_asked(settings):
    settings.TESSERA_AUTOMATION_INTERVAL_MINUTES = 15
    first, second = StringIO(), StringIO()
    call_command("run_automation", "--once", stdout=first)
    call_command("run_automation", "--once", stdout=second)  # a second node's cron, minutes later
    assert first.getvalue().startswith("Completed 0 tickets")
    assert "Another process ran the automation less than an interval ago" in second.getvalue()
    # A queued run in the same interval (a second chain) skips its pass too, and keeps the schedule alive.
    assert tasks.run_automation.call() == {"skipped": 1}

    Lease.objects.update(expires_at=timezone.now() - timedelta(seconds=1))  # an interval later
    assert "skipped" not in tasks.run_automation.call()


def test_run_automation_queues_one_run_however_often_it_is_asked(settings):
    assert tasks.schedule_automation()
    assert not tasks.schedule_automation()
    assert DBTaskResult.objects.filter(task_path=tasks.run_automation.module_path).count() == 1


def test_a_run_in_progress_counts_for_the_command_but_not_for_the_run_itself():
    assert tasks.schedule_automation()
    DBTaskResult.objects.update(status="RUNNING")  # a worker took it
    assert not tasks.schedule_automation(unless_running=True)  # manage.py run_automation on another node
    assert tasks.schedule_automation()  # the running run queues its successor
