"""The task queue's gauges, read from django-tasks' table at scrape time (core/observability/metrics.py says why)."""

from collections.abc import Iterable

from django.db.models import Count, Min, Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max
from prometheus_client.core import GaugeMetricFamily, Metric


def collect_task_queue() -> Iterable[Metric]:
    """Per queue: tasks due now and not yet taken by a worker, and how long the oldest of them has waited.

    A task queued without a time to run is due from when it was queued; one queued for later (the
    automation's next run) is due from its ``run_after`` and counts only once that has passed. One query.
    """
    now = timezone.now()
    never = get_date_max()
    rows = (
        DBTaskResult.objects.ready()
        .values("queue_name")
        .annotate(
            depth=Count("pk"),
            oldest_unscheduled=Min("enqueued_at", filter=Q(run_after=never)),
            oldest_scheduled=Min("run_after", filter=~Q(run_after=never)),
        )
        .order_by("queue_name")
    )
    depth = GaugeMetricFamily(
        "tessera_task_queue_depth", "Tasks due to run and not yet taken by a worker, per queue.", labels=["queue"]
    )
    oldest = GaugeMetricFamily(
        "tessera_task_queue_oldest_age_seconds",
        "How long the oldest task due to run has been waiting for a worker, per queue (0: none waits).",
        labels=["queue"],
    )
    seen = set()
    for row in rows:
        seen.add(row["queue_name"])
        since = min(t for t in (row["oldest_unscheduled"], row["oldest_scheduled"]) if t is not None)
        depth.add_metric([row["queue_name"]], row["depth"])
        oldest.add_metric([row["queue_name"]], max((now - since).total_seconds(), 0.0))
    if "default" not in seen:  # the queue Tessera uses always has a sample, so an alert on it never goes blind
        depth.add_metric(["default"], 0)
        oldest.add_metric(["default"], 0.0)
    yield depth
    yield oldest
