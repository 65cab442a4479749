"""No default secret key outside DEBUG; key rotation keeps reply addresses working (issue 14, finding 1)."""

import subprocess
import sys

import pytest

from tessera.notifications.reply_tokens import parse_reply_address, reply_to_address

from .test_security_settings import PRODUCTION, ROOT, production_env

DEVELOPMENT_KEY = "insecure-development-key-change-me-in-production-0123456789"


def _manage(tmp_path, *args: str, **overrides: str | None) -> subprocess.CompletedProcess:
    env = production_env(tmp_path)
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def test_production_without_a_secret_key_does_not_start(tmp_path):
    result = _manage(tmp_path, "check", TESSERA_SECRET_KEY=None)
    assert result.returncode != 0
    assert "TESSERA_SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr.split("ImproperlyConfigured")[-1]  # the message is the last word


def test_production_without_a_secret_key_fails_the_deployment_check(tmp_path):
    result = _manage(tmp_path, "check", "--deploy", TESSERA_SECRET_KEY=None)
    assert result.returncode != 0 and "TESSERA_SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize("variable", ["TESSERA_SECRET_KEY", "TESSERA_SECRET_KEY_FALLBACKS"])
def test_the_development_key_fails_the_deployment_check(tmp_path, variable):
    result = _manage(tmp_path, "check", "--deploy", **{variable: DEVELOPMENT_KEY})
    assert result.returncode != 0
    assert "tessera.E001" in result.stderr and "development key" in result.stderr


def test_the_placeholder_of_env_example_fails_the_deployment_check(tmp_path):
    result = _manage(tmp_path, "check", "--deploy", TESSERA_SECRET_KEY="change-me")
    assert result.returncode != 0 and "tessera.E001" in result.stderr


def test_development_still_runs_without_configuration(tmp_path):
    result = _manage(tmp_path, "check", TESSERA_DEBUG="true", TESSERA_SECRET_KEY=None)
    assert result.returncode == 0, result.stderr


def test_a_reply_address_signed_before_a_key_rotation_still_verifies(settings):
    settings.SECRET_KEY = "the-old-key-" + "x" * 40
    old_address = reply_to_address(ticket_id=12, user_id=34)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "the-new-key-" + "y" * 40
    assert parse_reply_address(old_address) == (12, 34)
    assert parse_reply_address(reply_to_address(ticket_id=12, user_id=34)) == (12, 34)


def test_once_the_old_key_is_dropped_its_addresses_are_refused(settings):
    settings.SECRET_KEY = "the-old-key-" + "x" * 40
    old_address = reply_to_address(ticket_id=12, user_id=34)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "the-new-key-" + "y" * 40, []
    assert parse_reply_address(old_address) is None


def test_an_address_signed_with_the_public_development_key_is_refused_in_production(settings):
    settings.SECRET_KEY = DEVELOPMENT_KEY
    forged = reply_to_address(ticket_id=12, user_id=34)
    settings.SECRET_KEY = PRODUCTION["TESSERA_SECRET_KEY"]
    assert parse_reply_address(forged) is None
