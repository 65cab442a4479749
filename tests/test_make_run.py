"""`make run` serves on HOST:PORT, and the links it e-mails point there too."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _planned_commands(*args: str, **environment: str) -> list[str]:
    env = {key: value for key, value in os.environ.items() if key != "TESSERA_SITE_URL"} | environment
    planned = subprocess.run(
        ["make", "--no-print-directory", "-n", "run", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line for line in planned.splitlines() if "manage.py run" in line or "manage.py db_worker" in line]


def test_links_in_e_mails_follow_the_port_make_run_serves_on():
    commands = _planned_commands("PORT=8011")
    assert len(commands) == 3  # automation, worker, web server
    for command in commands:
        assert "TESSERA_SITE_URL=http://127.0.0.1:8011 " in command
    assert commands[-1].endswith("runserver --insecure --noreload 127.0.0.1:8011")


def test_a_site_url_of_the_vendors_own_wins():
    for command in _planned_commands("PORT=8011", TESSERA_SITE_URL="https://support.example.com"):
        assert "TESSERA_SITE_URL=https://support.example.com " in command


def test_planned_commands_serve_with_debug_off_and_a_key_of_their_own():
    commands = _planned_commands("PORT=8011")
    for command in commands:
        assert "TESSERA_DEBUG=false " in command
        assert 'TESSERA_SECRET_KEY="$(cat .venv/secret_key)" ' in command
        assert "TESSERA_ALLOWED_HOSTS=127.0.0.1,127.0.0.1,localhost " in command
    assert commands[-1].endswith("runserver --insecure --noreload 127.0.0.1:8011")


def test_developers_may_ask_for_debug_pages():
    for command in _planned_commands("PORT=8011", "TESSERA_DEBUG=true"):
        assert "TESSERA_DEBUG=true " in command


def test_the_generated_secret_key_stays_out_of_git():
    ignored = subprocess.run(["git", "check-ignore", "-q", ".venv/secret_key"], cwd=ROOT, check=False)
    assert ignored.returncode == 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (a loopback URL of the test's own)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_make_run_on_a_fresh_machine_answers_a_404_with_the_sites_page_not_the_debug_page(tmp_path):
    """The real `make run`, with a virtual environment of its own and no key yet: the server it starts
    answers an unknown page with the site's 404 page and serves the static files."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    python = venv / "bin" / "python"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')  # this test run's interpreter and packages
    python.chmod(0o755)
    (venv / ".installed").touch()  # installed already: newer than pyproject.toml and requirements.lock
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("TESSERA_") and key not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
    }
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "TESSERA_MEDIA_ROOT": str(tmp_path / "media"),
        "TESSERA_EMAIL_FILE_PATH": str(tmp_path / "mail"),
    }
    log = (tmp_path / "make-run.log").open("w")
    server = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"VENV={venv}", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            assert server.poll() is None, (tmp_path / "make-run.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "make run did not start serving"
            try:
                status, page = _get(f"{base}/no-such-page/")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        assert status == 404
        assert "Page not found" in page and 'data-testid="site-header"' in page
        for debug_marker in ("Django tried these URL patterns", "DEBUG = True", "Using the URLconf"):
            assert debug_marker not in page
        assert _get(f"{base}/static/tessera/tessera.css")[0] == 200
        assert _get(f"{base}/static/tessera/forms.js")[0] == 200
        key_file = venv / "secret_key"
        assert len(key_file.read_text().strip()) >= 50
        assert key_file.stat().st_mode & 0o077 == 0, "only its owner may read the key"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
