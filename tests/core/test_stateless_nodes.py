"""Stateless web nodes, proven: two gunicorn nodes over one PostgreSQL and one S3 store, one task worker.

What a load balancer does is done by hand: each request goes to node A or node B. Nothing is kept in a
node's memory or on its disk: sessions, lockouts, rate limits and the task queue are in the database, files
in the bucket (the nodes' local media folder stays empty), mail leaves through the worker.

The nodes always run on PostgreSQL, as in production, in a database of their own that this test creates
and drops. On the SQLite run of the suite it uses the PostgreSQL server anyway (the one DATABASE_URL names
on the PostgreSQL run; TESSERA_TEST_POSTGRES_URL, by default the local server, otherwise). Only where no
PostgreSQL server answers at all is it marked ``postgres``: it then runs in the PostgreSQL run alone (CI
runs both, so it always runs there).
"""

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
import requests
from django.conf import settings
from django.db import connections
from django.urls import reverse

from tests.html import parse
from tests.notifications.conftest import SMTPServer

ROOT = Path(settings.BASE_DIR)
LIMIT_ACTIONS = 4
LIMIT_LOGIN_FAILURES = 3


def _server_url() -> str:
    """A URL of the PostgreSQL server (its maintenance database), on either run of the suite."""
    db = connections["default"].settings_dict
    if connections["default"].vendor == "postgresql":
        auth = quote(db["USER"] or "postgres") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
        return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/postgres"
    return os.environ.get("TESSERA_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def _reachable(url: str) -> bool:
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


SERVER = _server_url()
pytestmark = [] if _reachable(SERVER) else [pytest.mark.postgres(reason="no PostgreSQL server answers")]


@pytest.fixture
def nodes_database():
    name = f"tessera_nodes_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(SERVER, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield SERVER.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(SERVER, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Installation:
    """The processes of one installation, started and stopped by the test."""

    def __init__(self, environment: dict[str, str], tmp_path: Path):
        self.environment = environment
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen] = []
        self.urls: dict[str, str] = {}

    def run(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run([sys.executable, *args], cwd=ROOT, env=self.environment, capture_output=True,
                              text=True, timeout=timeout, check=False)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def script(self, *args: str) -> dict:
        return json.loads(self.run("-m", "tests.node_script", *args).strip().splitlines()[-1])

    def start(self, name: str, args: list[str], **options) -> subprocess.Popen:
        log = (self.tmp_path / f"{name}.log").open("w")
        process = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=self.environment, stdout=log,
                                   stderr=subprocess.STDOUT, **options)
        self.processes.append(process)
        return process

    def start_node(self, name: str) -> str:
        """A gunicorn node on a free port of 127.0.0.1 (the socket is bound here and handed over: no race)."""
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        listener.set_inheritable(True)
        self.start(name, ["-m", "gunicorn", "tessera.wsgi:application", "--bind", f"fd://{listener.fileno()}",
                          "--workers", "1", "--timeout", "60"], pass_fds=(listener.fileno(),))
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        listener.close()
        self.urls[name] = url
        return url

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 180  # a busy machine (the suite runs beside) starts gunicorn slowly
        for name, url in self.urls.items():
            while True:
                try:
                    if requests.get(f"{url}/readyz", timeout=30).status_code == 200:
                        break
                except requests.RequestException:  # not listening yet, or still loading
                    pass
                assert time.monotonic() < deadline, (self.tmp_path / f"{name}.log").read_text()[-3000:]
                time.sleep(0.2)

    def log(self, name: str) -> str:
        return (self.tmp_path / f"{name}.log").read_text()

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def installation(nodes_database, s3_bucket, tmp_path):
    smtp = SMTPServer()
    smtp.start()
    media = tmp_path / "media-of-the-nodes"
    environment = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("TESSERA_", "DATABASE_URL"))},
        **s3_bucket.environment(),
        "DATABASE_URL": nodes_database,
        "TESSERA_DEBUG": "false",
        "TESSERA_SECRET_KEY": uuid.uuid4().hex * 2,
        "TESSERA_ALLOWED_HOSTS": "127.0.0.1",
        "TESSERA_SSL_REDIRECT": "false",
        "TESSERA_SECURE_COOKIES": "false",
        "TESSERA_HSTS_SECONDS": "0",
        "TESSERA_STATIC_MANIFEST": "false",
        "TESSERA_MEDIA_ROOT": str(media),
        "TESSERA_EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "TESSERA_EMAIL_TIMEOUT": "5",
        "TESSERA_CUSTOMER_ACTIONS_PER_HOUR_PER_USER": str(LIMIT_ACTIONS),
        "TESSERA_LOGIN_FAILURE_LIMIT": str(LIMIT_LOGIN_FAILURES),
        "TESSERA_AUTOMATION_INTERVAL_MINUTES": "15",
        "TESSERA_LOG_LEVEL": "WARNING",
    }
    nodes = Installation(environment, tmp_path)
    nodes.run("manage.py", "migrate", "--no-input", "-v0", timeout=300)
    nodes.smtp = smtp  # type: ignore[attr-defined]
    nodes.media = media  # type: ignore[attr-defined]
    nodes.scene = nodes.script("setup")  # type: ignore[attr-defined]
    try:
        nodes.start_node("a")
        nodes.start_node("b")
        nodes.start("worker", ["manage.py", "db_worker", "--queue-name", "*", "--no-reload", "--interval", "0.2"])
        nodes.wait_ready()
        yield nodes
    finally:
        nodes.stop()
        smtp.stop()


