"""Access tokens: made on the account page and shown once, hashed at rest, scoped, expiring, revocable, audited."""

import hashlib
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tessera.audit.models import AuditAction, AuditEntry
from tessera.tickets.models import Ticket
from tessera.tokens.models import AccessToken, TokenKind, TokenRateWindow, TokenScope
from tessera.tokens.services import personal_token_create, token_rate_limit_hit
from tests.factories import AccessTokenFactory
from tests.html import parse

pytestmark = pytest.mark.django_db


def _create(client, **data):
    return client.post(reverse("tokens:token_list"), {"scope": "read", **data})


def test_a_token_is_shown_once_and_only_its_hash_is_stored(client, customer, api):
    client.force_login(customer)
    response = _create(client, name="Monitoring script", scope="read_write")
    assert response.status_code == 200
    raw = parse(response).find(testid="token-value").text.strip()
    token = AccessToken.objects.get(user=customer)
    assert raw.startswith("tsr_") and len(raw) > 40
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {str(value) for value in AccessToken.objects.values_list(flat=True)}
    assert (token.name, token.scope, token.kind) == ("Monitoring script", TokenScope.READ_WRITE, TokenKind.PERSONAL)
    # the list shows it, its value never again
    page = client.get(reverse("tokens:token_list"))
    assert "Monitoring script" in page.content.decode() and raw not in page.content.decode()
    # and it works
    bearer = api()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert bearer.get("/api/v1/tickets/").status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.TOKEN_CREATE)
    assert entry.actor == customer and entry.data["scope"] == "read_write"


def test_the_account_page_links_the_tokens(client, customer):
    client.force_login(customer)
    page = parse(client.get(reverse("accounts:account")))
    assert page.find(testid="tokens-link").get("href") == reverse("tokens:token_list")


def test_a_name_is_required_and_the_expiry_must_lie_ahead(client, customer):
    client.force_login(customer)
    response = _create(client, name="", expires_on="2000-01-01")
    assert response.status_code == 400
    assert not AccessToken.objects.exists()
    response = _create(client, name="Old", expires_on="2000-01-01")
    assert response.status_code == 400
    assert "The expiry date must lie in the future." in response.content.decode()
    assert 'value="Old"' in response.content.decode()  # nothing typed is lost


def test_revoked_and_expired_tokens_stop_working(api, client, customer):
    token = AccessTokenFactory(user=customer)
    assert api(token=token).get("/api/v1/tickets/").status_code == 200
    client.force_login(customer)
    assert client.post(reverse("tokens:token_revoke", args=[token.pk])).status_code == 302
    assert api(token=token).get("/api/v1/tickets/").status_code == 401
    assert AuditEntry.objects.filter(action=AuditAction.TOKEN_REVOKE, actor=customer).count() == 1
    expired = AccessTokenFactory(user=customer, expires_at=timezone.now() - timedelta(seconds=1))
    assert api(token=expired).get("/api/v1/tickets/").status_code == 401


def test_a_token_of_an_inactive_user_does_not_work(api, inactive_user):
    assert api(inactive_user).get("/api/v1/tickets/").status_code == 401


def test_nobody_revokes_someone_elses_token(client, customer, colleague):
    token = AccessTokenFactory(user=customer)
    client.force_login(colleague)
    assert client.post(reverse("tokens:token_revoke", args=[token.pk])).status_code == 404
    assert AccessToken.objects.get(pk=token.pk).revoked_at is None


def test_a_read_only_token_reads_but_never_writes(api, customer, category):
    client = api(customer, scope="read")
    assert client.get("/api/v1/tickets/").status_code == 200
    response = client.post("/api/v1/tickets/", {"title": "x", "category": category.pk}, format="json")
    assert response.status_code == 403
    assert "only read" in response.json()["detail"]
    assert not Ticket.objects.exists()


def test_only_vendor_admins_create_service_tokens(client, agent, vendor_admin, api):
    client.force_login(agent)
    assert "kind" not in parse(client.get(reverse("tokens:token_list"))).source
    _create(client, name="ERP", kind="service")
    assert AccessToken.objects.get().kind == TokenKind.PERSONAL  # the field is not offered: a personal token
    client.force_login(vendor_admin)
    response = _create(client, name="ERP sync", kind="service", scope="read_write")
    raw = parse(response).find(testid="token-value").text.strip()
    token = AccessToken.objects.get(kind=TokenKind.SERVICE)
    assert token.user != vendor_admin and token.user.is_superuser and not token.user.has_usable_password()
    assert token.created_by == vendor_admin
    bearer = api()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert bearer.get("/api/v1/organizations/").status_code == 200
    # revoking it ends its service account too
    client.post(reverse("tokens:token_revoke", args=[token.pk]))
    token.user.refresh_from_db()
    assert not token.user.is_active


def test_the_session_needs_the_csrf_token_to_write(customer, category):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(customer)
    assert browser.get("/api/v1/tickets/").status_code == 200
    response = browser.post("/api/v1/tickets/", {"title": "x", "category": category.pk},
                            content_type="application/json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


def test_the_rate_limit_is_counted_in_the_database_for_every_process(customer, settings):
    settings.TESSERA_API_TOKEN_RATE_PER_MINUTE = 3
    token = personal_token_create(user=customer, name="x", scope="read", expires_at=None).token
    waits = [token_rate_limit_hit(token=AccessToken.objects.get(pk=token.pk)) for _ in range(4)]
    assert waits[:3] == [None, None, None] and 1 <= waits[3] <= 60
    assert TokenRateWindow.objects.get(token=token).count == 4


def test_the_token_page_queries_the_same_whatever_the_number_of_tokens(client, customer,
                                                                        django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(customer)
    AccessTokenFactory(user=customer)
    client.get(reverse("tokens:token_list"))  # the session's first request notes it once
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("tokens:token_list"))
    AccessTokenFactory.create_batch(10, user=customer)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("tokens:token_list"))
    assert len(parse(response).find_all(testid_prefix="token-")) >= 11
