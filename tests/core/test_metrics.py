"""/metrics: what Prometheus reads after real requests, and who may read it (docs/deploy.md, "Metrics").

The counters live in this test process (no PROMETHEUS_MULTIPROC_DIR) and keep counting from test to test, so
each test compares two scrapes. The gauges are read from the database at each scrape. The multiprocess mode
under gunicorn is tests/core/test_entrypoint.py's.
"""

import smtplib
import socket
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from tessera.notifications.emails import send_email_to_user
from tessera.notifications.inbound_smtp import build_controller
from tests.factories import PASSWORD, email_message

from .metrics_helpers import TOKEN, scrape, value

LOGIN = reverse("accounts:login")
SUPPORT = "support@tessera.example"


@pytest.fixture
def metrics_on(settings):
    settings.TESSERA_METRICS_TOKEN = TOKEN
    settings.TESSERA_METRICS_ALLOWED_NETWORKS = []


# --- who may read it ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_without_a_token_or_networks_configured_there_is_no_such_page(client, settings):
    settings.TESSERA_METRICS_TOKEN = ""
    settings.TESSERA_METRICS_ALLOWED_NETWORKS = []
    response = client.get("/metrics", headers={"Authorization": "Bearer "})
    assert response.status_code == 404
    assert b"tessera_" not in response.content


@pytest.mark.django_db
def test_a_scrape_without_the_token_or_with_a_wrong_one_is_refused(client, metrics_on):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"},
                    {"Authorization": f"Bearer {TOKEN}x"}):
        response = client.get("/metrics", headers=headers)
        assert response.status_code == 401, headers
        assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
        assert b"tessera_http_request" not in response.content
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


@pytest.mark.django_db
def test_only_the_allowed_networks_may_scrape(settings):
    settings.TESSERA_METRICS_TOKEN = ""
    settings.TESSERA_METRICS_ALLOWED_NETWORKS = ["10.20.0.0/16", "2001:db8::/32"]
    refused = Client(REMOTE_ADDR="192.0.2.7").get("/metrics")
    assert refused.status_code == 403 and b"tessera_" not in refused.content
    assert Client(REMOTE_ADDR="10.20.3.4").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="2001:db8::5").get("/metrics").status_code == 200


@pytest.mark.django_db
def test_behind_a_proxy_the_clients_address_counts_not_the_proxys(settings):
    settings.TESSERA_METRICS_TOKEN = ""
    settings.TESSERA_METRICS_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    settings.TESSERA_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="10.20.0.1")  # the proxy itself is in the allowed network, the client is not
    assert proxy.get("/metrics", headers={"X-Forwarded-For": "198.51.100.9"}).status_code == 403
    # A client cannot claim an allowed address: only the entry the proxy appended is read.
    assert proxy.get("/metrics", headers={"X-Forwarded-For": "10.20.9.9, 198.51.100.9"}).status_code == 403
    assert proxy.get("/metrics", headers={"X-Forwarded-For": "10.20.9.9"}).status_code == 200


@pytest.mark.django_db
def test_with_token_and_networks_both_are_asked(settings):
    settings.TESSERA_METRICS_TOKEN = TOKEN
    settings.TESSERA_METRICS_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 401
    assert Client(REMOTE_ADDR="192.0.2.7").get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
                                                ).status_code == 403
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
                                               ).status_code == 200


@pytest.mark.django_db
def test_a_signed_in_vendor_admin_without_the_token_is_refused_too(client, vendor_admin, metrics_on):
    client.force_login(vendor_admin)
    assert client.get("/metrics").status_code == 401


