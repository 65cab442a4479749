"""/healthz and /readyz, as a load balancer probes them: no login, no cookie, JSON, 503 with what failed."""

import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import django
import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tessera.accounts.tasks import password_reset_send
from tests.s3 import storages_setting


def _json(response) -> dict:
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def _reveals_nothing(response) -> None:
    text = response.content.decode()
    assert django.get_version() not in text and "Django" not in text and "Server" not in response.headers
    assert "Set-Cookie" not in response.headers and "127.0.0.1" not in text
    assert "no-store" in response["Cache-Control"]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_healthz_answers_without_the_database(client):
    """No django_db mark: any query would fail the request (pytest-django refuses it), so none is made."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert _json(response) == {"status": "ok"}
    _reveals_nothing(response)


@pytest.mark.django_db
def test_readyz_says_ok_when_database_storage_and_queue_are_fine(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert _json(response) == {
        "status": "ok", "checks": {"database": "ok", "storage": "ok", "task_queue": "ok"}, "failed": {},
    }
    _reveals_nothing(response)


@pytest.mark.django_db(transaction=True)  # the probe reads the queue on a connection of its own
def test_readyz_fails_when_a_queued_task_waited_too_long(client, settings):
    settings.TESSERA_READY_MAX_TASK_AGE_SECONDS = 300
    password_reset_send.enqueue(email="someone@rossi.test")
    assert client.get("/readyz").status_code == 200  # just queued: the workers have time

    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(seconds=301))
    response = client.get("/readyz")
    assert response.status_code == 503
    body = _json(response)
    assert body["status"] == "fail"
    assert body["checks"] == {"database": "ok", "storage": "ok", "task_queue": "fail"}
    assert body["failed"] == {"task_queue": "a queued task has waited more than 300 seconds for a worker"}


@pytest.mark.django_db(transaction=True)
def test_a_task_queued_for_later_does_not_count_until_it_is_due(client, settings):
    settings.TESSERA_READY_MAX_TASK_AGE_SECONDS = 300
    password_reset_send.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(email="someone@rossi.test")
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(days=1))
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_readyz_fails_when_the_object_store_is_down_and_says_only_what(client, settings, s3_storage):
    assert client.get("/readyz").status_code == 200  # the bucket answers
    settings.STORAGES = storages_setting({**s3_storage.environment(), "TESSERA_S3_TIMEOUT_SECONDS": "1",
                                          "TESSERA_S3_ENDPOINT_URL": f"http://127.0.0.1:{_closed_port()}"})
    response = client.get("/readyz")
    assert response.status_code == 503
    body = _json(response)
    assert body["failed"] == {"storage": "the file storage cannot be used"}
    assert s3_storage.name not in response.content.decode()
    _reveals_nothing(response)


@pytest.mark.django_db
def test_readyz_fails_when_the_bucket_is_gone(client, s3_storage):
    s3_storage.client.delete_bucket(Bucket=s3_storage.name)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert _json(response)["checks"]["storage"] == "fail"


@pytest.mark.django_db
def test_readyz_fails_when_the_media_folder_cannot_be_made(client, settings, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    settings.MEDIA_ROOT = tmp_path / "a-file" / "media"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert _json(response)["failed"] == {"storage": "the file storage cannot be used"}


@pytest.mark.django_db
def test_health_is_neither_redirected_to_https_nor_needs_a_login(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    for path in ("/healthz", "/readyz"):
        assert client.get(path).status_code == 200
        assert client.head(path).status_code == 200
        assert client.post(path).status_code == 405


@pytest.fixture
def black_hole() -> Iterator[int]:
    """A TCP port on loopback that accepts every connection and never answers (a store dropping packets)."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=64)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])  # kept open, never read nor answered
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for held in accepted:
        held.close()
    listener.close()


@pytest.mark.django_db
def test_readyz_answers_within_its_deadline_when_the_store_never_answers(client, settings, s3_storage, black_hole):
    """The requests' own timeouts (5 s to connect, 30 s to read, two tries) would hold the probe a minute; the
    load balancer gets its answer within TESSERA_READY_TIMEOUT_SECONDS, the storage failed and why."""
    settings.TESSERA_READY_TIMEOUT_SECONDS = 1.5
    settings.STORAGES = storages_setting({**s3_storage.environment(),
                                          "TESSERA_S3_ENDPOINT_URL": f"http://127.0.0.1:{black_hole}"})
    started = time.monotonic()
    response = client.get("/readyz")
    elapsed = time.monotonic() - started
    assert elapsed < 2.5
    assert response.status_code == 503
    assert _json(response) == {
        "status": "fail",
        "checks": {"database": "ok", "storage": "fail", "task_queue": "ok"},
        "failed": {"storage": "the file storage did not answer within 1.5 seconds"},
    }
    _reveals_nothing(response)

    # Probed again at once: the answer is as quick, and no second probe piles up beside the one still hanging.
    started = time.monotonic()
    assert client.get("/readyz").status_code == 503
    assert time.monotonic() - started < 2.5
    assert sum(thread.name == "readyz-storage" for thread in threading.enumerate()) <= 1


@pytest.mark.django_db
def test_readyz_recovers_once_the_store_answers_again(client, settings, s3_storage, black_hole):
    environment = s3_storage.environment()
    settings.TESSERA_READY_TIMEOUT_SECONDS = 1
    settings.STORAGES = storages_setting({**environment, "TESSERA_S3_ENDPOINT_URL": f"http://127.0.0.1:{black_hole}"})
    assert client.get("/readyz").status_code == 503
    settings.STORAGES = storages_setting(environment)
    deadline = time.monotonic() + 5  # the hanging probe ends by its own timeout, then the store is asked anew
    while client.get("/readyz").status_code != 200:
        assert time.monotonic() < deadline


@pytest.mark.postgres
@pytest.mark.django_db
def test_readyz_answers_within_its_deadline_when_the_database_never_answers(client, settings, black_hole):
    """The probe connects afresh; here to a port that accepts and never answers, as a database behind a dropped
    route would. The request's own connection is the test's, already open."""
    from django.db import connections

    settings.TESSERA_READY_TIMEOUT_SECONDS = 1.5
    database = connections.settings["default"]
    original = database["HOST"], database["PORT"]
    database["HOST"], database["PORT"] = "127.0.0.1", str(black_hole)
    try:
        started = time.monotonic()
        response = client.get("/readyz")
        elapsed = time.monotonic() - started
    finally:
        database["HOST"], database["PORT"] = original
    assert elapsed < 2.5
    assert response.status_code == 503
    assert _json(response) == {
        "status": "fail",
        "checks": {"database": "fail", "storage": "ok", "task_queue": "fail"},
        "failed": {"database": "the database did not answer within 1.5 seconds",
                   "task_queue": "not checked: the database did not answer in time"},
    }
