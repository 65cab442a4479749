"""Access tokens: made on the account page and shown once, hashed at rest, scoped, expiring, revocable, audited."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
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
    minute = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
    with time_machine.travel(minute + timedelta(seconds=45), tick=False):
        waits = [token_rate_limit_hit(token=AccessToken.objects.get(pk=token.pk)) for _ in range(4)]
    assert waits == [None, None, None, 15]
    assert TokenRateWindow.objects.get(token=token).count == 4
    with time_machine.travel(minute + timedelta(minutes=1, seconds=1), tick=False):  # the next minute starts afresh
        assert token_rate_limit_hit(token=AccessToken.objects.get(pk=token.pk)) is None
    assert list(TokenRateWindow.objects.filter(token=token).values_list("count", flat=True)) == [1]


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


# --- tokens through the API: list, see the calling token, rotate it, revoke ------------------------------------


def test_a_token_lists_its_owners_tokens_without_their_values(api, customer, colleague):
    client = api(customer)
    AccessTokenFactory(user=customer, name="Backup script", scope=TokenScope.READ)
    AccessTokenFactory(user=colleague, name="COLLEAGUE-TOKEN")
    listed = client.get("/api/v1/tokens/").json()
    assert sorted(t["name"] for t in listed) == sorted(["Backup script", client.token.name])
    assert all(t["prefix"] and "raw" not in t and "key_hash" not in t for t in listed)
    assert client.token.raw not in str(listed)
    me = client.get("/api/v1/tokens/self/").json()
    assert (me["id"], me["scope"], me["kind"]) == (client.token.pk, "read_write", "personal")


def test_a_token_rotates_itself_the_old_one_stops_at_once(api, customer):
    client = api(customer)
    old = client.token
    AccessToken.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=10), expires_at=timezone.now() + timedelta(days=80)
    )
    response = client.post("/api/v1/tokens/self/rotate/", {}, format="json")
    assert response.status_code == 201
    new = response.json()
    assert new["token"].startswith("tsr_") and new["name"] == old.name and new["scope"] == "read_write"
    lifetime = AccessToken.objects.get(pk=new["id"]).expires_at - timezone.now()
    assert timedelta(days=89) < lifetime <= timedelta(days=90)  # as long as the old one was meant to live
    assert client.get("/api/v1/tickets/").status_code == 401  # the old token
    fresh = api()
    fresh.credentials(HTTP_AUTHORIZATION=f"Bearer {new['token']}")
    assert fresh.get("/api/v1/tokens/self/").json()["id"] == new["id"]
    entry = AuditEntry.objects.get(action=AuditAction.TOKEN_ROTATE)
    assert (entry.actor, entry.target_id, entry.data["replaced_by"]) == (customer, str(old.pk), new["id"])


def test_a_service_token_rotates_and_its_account_stays_active(api, vendor_admin):
    from tessera.tokens.services import service_token_create

    issued = service_token_create(created_by=vendor_admin, name="ERP", scope=TokenScope.READ_WRITE, expires_at=None)
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.raw}")
    response = client.post("/api/v1/tokens/self/rotate/", {"expires_at": "2099-01-01T00:00:00Z"}, format="json")
    assert response.status_code == 201
    new = AccessToken.objects.get(pk=response.json()["id"])
    assert (new.kind, new.user_id, new.expires_at.year) == (TokenKind.SERVICE, issued.token.user_id, 2099)
    assert new.user.is_active
    past = client.post("/api/v1/tokens/self/rotate/", {"expires_at": "2000-01-01T00:00:00Z"}, format="json")
    assert past.status_code == 401  # the rotated token is gone already


def test_a_read_only_token_cannot_rotate_and_a_session_has_no_calling_token(api, client, customer):
    read_only = api(customer, scope=TokenScope.READ)
    assert read_only.post("/api/v1/tokens/self/rotate/", {}, format="json").status_code == 403
    client.force_login(customer)
    assert client.get("/api/v1/tokens/self/").status_code == 404


def test_a_token_is_revoked_by_its_owner_only(api, customer, colleague):
    client = api(customer)
    other = AccessTokenFactory(user=customer, name="Old laptop")
    theirs = AccessTokenFactory(user=colleague)
    assert client.delete(f"/api/v1/tokens/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v1/tokens/{theirs.pk}/").status_code == 404
    assert client.delete(f"/api/v1/tokens/{other.pk}/").status_code == 204
    other.refresh_from_db()
    theirs.refresh_from_db()
    assert other.revoked_at is not None and theirs.revoked_at is None
    assert client.get(f"/api/v1/tokens/{other.pk}/").json()["revoked_at"] is not None
