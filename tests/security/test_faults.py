"""Faults injected for real (issue 8, item 5); see docs/faults.md for what each one shows.

* Storage failing during an upload: a storage backend whose ``_save`` raises ``OSError("disk full")``.
* SMTP down: covered by tests/notifications/test_delivery.py (see docs/faults.md), not repeated here.
* A task worker killed (SIGKILL) while it sends: a real ``manage.py db_worker`` process on PostgreSQL,
  a real SMTP server (aiosmtpd) that answers slowly.
* PostgreSQL restarted under load: bench/faults/pg_restart.sh (restarts the machine's server: not for CI).
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from tessera.audit.models import AuditEntry
from tessera.notifications.emails import queue_email
from tessera.notifications.models import OutgoingEmail
from tessera.tickets.models import Attachment, Comment, Ticket, TicketCC, TicketEvent
from tessera.tickets.services import ticket_create

BASE_DIR = Path(__file__).resolve().parents[2]


# --- 1. Storage failing during an upload -------------------------------------------------------------------------


class FullDiskStorage(FileSystemStorage):
    """A file system storage on a full disk: every write fails as the operating system reports it."""

    def _save(self, name, content):
        raise OSError(28, "No space left on device (disk full)")


class DiskFillsUpStorage(FileSystemStorage):
    """The disk fills up during the upload: the first file is written, every later one fails."""

    saved = 0

    def _save(self, name, content):
        if DiskFillsUpStorage.saved >= 1:
            raise OSError(28, "No space left on device (disk full)")
        DiskFillsUpStorage.saved += 1
        return super()._save(name, content)


@pytest.fixture
def disk_fills_up(settings, tmp_path):
    DiskFillsUpStorage.saved = 0
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.DiskFillsUpStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


@pytest.fixture
def full_disk(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.FullDiskStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (Ticket, Comment, Attachment, TicketEvent, TicketCC, OutgoingEmail, DBTaskResult)
    }


def _upload():
    return SimpleUploadedFile("screen.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")


def _ticket_form(category):
    return {
        "title": "Printer is offline",
        "priority": "2",
        "category_1": category.pk,
        "description": "Since this morning.",
        "cc_emails": "boss@rossi.test",
        "attachments": [_upload()],
    }


def _files_under(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.is_file()]


@pytest.mark.django_db
def test_disk_full_on_new_ticket_creates_nothing(client, customer, category, full_disk):
    """Nothing is half-created: no ticket, comment, attachment, event, CC, e-mail, task or file."""
    client.force_login(customer)
    audit_before = AuditEntry.objects.count()
    before = _counts()
    client.raise_request_exception = False
    response = client.post(reverse("portal:ticket_create"), _ticket_form(category))
    assert response.status_code != 302  # no "Ticket created" redirect
    assert _counts() == before
    assert AuditEntry.objects.count() == audit_before
    assert _files_under(full_disk) == []


@pytest.mark.django_db
def test_disk_full_on_new_ticket_shows_a_clear_error_and_keeps_the_form(client, customer, category, full_disk):
    client.force_login(customer)
    client.raise_request_exception = False
    response = client.post(reverse("portal:ticket_create"), _ticket_form(category))
    assert response.status_code < 500
    page = response.content.decode()
    assert "could not be stored" in page.lower() or "try again" in page.lower()
    assert "Printer is offline" in page  # what was typed is kept


@pytest.mark.django_db
def test_disk_full_on_the_second_file_keeps_no_database_row(client, customer, category, disk_fills_up):
    """Two files, the disk fills up after the first: the database is rolled back as a whole."""
    client.force_login(customer)
    before = _counts()
    data = _ticket_form(category)
    data["attachments"] = [_upload(), SimpleUploadedFile("log.txt", b"line one\n", content_type="text/plain")]
    client.raise_request_exception = False
    response = client.post(reverse("portal:ticket_create"), data)
    assert response.status_code != 302
    assert DiskFillsUpStorage.saved == 1  # the first file did reach the disk
    assert _counts() == before


@pytest.mark.django_db
def test_disk_full_on_the_second_file_leaves_no_orphan_file(client, customer, category, disk_fills_up):
    client.force_login(customer)
    data = _ticket_form(category)
    data["attachments"] = [_upload(), SimpleUploadedFile("log.txt", b"line one\n", content_type="text/plain")]
    client.raise_request_exception = False
    client.post(reverse("portal:ticket_create"), data)
    assert _files_under(disk_fills_up) == []


@pytest.fixture
def existing_ticket(customer, category):
    return ticket_create(author=customer, title="Printer", category=category, description="It is offline.")


@pytest.mark.django_db
def test_disk_full_on_comment_creates_nothing(client, customer, existing_ticket, full_disk):
    client.force_login(customer)
    before = _counts()
    client.raise_request_exception = False
    response = client.post(
        reverse("portal:ticket_comment", args=[existing_ticket.number]),
        {"body": "Here is the screenshot", "attachments": [_upload()]},
    )
    assert response.status_code != 302
    assert _counts() == before
    assert not Comment.objects.filter(body__contains="screenshot").exists()
    assert _files_under(full_disk) == []


@pytest.mark.django_db
def test_disk_full_on_comment_shows_a_clear_error_and_keeps_the_text(client, customer, existing_ticket, full_disk):
    client.force_login(customer)
    client.raise_request_exception = False
    response = client.post(
        reverse("portal:ticket_comment", args=[existing_ticket.number]),
        {"body": "Here is the screenshot", "attachments": [_upload()]},
    )
    assert response.status_code < 500
    assert "Here is the screenshot" in response.content.decode()


# --- 3. A task worker killed while it sends ----------------------------------------------------------------------


class SlowSMTPHandler:
    """Accepts every message, but stalls (``stall_in`` = "RCPT" or "DATA") until ``release`` is set.

    ``stalled`` is set when a client reaches the stalling step, so the test knows the worker is mid-send.
    In "DATA" the whole message has been received and kept when the handler stalls: only the "250" reply
    is still outstanding (the client waits for it).
    """

    def __init__(self, stall_in: str):
        self.stall_in = stall_in
        self.stalled = threading.Event()
        self.release = threading.Event()
        self.messages: list[bytes] = []

    async def _stall(self, step):
        import asyncio

        if step == self.stall_in and not self.release.is_set():
            self.stalled.set()
            for _ in range(300):  # at most 30 s
                if self.release.is_set():
                    break
                await asyncio.sleep(0.1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await self._stall("RCPT")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        # As a real MTA does: the message is queued for good as soon as its final "." arrives; the reply
        # "250" follows. (aiosmtpd cancels a handler whose client went away, so store it before stalling.)
        self.messages.append(envelope.original_content or envelope.content)
        await self._stall("DATA")
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env, *args, **kwargs):
    return subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kwargs,
    )


def _run(env, *args, timeout=60) -> str:
    process = _manage(env, *args)
    try:
        out, _ = process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, out.decode(errors="replace")
    return out.decode(errors="replace")


def _worker_env(smtp_port: int) -> dict:
    db = connection.settings_dict
    url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_SETTINGS"))}
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="tessera.settings",
        TESSERA_EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        TESSERA_EMAIL_TIMEOUT="40",
        TESSERA_EMAIL_REQUEUE_AFTER_MINUTES="0",
        TESSERA_TASKS_BACKEND="django_tasks_db.DatabaseBackend",
    )
    return env


KILLED_WORKER_NEEDS = "runs a real db_worker process against the test database: needs PostgreSQL (CI runs it)"


def _kill_worker_while_sending(stall_in: str):
    """Queue one message, start a worker, SIGKILL it mid-send, then requeue and run a fresh worker.

    Returns (handler, the stored message after recovery, the requeue command's output).
    """
    handler = SlowSMTPHandler(stall_in)
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    env = _worker_env(port)
    worker = None
    try:
        stored = queue_email(to="practice@rossi.test", subject="Killed mid-send", text="Once, please.")
        worker = _manage(env, "db_worker", "--queue-name", "*", "--no-reload", "--no-startup-delay",
                         "--interval", "0.2", start_new_session=True)
        assert handler.stalled.wait(timeout=60), "the worker never reached the SMTP server"
        os.killpg(worker.pid, signal.SIGKILL)  # kill -9, no chance to clean up
        worker.wait(timeout=10)

        # The killed worker's transaction died with its connection: the message still waits.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            stored.refresh_from_db()
            if stored.status == OutgoingEmail.Status.QUEUED:
                break
            time.sleep(0.2)
        assert (stored.status, stored.attempts, stored.sent_at) == ("queued", 0, None)

        handler.release.set()  # the mail server answers promptly again
        requeued = _run(env, "requeue_emails")
        _run(env, "db_worker", "--queue-name", "*", "--no-reload", "--no-startup-delay", "--batch", timeout=90)
        stored.refresh_from_db()
        return handler, stored, requeued
    finally:
        handler.release.set()
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        controller.stop()


@pytest.mark.postgres(reason=KILLED_WORKER_NEEDS)
@pytest.mark.django_db(transaction=True)
def test_worker_killed_before_the_message_was_handed_over_sends_it_exactly_once():
    """Killed while the SMTP server had not yet received the message (stalled at RCPT): exactly once."""
    handler, stored, requeued = _kill_worker_while_sending("RCPT")
    assert "1 message(s) queued again." in requeued
    assert (stored.status, stored.attempts) == ("sent", 1)
    assert len(handler.messages) == 1
    assert b"Killed mid-send" in handler.messages[0]


@pytest.mark.postgres(reason=KILLED_WORKER_NEEDS)
@pytest.mark.django_db(transaction=True)
def test_worker_killed_after_the_server_received_the_message_resends_it_at_least_once():
    """Killed after the SMTP server received the whole message but before the worker recorded it as sent.

    The honest guarantee is "at least once": the server kept the first copy, the database never learned
    of it (the worker's transaction died with it), so the recovery sends it again. Not lost; sent twice.
    """
    handler, stored, requeued = _kill_worker_while_sending("DATA")
    assert "1 message(s) queued again." in requeued
    assert (stored.status, stored.attempts) == ("sent", 1)
    assert 1 <= len(handler.messages) <= 2
    assert len(handler.messages) == 2  # what happens today: the copy the killed worker handed over, and the resend
    assert all(b"Killed mid-send" in message for message in handler.messages)