def _form(response: requests.Response, action: str) -> dict[str, str]:
    """The hidden fields of the page's form that posts to ``action`` (CSRF token, one-time form token)."""
    assert response.status_code == 200, response.text[-2000:]
    page = parse(response.content)
    forms = page.find_all("form", action=action) or [  # a form without an action posts to its own page
        form for form in page.find_all("form", method="post") if "action" not in form.attrs]
    assert forms, f"no form posting to {action}"
    form = forms[0]
    return {field.get("name") or "": field.get("value") or "" for field in form.find_all("input", type="hidden")}


def _login(session: requests.Session, node: str, email: str, password: str) -> requests.Response:
    login = reverse("accounts:login")
    fields = _form(session.get(f"{node}{login}", timeout=30), login)
    return session.post(f"{node}{login}", data={**fields, "username": email, "password": password},
                        allow_redirects=False, timeout=30)


def _comment(session: requests.Session, node: str, number: str, body: str, files=None) -> requests.Response:
    action = reverse("portal:ticket_comment", args=[number])
    fields = _form(session.get(f"{node}{reverse('portal:ticket_detail', args=[number])}", timeout=30), action)
    return session.post(f"{node}{action}", data={**fields, "body": body}, files=files, allow_redirects=False,
                        timeout=30)


def _wait_for(condition, *, seconds: float = 120, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.2)


