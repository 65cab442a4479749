"""The outbox's gauges for /metrics, read at scrape time: messages waiting to be sent, and those that failed."""

from collections.abc import Iterable

from prometheus_client.core import GaugeMetricFamily, Metric

from .models import OutgoingEmail
from .selectors import outgoing_email_counts


def collect_outbox() -> Iterable[Metric]:
    counts = outgoing_email_counts()  # one query
    outbox = GaugeMetricFamily(
        "tessera_outbox_emails",
        "Outgoing e-mails per status: pending (queued, to be sent or tried again) and failed (gave up; the desk's "
        "outbox lists them).",
        labels=["status"],
    )
    outbox.add_metric(["pending"], counts[OutgoingEmail.Status.QUEUED])
    outbox.add_metric(["failed"], counts[OutgoingEmail.Status.FAILED])
    yield outbox
