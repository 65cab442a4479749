"""`make run` serves on HOST:PORT, and the links it e-mails point there too."""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _planned_commands(*args: str, **environment: str) -> list[str]:
    env = {key: value for key, value in os.environ.items() if key != "TESSERA_SITE_URL"} | environment
    planned = subprocess.run(
        ["make", "--no-print-directory", "-n", "run", *args], cwd=ROOT, env=env,
        capture_output=True, text=True, check=True,
    ).stdout
    return [line for line in planned.splitlines() if "manage.py run" in line or "manage.py db_worker" in line]


def test_links_in_e_mails_follow_the_port_make_run_serves_on():
    commands = _planned_commands("PORT=8011")
    assert len(commands) == 3  # automation, worker, web server
    for command in commands:
        assert "TESSERA_SITE_URL=http://127.0.0.1:8011 " in command
    assert commands[-1].endswith("runserver --noreload 127.0.0.1:8011")


def test_a_site_url_of_the_vendors_own_wins():
    for command in _planned_commands("PORT=8011", TESSERA_SITE_URL="https://support.example.com"):
        assert "TESSERA_SITE_URL=https://support.example.com " in command