def test_two_nodes_share_everything_through_the_database_and_the_bucket(installation, s3_bucket):
    a, b = installation.urls["a"], installation.urls["b"]
    scene = installation.scene
    number = scene["ticket"]

    # A customer logs in on node A, and node B knows them (the session is in the database).
    customer = requests.Session()
    assert _login(customer, a, scene["customer"], scene["password"]).status_code == 302
    page = customer.get(f"{b}{reverse('portal:ticket_detail', args=[number])}", timeout=30)
    assert page.status_code == 200 and "Printer stops after one page" in page.text

    # They upload on node B; the file is in the bucket, not on B's disk; they download it on node A.
    uploaded = _comment(customer, b, number, "The printer's log.", files={"attachments": ("printer.log",
                        b"page 1 ok\npage 2 jammed\n", "text/plain")})
    assert uploaded.status_code == 302, uploaded.text[-2000:]
    (attachment,) = installation.script("state")["attachments"]
    assert attachment["name"] == "printer.log"
    assert s3_bucket.objects() == [attachment["file"]]
    assert not installation.media.exists() or not any(installation.media.rglob("*.*"))
    download = customer.get(f"{a}{reverse('portal:attachment_download', args=[number, attachment['pk']])}",
                            timeout=30)
    assert download.status_code == 200
    assert download.content == b"page 1 ok\npage 2 jammed\n"

    # An agent replies on node B; the worker sends the customer the reply (a real SMTP server receives it).
    agent = requests.Session()
    assert _login(agent, a, scene["agent"], scene["password"]).status_code == 302
    reply = reverse("desk:ticket_reply", args=[number])
    fields = _form(agent.get(f"{b}{reverse('desk:ticket', args=[number])}", timeout=30), reply)
    answer = agent.post(f"{b}{reply}", data={**fields, "body": "Please update the printer driver.",
                                              "send": "public"}, allow_redirects=False, timeout=30)
    assert answer.status_code == 302, answer.text[-2000:]
    smtp = installation.smtp

    def replies() -> list:
        return [mail for mail in smtp.to(scene["customer"])
                if "Please update the printer driver." in mail.get_body(("plain",)).get_content()]

    _wait_for(replies, what="the reply's e-mail to the customer")
    (mail,) = replies()
    assert number in mail["Subject"]

    # Rate limits count across both nodes: the ticket and the upload were two actions of four.
    assert _comment(customer, a, number, "Third action, on A").status_code == 302
    assert _comment(customer, b, number, "Fourth action, on B").status_code == 302
    refused = _comment(customer, a, number, "Fifth action, on A")
    assert refused.status_code == 400
    assert "You have sent a lot in the last hour." in refused.text
    assert "Fifth action, on A" in refused.text  # what was typed is kept

    # Login failures count across both nodes: the third, whichever node it reaches, locks the account.
    victim = requests.Session()
    for node in (a, b):
        assert _login(victim, node, scene["victim"], "wrong-password-1").status_code == 200
    assert _login(victim, a, scene["victim"], "wrong-password-1").status_code == 429
    locked = _login(victim, b, scene["victim"], scene["password"])  # the right password, on the other node
    assert locked.status_code == 429
    assert "Too many attempts" in locked.text
    assert victim.get(f"{a}{reverse('portal:home')}", allow_redirects=False, timeout=30).status_code == 302


def test_periodic_automation_runs_once_not_once_per_node(installation):
    # Both nodes run the automation from cron at the same moment: one pass.
    both = [subprocess.Popen([sys.executable, "manage.py", "run_automation", "--once"], cwd=ROOT,
                             env=installation.environment, stdout=subprocess.PIPE, text=True) for _ in "ab"]
    outputs = sorted(process.communicate(timeout=120)[0] for process in both)
    assert outputs[0].startswith("Another process ran the automation less than an interval ago"), outputs
    assert outputs[1].startswith("Completed 0 tickets"), outputs

    # An interval later, both nodes' deploy steps ask the worker to keep it scheduled, at the same moment.
    installation.script("release-lease")
    both = [subprocess.Popen([sys.executable, "manage.py", "run_automation"], cwd=ROOT,
                             env=installation.environment, stdout=subprocess.PIPE, text=True) for _ in "ab"]
    outputs = sorted(process.communicate(timeout=120)[0] for process in both)
    assert outputs == ["Ticket automation is already queued; nothing to do.\n",
                       "Ticket automation queued; the task worker runs it and keeps it scheduled.\n"]
    _wait_for(lambda: installation.script("state")["automation_results"], what="the worker's automation run")

    # Three runs queued at once (three chains, as before this lease): the pass does not run again.
    installation.script("queue-automation", "3")
    _wait_for(lambda: installation.script("state")["automation_due"] == 0, what="the queued runs")
    state = installation.script("state")
    passes = [result for result in state["automation_results"] if "skipped" not in result]
    assert len(passes) == 1, state
    assert len(state["automation_results"]) == 4 and state["automation_failed"] == 0
    assert state["automation_waiting"] == 1  # the chains merged again: one next run, an interval later
