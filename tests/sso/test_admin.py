"""The vendor administrator sees the provider logins linked to accounts and removes one in the Django admin."""

from django.urls import reverse

from tessera.audit.models import AuditAction, AuditEntry
from tessera.sso.models import SsoIdentity


def test_an_administrator_lists_and_removes_a_provider_login(client, vendor_admin, customer, mailoutbox, deliver):
    identity = SsoIdentity.objects.create(user=customer, provider="cgm", subject="sub-4711", email=customer.email)
    client.force_login(vendor_admin)
    changelist = client.get(reverse("admin:sso_ssoidentity_changelist"))
    assert changelist.status_code == 200
    assert customer.email in changelist.content.decode()
    assert client.get(reverse("admin:sso_ssoidentity_add")).status_code == 403  # a login links them, nobody else

    with deliver():
        response = client.post(reverse("admin:sso_ssoidentity_delete", args=[identity.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not SsoIdentity.objects.filter(pk=identity.pk).exists()
    entry = AuditEntry.objects.get(action=AuditAction.SSO_IDENTITY_UNLINK)
    assert (entry.actor, entry.target_id, entry.data["provider"]) == (vendor_admin, str(customer.pk), "cgm")
    assert [m.subject for m in mailoutbox if customer.email in m.to] == ["A login was removed from your account"]


def test_removing_several_at_once_records_each(client, vendor_admin, customer, colleague):
    for user, subject in ((customer, "a"), (colleague, "b")):
        SsoIdentity.objects.create(user=user, provider="cgm", subject=subject, email=user.email)
    client.force_login(vendor_admin)
    response = client.post(reverse("admin:sso_ssoidentity_changelist"), {
        "action": "delete_selected", "post": "yes",
        "_selected_action": list(SsoIdentity.objects.values_list("pk", flat=True)),
    })
    assert response.status_code == 302
    assert not SsoIdentity.objects.exists()
    assert AuditEntry.objects.filter(action=AuditAction.SSO_IDENTITY_UNLINK).count() == 2


def test_agents_who_are_not_administrators_cannot_open_it(client, agent):
    client.force_login(agent)
    response = client.get(reverse("admin:sso_ssoidentity_changelist"))
    assert response.status_code in (302, 403)
