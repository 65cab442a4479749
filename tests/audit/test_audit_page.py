"""The desk's audit log: vendor administrators only; filters, pagination, a constant number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tessera.audit.models import AuditAction, AuditEntry
from tessera.audit.services import audit_record
from tests.factories import PASSWORD
from tests.html import parse

from .conftest import IP

AUDIT = reverse("desk:audit_log")


def rows(response) -> str:
    page = response.content.decode()
    return page[page.index('data-testid="audit-entries"'):page.index("</table>")]


def backdate(entry, days):
    AuditEntry.objects.filter(pk=entry.pk).update(created_at=timezone.now() - timedelta(days=days))


# --- who finds the page --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona",
    ["customer", "colleague", "manager", "org_admin", "restricted_user", "outsider", "unlinked_user",
     "inactive_member", "agent"],
)
def test_everyone_but_vendor_administrators_gets_404(client, persona, request, customer):
    audit_record(action=AuditAction.PASSWORD_CHANGE, actor=customer, target=customer)
    client.force_login(request.getfixturevalue(persona))
    for params in ({}, {"action": "login"}, {"page": "2"}):
        response = client.get(AUDIT, params)
        assert response.status_code == 404
        # The page's own content names no one (the user menu shows the signed-in user their own address).
        assert "customer@rossi.test" not in parse(response).find("main").text


def test_anonymous_is_sent_to_log_in(client, db):
    response = client.get(AUDIT)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_vendor_admin_sees_who_did_what_from_where(client, vendor_admin, customer, organization):
    client.post(reverse("accounts:login"), {"username": customer.email, "password": "Wrong-guess-1"}, REMOTE_ADDR=IP)
    client.post(reverse("accounts:login"), {"username": customer.email, "password": PASSWORD}, REMOTE_ADDR=IP)
    client.force_login(vendor_admin)
    response = client.get(AUDIT)
    assert response.status_code == 200
    table = rows(response)
    assert "Failed login" in table and "Login" in table
    assert "customer@rossi.test" in table and IP in table
    assert "Praxis Rossi" in table and "100001" in table
    assert "Wrong-guess-1" not in response.content.decode()


# --- filters -------------------------------------------------------------------------------------------------------


@pytest.fixture
def entries(customer, outsider, agent, organization, other_organization):
    return {
        "rossi": audit_record(action=AuditAction.PASSWORD_CHANGE, actor=customer, target=customer),
        "weber": audit_record(action=AuditAction.EXPORT, actor=outsider, format="csv", filter="status=all"),
        "agent": audit_record(action=AuditAction.INVITATION, actor=agent, target=customer, organization=organization),
        "failed": audit_record(action=AuditAction.LOGIN_FAILED, username="ghost@nowhere.test", locked_out=False),
    }


def shown(response, entries) -> set[str]:
    table = rows(response)
    return {name for name, entry in entries.items() if f'data-testid="audit-entry-{entry.pk}"' in table}


def test_filter_by_action(client, vendor_admin, entries):
    client.force_login(vendor_admin)
    assert shown(client.get(AUDIT, {"action": "export"}), entries) == {"weber"}


def test_filter_by_actor_email_or_the_name_a_failed_login_tried(client, vendor_admin, entries):
    client.force_login(vendor_admin)
    assert shown(client.get(AUDIT, {"actor": "ROSSI.test"}), entries) == {"rossi"}
    assert shown(client.get(AUDIT, {"actor": "ghost@"}), entries) == {"failed"}


def test_filter_by_organization(client, vendor_admin, entries, organization, other_organization):
    client.force_login(vendor_admin)
    assert shown(client.get(AUDIT, {"organization": organization.pk}), entries) == {"rossi", "agent"}
    assert shown(client.get(AUDIT, {"organization": other_organization.pk}), entries) == {"weber"}


def test_filter_by_ip_address(client, vendor_admin, entries):
    AuditEntry.objects.filter(pk=entries["weber"].pk).update(ip_address=IP)
    client.force_login(vendor_admin)
    assert shown(client.get(AUDIT, {"ip_address": IP}), entries) == {"weber"}


def test_filter_by_date_range(client, vendor_admin, entries):
    backdate(entries["rossi"], 10)
    backdate(entries["weber"], 3)
    client.force_login(vendor_admin)
    today = timezone.localdate()
    between = {"date_from": (today - timedelta(days=5)).isoformat(), "date_to": (today - timedelta(days=1)).isoformat()}
    assert shown(client.get(AUDIT, between), entries) == {"weber"}
    assert shown(client.get(AUDIT, {"date_to": (today - timedelta(days=4)).isoformat()}), entries) == {"rossi"}
    assert shown(client.get(AUDIT, {"date_from": today.isoformat()}), entries) == {"agent", "failed"}


def test_wrong_filter_values_are_shown_with_their_error_and_no_500(client, vendor_admin, entries):
    client.force_login(vendor_admin)
    response = client.get(AUDIT, {"date_from": "yesterday", "ip_address": "not-an-ip", "action": "bogus",
                                  "organization": "999999", "actor": "rossi"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="field-error"' in page and 'value="yesterday"' in page and 'value="not-an-ip"' in page
    assert shown(response, entries) == {"rossi"}  # the valid filter still applies
    reversed_range = client.get(AUDIT, {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert "The end of the period must not be before its start." in reversed_range.content.decode()


def test_details_are_escaped(client, vendor_admin, db):
    audit_record(action=AuditAction.LOGIN_FAILED, username="<script>alert(1)</script>")
    client.force_login(vendor_admin)
    page = client.get(AUDIT).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- pages ---------------------------------------------------------------------------------------------------------


def _bulk(count, customer):
    AuditEntry.objects.bulk_create(
        AuditEntry(action=AuditAction.LOGIN, actor=customer, actor_email=customer.email, ip_address=IP,
                   target_type="accounts.user", target_id=str(customer.pk), target_repr=str(customer),
                   organization_id=customer.membership.organization_id)
        for _ in range(count)
    )


def test_pages_keep_the_filter(client, vendor_admin, customer):
    _bulk(120, customer)
    client.force_login(vendor_admin)
    response = client.get(AUDIT, {"action": "login", "actor": "rossi"})
    page = response.content.decode()
    assert "120 entries" in page and "Page 1 of 3" in page
    assert "action=login&amp;actor=rossi&amp;page=2" in page
    second = client.get(AUDIT, {"action": "login", "actor": "rossi", "page": "2"}).content.decode()
    assert "Page 2 of 3" in second
    assert client.get(AUDIT, {"page": "999"}).status_code == 200  # the last page, not an error


def test_query_count_is_constant(client, vendor_admin, customer, organization, other_organization,
                                 django_assert_max_num_queries):
    client.force_login(vendor_admin)
    _bulk(3, customer)

    def queries(params) -> int:
        with django_assert_max_num_queries(8) as captured:
            assert client.get(AUDIT, params).status_code == 200
        return len(captured.captured_queries)

    few = queries({}), queries({"organization": organization.pk, "action": "login"})
    _bulk(200, customer)
    audit_record(action=AuditAction.EXPORT, actor=customer, format="csv", filter="")
    assert (queries({}), queries({"organization": organization.pk, "action": "login"})) == few


# --- the admin site: read only, superusers only ---------------------------------------------------------------------


def test_admin_site_is_read_only_for_superusers(client, vendor_admin, customer):
    entry = audit_record(action=AuditAction.PASSWORD_CHANGE, actor=customer, target=customer)
    client.force_login(vendor_admin)
    changelist = reverse("admin:audit_auditentry_changelist")
    page = client.get(changelist, {"q": "rossi"})
    assert page.status_code == 200 and "customer@rossi.test" in page.content.decode()
    assert client.get(changelist, {"action__exact": "password_change"}).status_code == 200
    assert client.get(reverse("admin:audit_auditentry_change", args=[entry.pk])).status_code == 200
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    client.post(reverse("admin:audit_auditentry_change", args=[entry.pk]), {"actor_email": "someone@else.test"})
    entry.refresh_from_db()
    assert entry.actor_email == "customer@rossi.test"


def test_admin_site_hides_the_log_from_other_staff(client, agent, customer):
    audit_record(action=AuditAction.PASSWORD_CHANGE, actor=customer, target=customer)
    client.force_login(agent)
    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 403
