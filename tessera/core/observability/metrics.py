"""Prometheus metrics: what the processes count, and what the database holds, read at scrape time.

Two kinds, on purpose:

- **Counted by the processes** (request latency per view, failed and locked logins, inbound mails): each
  gunicorn worker, and the mail receiver, counts its own. With several processes, set
  ``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess mode): each process then writes its values to
  files in that directory and a scrape, whichever worker answers it, adds up the files of every process.
  Without it (``make run``, tests) the values live in the one process.
- **Read from the database at scrape time** (task queue depth and its oldest task's age, outbox counts):
  gauges of shared state. A process-kept gauge would be as stale as that process's last write and would
  differ per worker; one query per scrape gives every worker the same true value.

Processes in different containers may share the directory (compose mounts one volume into web and mail):
their files are named by host name and process id, so two processes with the same pid in two containers
never write into the same file.
"""

import os
import socket
from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, values
from prometheus_client.core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY


def _process_identifier() -> str:
    # The multiprocess files are named <type>_<identifier>.db and split at "_": no "_" in the host name part.
    return f"{socket.gethostname().replace('_', '-')}-{os.getpid()}"


def multiprocess_dir() -> str:
    """prometheus-client's own variable: set, every process keeps its values in files in this directory."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


if multiprocess_dir():
    # Before any metric below is made: each takes its value class when it is created.
    values.ValueClass = values.MultiProcessValue(process_identifier=_process_identifier)

#: Buckets in seconds: a page takes tens of milliseconds, an export or a search with many rows a few seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUEST_LATENCY = Histogram(
    "tessera_http_request_duration_seconds",
    "Time from the request reaching Django to its response, per view (URL name) and method.",
    ["view", "method"],
    buckets=LATENCY_BUCKETS,
)
REQUESTS = Counter(
    "tessera_http_requests",
    "Responses per view (URL name), method and status code.",
    ["view", "method", "status"],
)
LOGINS_FAILED = Counter(
    "tessera_logins_failed",
    "Failed logins (wrong password or unknown account; tries refused while an account is locked count too).",
)
LOGINS_LOCKED = Counter(
    "tessera_logins_locked",
    "Logins refused because the account is locked (the try that locks it and every try while the lock lasts).",
)
INBOUND_MAILS = Counter(
    "tessera_inbound_mails",
    "Received mails by result (accepted: acted on or already known; refused: rejected, dropped or to be "
    "delivered again) and outcome.",
    ["result", "outcome"],
)

#: Outcomes of inbound mail that keep nothing; every other outcome (a ticket, a comment, a duplicate) is accepted.
INBOUND_REFUSED_OUTCOMES = frozenset({"rejected", "dropped", "ignored", "temporary_failure"})


def count_inbound_mail(outcome: str) -> None:
    result = "refused" if outcome in INBOUND_REFUSED_OUTCOMES else "accepted"
    INBOUND_MAILS.labels(result=result, outcome=outcome).inc()


#: Functions that return metric families read at scrape time (from the database), registered by the apps.
_scrape_time_collectors: dict[str, Callable[[], Iterable[Metric]]] = {}


def register_scrape_time_collector(name: str, collect: Callable[[], Iterable[Metric]]) -> None:
    """Have ``collect()`` called at each scrape (an app registers its own from ``AppConfig.ready``)."""
    _scrape_time_collectors[name] = collect


class _ScrapeTime:
    def collect(self) -> Iterable[Metric]:
        for collect in _scrape_time_collectors.values():
            yield from collect()


def exposition() -> bytes:
    """The text exposition of every metric: the processes' (added up in multiprocess mode) and the database's."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_dir():
        MultiProcessCollector(registry)
        process_metrics = generate_latest(registry)
    else:
        process_metrics = generate_latest(REGISTRY)
    scrape_registry = CollectorRegistry(auto_describe=False)
    scrape_registry.register(_ScrapeTime())
    return process_metrics + generate_latest(scrape_registry)