@pytest.mark.django_db
def test_only_get(client, metrics_on):
    assert client.post("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 405


# --- what it holds after real requests -------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_request_is_a_latency_sample_of_its_view(client, customer, metrics_on):
    before = scrape(client)
    client.get(LOGIN)
    client.get(LOGIN)
    client.force_login(customer)
    client.get(reverse("portal:home"))
    after = scrape(client)

    def grew(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("tessera_http_request_duration_seconds_count", view="accounts:login", method="GET") == 2
    assert grew("tessera_http_request_duration_seconds_count", view="portal:home", method="GET") == 1
    assert grew("tessera_http_request_duration_seconds_bucket", view="accounts:login", method="GET", le="+Inf") == 2
    assert grew("tessera_http_request_duration_seconds_sum", view="accounts:login", method="GET") > 0
    assert grew("tessera_http_requests_total", view="accounts:login", method="GET", status="200") == 2
    # The scrape before this one is a sample too; an unknown path is one view, never its path.
    assert grew("tessera_http_request_duration_seconds_count", view="metrics", method="GET") == 1
    client.get("/no-such-page/4711/")
    assert value(scrape(client), "tessera_http_requests_total", view="<unresolved>", method="GET", status="404") >= 1
    text = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).content.decode()
    # Durations are numbers that may hold "4711"; no label ever holds the path or its parts.
    assert "no-such-page" not in text and "/4711" not in text and 'view="4711' not in text


@pytest.mark.django_db
def test_a_method_a_client_makes_up_is_one_label_not_a_new_series(client, metrics_on):
    before = scrape(client)
    for made_up in ("BREW", "X-7F3A9"):
        client.generic(made_up, LOGIN)
    after = scrape(client)
    assert value(after, "tessera_http_requests_total", view="accounts:login", method="OTHER", status="405") - value(
        before, "tessera_http_requests_total", view="accounts:login", method="OTHER", status="405") == 2
    assert not any(dict(labels).get("method") in {"BREW", "X-7F3A9"} for _, labels in after)


@pytest.mark.django_db
def test_queue_depth_and_outbox_counts_follow_a_queued_mail(client, customer, metrics_on, deliver, settings,
                                                            django_capture_on_commit_callbacks):
    empty = scrape(client)
    assert value(empty, "tessera_task_queue_depth", queue="default") == 0
    assert value(empty, "tessera_task_queue_oldest_age_seconds", queue="default") == 0
    assert value(empty, "tessera_outbox_emails", status="pending") == 0
    assert value(empty, "tessera_outbox_emails", status="failed") == 0

    with django_capture_on_commit_callbacks(execute=True):  # queued, not yet sent: no worker has run
        send_email_to_user("account_password_changed", user=customer, context={"reset_link": "http://x.test/r"})
    queued = scrape(client)
    assert value(queued, "tessera_task_queue_depth", queue="default") == 1
    assert 0 <= value(queued, "tessera_task_queue_oldest_age_seconds", queue="default") < 60
    assert value(queued, "tessera_outbox_emails", status="pending") == 1

    # The task has waited ten minutes: the worker is stuck, or there is none.
    DBTaskResult.objects.update(enqueued_at=DBTaskResult.objects.get().enqueued_at - timedelta(minutes=10))
    assert 600 <= value(scrape(client), "tessera_task_queue_oldest_age_seconds", queue="default") < 660

    # The worker runs; the mail server is unreachable and this was the last attempt: the message failed.
    settings.TESSERA_EMAIL_MAX_ATTEMPTS = 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _closed_port(), 5
    with deliver():
        pass
    failed = scrape(client)
    assert value(failed, "tessera_task_queue_depth", queue="default") == 0
    assert value(failed, "tessera_outbox_emails", status="pending") == 0
    assert value(failed, "tessera_outbox_emails", status="failed") == 1


@pytest.mark.django_db
def test_failed_and_locked_logins_are_counted(client, customer, metrics_on, settings):
    before = scrape(client)
    Client().post(LOGIN, {"username": customer.email, "password": "wrong-wrong-1"})
    once = scrape(client)
    assert value(once, "tessera_logins_failed_total") - value(before, "tessera_logins_failed_total") == 1
    assert value(once, "tessera_logins_locked_total") == value(before, "tessera_logins_locked_total")

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):  # the last of these locks the account
        Client().post(LOGIN, {"username": customer.email, "password": "wrong-wrong-1"})
    refused = Client().post(LOGIN, {"username": customer.email, "password": PASSWORD})  # locked: refused
    assert refused.status_code == 429
    after = scrape(client)
    assert value(after, "tessera_logins_failed_total") - value(before, "tessera_logins_failed_total") == (
        settings.AXES_FAILURE_LIMIT + 1
    )
    assert value(after, "tessera_logins_locked_total") - value(before, "tessera_logins_locked_total") == 2

    assert Client().post(LOGIN, {"username": "colleague-never-failed@rossi.test", "password": "x"}).status_code == 200
    assert value(scrape(client), "tessera_logins_locked_total") == value(after, "tessera_logins_locked_total")


@pytest.mark.django_db(transaction=True)
def test_inbound_mails_accepted_and_refused_through_the_smtp_receiver(customer, category, metrics_on):
    client = Client()
    before = scrape(client)
    port = _free_port()
    controller = build_controller(host="127.0.0.1", port=port)
    controller.start()
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
            smtp.send_message(email_message(sender=customer.email, to=SUPPORT, subject="Printer", body="Broken."),
                              from_addr=customer.email, to_addrs=[SUPPORT])
            smtp.send_message(email_message(sender="stranger@example.test", to=SUPPORT, body="Hello"),
                              from_addr="stranger@example.test", to_addrs=[SUPPORT])
    finally:
        controller.stop()
    after = scrape(client)

    def grew(**labels):
        return value(after, "tessera_inbound_mails_total", **labels) - value(before, "tessera_inbound_mails_total",
                                                                             **labels)

    assert grew(result="accepted", outcome="ticket_created") == 1
    assert grew(result="refused", outcome="rejected") == 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _closed_port() -> int:
    return _free_port()  # nothing listens there once the probe is closed
