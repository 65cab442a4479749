"""A real SMTP server (aiosmtpd) for the delivery tests, and a task worker that can be run again and again."""

import asyncio
import email
import socket
from contextlib import contextmanager
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command


class Collector:
    """An aiosmtpd handler that keeps every message it accepts; it refuses the addresses in ``refuse``."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse: set[str] = set()
        self.delay = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPServer:
    """A local SMTP server that a test can stop ("the mail server is down") and start again on the same port."""

    def __init__(self):
        self.handler = Collector()
        self.port = free_port()
        self.controller = None

    @property
    def messages(self):
        return self.handler.messages

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["X-Envelope-To"] == address]


@pytest.fixture
def smtp_server(settings):
    """A running SMTP server that Django's SMTP backend sends to."""
    server = SMTPServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


@pytest.fixture
def run_worker(worker_keeps_test_connection):
    """Run the task worker until no task is ready (as ``deliver`` does after its block)."""

    def _run():
        call_command("db_worker", batch=True, queue_name="*", reload=False, startup_delay=False, verbosity=0)

    return _run


@pytest.fixture
def deliver(django_capture_on_commit_callbacks, run_worker):
    """As tests/conftest.py's ``deliver``, with a worker that starts without its random delay."""

    @contextmanager
    def _deliver():
        with django_capture_on_commit_callbacks(execute=True):
            yield
        run_worker()

    return _deliver
