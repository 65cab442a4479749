"""Production settings pass Django's deployment checks; every page carries the security headers."""

import os
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "TESSERA_DEBUG": "false",
    "TESSERA_SECRET_KEY": "k8#Jw2!pQz7$Lm4@Xv9^Rt1&Yb6*Nc3(Hd5)Fg0-Us2+Ae8=Ki7?Wo4",
    "TESSERA_ALLOWED_HOSTS": "support.example.com",
}


def production_env(tmp_path) -> dict:
    env = {**os.environ, **PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests for their own process only
    return env


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = production_env(tmp_path)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_cookies_and_hsts(tmp_path):
    env = production_env(tmp_path)
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE,"
        " s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.PASSWORD_HASHERS[0])"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )
    assert result.stdout.strip().splitlines()[-1].split() == [
        "True", "True", "Lax", "True", "31536000", "True", "django.contrib.auth.hashers.Argon2PasswordHasher"
    ], result.stderr


def test_every_page_sends_csp_without_inline_script_and_denies_framing(client, customer):
    client.force_login(customer)
    response = client.get(reverse("portal:home"))
    policy = response["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in response.content.decode()  # no inline script on the page


def test_env_example_as_env_file_gives_a_working_configuration(tmp_path):
    """Every line of .env.example, taken as the environment, yields settings that pass Django's checks."""
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    env = {**os.environ, **values, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
