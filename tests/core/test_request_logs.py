"""One log line per request, and the request id that lets support find it (docs/deploy.md, "Logs").

The lines are read as a log collector reads them: the JSON handler of settings.LOGGING writes them to a stream,
and each line is parsed. tests/core/test_entrypoint.py reads the same lines from a real gunicorn's standard error.
"""

import io
import json
import logging
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tessera.core.observability.logs import JsonFormatter, RequestIdFilter, TextFormatter
from tests.factories import PASSWORD
from tests.html import parse

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


@pytest.fixture
def log_lines():
    """The lines written while the test runs, at INFO, by the JSON handler settings.LOGGING configures."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


def request_lines(lines):
    return [line for line in lines if line["logger"] == "tessera.request"]


def test_a_request_writes_one_json_line_with_its_id_user_view_status_duration_and_queries(client, customer,
                                                                                          log_lines):
    client.force_login(customer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("portal:home"))
    assert response.status_code == 200

    [line] = request_lines(log_lines())
    assert line["request_id"] == response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"])
    assert line["user_id"] == customer.pk
    assert line["view"] == "portal:home"
    assert (line["method"], line["status"]) == ("GET", 200)
    assert line["queries"] == len(queries.captured_queries) > 0
    assert 0 < line["duration_ms"] < 30_000
    assert line["level"] == "INFO" and line["time"].endswith("+00:00")


def test_an_anonymous_request_has_no_user_and_a_path_is_never_logged(client, log_lines):
    client.get("/no-such-page/4711/")
    client.get(LOGIN)
    lines = request_lines(log_lines())
    assert [(line["view"], line["status"], line["user_id"]) for line in lines] == [
        ("<unresolved>", 404, None), ("accounts:login", 200, None),
    ]
    # Request ids are random hex and may hold "4711"; the path's parts never show up.
    logged = json.dumps(lines)
    assert "no-such-page" not in logged and "/4711" not in logged


def test_each_request_gets_its_own_id_and_the_proxys_id_is_kept(client):
    first, second = client.get(LOGIN)["X-Request-ID"], client.get(LOGIN)["X-Request-ID"]
    assert first != second
    assert client.get(LOGIN, headers={"X-Request-ID": "nginx-0af3c9e2b1d4"})["X-Request-ID"] == "nginx-0af3c9e2b1d4"
    # Anything that is not a plain token (a line break, a header of its own, a very long value) is replaced.
    for hostile in ("abc\r\nSet-Cookie: x=1", "short", "a" * 65, "<script>alert(1)</script>"):
        replaced = client.get(LOGIN, headers={"X-Request-ID": hostile})["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", replaced), hostile


def test_the_500_page_shows_the_request_id_of_the_failed_request_and_its_log_lines(settings, log_lines):
    settings.ROOT_URLCONF = "tests.core.error_urls"
    response = Client(raise_request_exception=False).get("/test-errors/500/")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    shown = parse(response).find(testid="request-id")
    assert shown.find("code").text == request_id
    assert shown.text.startswith(f"Request ID: {request_id}")
    assert "Please quote it when you contact support" in shown.text

    lines = log_lines()
    [error] = [line for line in lines if line["logger"] == "django.request"]
    assert error["request_id"] == request_id and error["level"] == "ERROR"
    assert "RuntimeError: a bug" in error["exc_info"] and "\n" not in json.dumps(error)
    [request] = request_lines(lines)
    assert (request["request_id"], request["status"]) == (request_id, 500)


def test_the_500_page_says_it_in_the_users_language(settings):
    settings.ROOT_URLCONF = "tests.core.error_urls"
    response = Client(raise_request_exception=False, headers={"accept-language": "de"}).get("/test-errors/500/")
    assert parse(response).find(testid="request-id").find("code").text == response["X-Request-ID"]


def test_a_mail_caused_by_a_request_carries_its_id(client, customer, deliver, mailoutbox):
    client.force_login(customer)
    with deliver():
        response = client.post(reverse("accounts:password_change"), {
            "old_password": PASSWORD, "new_password": "Nuova-chiave-77", "new_password_repeat": "Nuova-chiave-77",
        })
    assert response.status_code == 302
    [mail] = mailoutbox  # "your password was changed", composed while the request ran
    assert mail.message()["X-Request-ID"] == response["X-Request-ID"]


def test_a_mail_sent_outside_a_request_has_no_request_id(customer, deliver, mailoutbox):
    from tessera.notifications.emails import send_email_to_user

    with deliver():
        send_email_to_user("account_password_changed", user=customer, context={"reset_link": "http://x.test/r"})
    [mail] = mailoutbox
    assert mail.message()["X-Request-ID"] is None


def test_the_text_format_names_the_request_id_in_brackets():
    record = logging.LogRecord("tessera.request", logging.INFO, __file__, 1, "GET accounts:login 200", (), None)
    record.request_id = "0af3c9e2b1d4aa"
    assert "INFO tessera.request [0af3c9e2b1d4aa]: GET accounts:login 200" in TextFormatter().format(record)
    record.request_id = ""
    assert "INFO tessera.request: GET" in TextFormatter().format(record)
