"""deploy/entrypoint.sh, the container image's entrypoint, run here without a container engine.

Each command starts the real process from this checkout (the .venv's gunicorn and python on PATH, as
/opt/venv/bin is in the image) against a SQLite database of its own: ``migrate`` builds the schema, ``web``
serves pages with two gunicorn workers whose metrics add up (PROMETHEUS_MULTIPROC_DIR) and whose request lines
are JSON on standard error, ``worker`` is the task worker and ``mail`` the SMTP receiver.
"""

import json
import os
import re
import signal
import smtplib
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .metrics_helpers import TOKEN, samples, value

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "deploy" / "entrypoint.sh"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def environment(tmp_path_factory):
    base = tmp_path_factory.mktemp("entrypoint")
    env = {key: val for key, val in os.environ.items() if not key.startswith(("DJANGO_", "TESSERA_", "PYTEST"))}
    env.update({
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "DATABASE_URL": f"sqlite:///{base / 'tessera.sqlite3'}",
        "TESSERA_DEBUG": "false",
        "TESSERA_SECRET_KEY": "entrypoint-test-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "TESSERA_ALLOWED_HOSTS": "127.0.0.1",
        "TESSERA_SSL_REDIRECT": "false",
        "TESSERA_STATIC_MANIFEST": "false",
        "TESSERA_MEDIA_ROOT": str(base / "media"),
        "TESSERA_EMAIL_FILE_PATH": str(base / "mail"),
        "TESSERA_LOG_FORMAT": "json",
        "TESSERA_LOG_LEVEL": "INFO",
        "TESSERA_METRICS_TOKEN": TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(base / "metrics"),
    })
    migrate = subprocess.run([str(ENTRYPOINT), "migrate"], env=env, cwd=base, capture_output=True, text=True,
                             timeout=300)
    assert migrate.returncode == 0, migrate.stderr
    return {"env": env, "base": base, "database": base / "tessera.sqlite3"}


def start(environment, *args, **extra_env) -> subprocess.Popen:
    # From another directory than the checkout: the script finds its own.
    return subprocess.Popen([str(ENTRYPOINT), *args], env={**environment["env"], **extra_env},
                            cwd=environment["base"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGTERM)
    try:
        _, stderr = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        _, stderr = process.communicate()
    return stderr


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"nothing listens on {port}")


def command_line(process: subprocess.Popen) -> list[str]:
    """What runs under the script's process id: exec replaced the shell with the process itself."""
    return Path(f"/proc/{process.pid}/cmdline").read_bytes().decode().rstrip("\0").split("\0")


def test_migrate_builds_the_schema_and_queues_the_automation(environment):
    with sqlite3.connect(environment["database"]) as db:
        tables = {row[0] for row in db.execute("select name from sqlite_master where type = 'table'")}
        assert {"tickets_ticket", "notifications_outgoingemail", "django_tasks_database_dbtaskresult"} <= tables
        [(task,)] = db.execute("select task_path from django_tasks_database_dbtaskresult where status = 'READY'")
    assert task.endswith("run_automation_task") or "automation" in task


def test_web_is_gunicorn_whose_workers_metrics_add_up_and_whose_requests_log_json(environment):
    port = free_port()
    home = environment["base"] / "home-not-writable"  # as /app for the image's user: no ~/.gunicorn there
    home.write_text("")
    web = start(environment, "web", TESSERA_WEB_BIND=f"127.0.0.1:{port}", TESSERA_WEB_WORKERS="2", HOME=str(home))
    try:
        wait_for_port(port, web)
        assert "gunicorn" in " ".join(command_line(web))
        base = f"http://127.0.0.1:{port}"
        ids = []
        for _ in range(12):  # a new connection each: the two workers share them
            with urllib.request.urlopen(f"{base}/accounts/login/", timeout=30) as response:  # noqa: S310 (loopback)
                assert response.status == 200
                ids.append(response.headers["X-Request-ID"])

        def scrape():
            request = urllib.request.Request(  # noqa: S310 (a loopback URL of the test's own)
                f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return samples(response.read().decode())

        # Whichever worker answers the scrape, it counts every worker's requests.
        counts = {value(scrape(), "tessera_http_request_duration_seconds_count", view="accounts:login", method="GET")
                  for _ in range(6)}
        assert counts == {12.0}
        # One file per process and kind, named by host name and process id (core/observability/metrics.py).
        files = [path.name for path in (environment["base"] / "metrics").iterdir()]
        assert files and all(re.fullmatch(r"(counter|histogram)_[^_]+-\d+\.db", name) for name in files), files
    finally:
        stderr = stop(web)
    assert "Control server error" not in stderr  # gunicorn's control socket is off (tessera/gunicorn_config.py)
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    logins = [line for line in lines if line.get("logger") == "tessera.request" and line["view"] == "accounts:login"]
    assert [line["request_id"] for line in logins] == ids
    assert {(line["status"], line["method"], line["user_id"]) for line in logins} == {(200, "GET", None)}
    assert all(isinstance(line["queries"], int) and line["duration_ms"] > 0 for line in logins)


def test_worker_is_the_task_worker_of_every_queue(environment):
    worker = start(environment, "worker")
    try:
        time.sleep(3)
        assert worker.poll() is None, worker.communicate()[1]
        assert command_line(worker)[1:] == ["manage.py", "db_worker", "--queue-name", "*", "--no-reload"]
    finally:
        stop(worker)


def test_mail_is_the_smtp_receiver(environment):
    port = free_port()
    mail = start(environment, "mail", TESSERA_INBOUND_SMTP_HOST="127.0.0.1", TESSERA_INBOUND_SMTP_PORT=str(port))
    try:
        wait_for_port(port, mail)
        assert command_line(mail)[1:] == ["manage.py", "run_mail_receiver"]
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
            code, banner = smtp.ehlo()
            assert code == 250
            assert smtp.docmd("MAIL FROM:<sender@mail.test>")[0] == 250
            assert smtp.docmd("RCPT TO:<someone@elsewhere.test>")[0] == 550  # no relay
    finally:
        stop(mail)


def test_manage_runs_a_management_command_and_anything_else_runs_as_given(environment):
    check = subprocess.run([str(ENTRYPOINT), "manage", "check"], env=environment["env"], cwd=environment["base"],
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0 and "no issues" in check.stdout, check.stderr
    echo = subprocess.run([str(ENTRYPOINT), "echo", "hello"], env=environment["env"], capture_output=True,
                          text=True, timeout=30)
    assert echo.stdout == "hello\n"


def test_static_copies_the_collected_files_into_a_directory(environment, tmp_path):
    collected = tmp_path / "collected"
    (collected / "tessera").mkdir(parents=True)
    (collected / "tessera" / "tessera.0123456789ab.css").write_text("body{}")
    target = tmp_path / "volume"
    result = subprocess.run([str(ENTRYPOINT), "static", str(target)],
                            env={**environment["env"], "TESSERA_STATIC_ROOT": str(collected)},
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert (target / "tessera" / "tessera.0123456789ab.css").read_text() == "body{}"


def test_imap_is_the_imap_poller(environment):
    result = subprocess.run([str(ENTRYPOINT), "imap", "--help"], env=environment["env"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "manage.py poll_imap" in result.stdout


def test_static_without_a_directory_fails_and_says_so(environment):
    result = subprocess.run([str(ENTRYPOINT), "static"], env=environment["env"], capture_output=True, text=True,
                            timeout=30)
    assert result.returncode != 0
    assert "static needs the directory to copy into" in result.stderr
