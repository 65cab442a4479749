"""Each audited action leaves exactly one entry: actor, IP address, time and target."""

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tessera.accounts.models import SecurityQuestion, TokenPurpose, User
from tessera.accounts.tokens import token_issue
from tessera.audit.models import AuditAction, AuditEntry
from tessera.audit.services import audit_record
from tessera.organizations.models import LinkRequest, Role
from tessera.tickets.services import ticket_create
from tests.factories import PASSWORD, MembershipFactory, UserFactory, pending_applicant

from .conftest import IP

pytestmark = pytest.mark.usefixtures("worker_keeps_test_connection")

LOGIN = reverse("accounts:login")
NEW_PASSWORD = "Zanzara-lenta-42"


def assert_entry(entry, *, actor, target=None, organization=None, ip=IP):
    assert entry.actor == actor
    assert entry.actor_email == (actor.email if actor else "")
    assert entry.ip_address == ip
    assert timezone.now() - timedelta(minutes=1) < entry.created_at <= timezone.now()
    if target is not None:
        assert (entry.target_type, entry.target_id) == (target._meta.label_lower, str(target.pk))
        assert entry.target_repr == str(target)
    if organization is not None:
        assert entry.organization == organization


# --- logins --------------------------------------------------------------------------------------------------------


def test_login(client, customer, organization, only_entry):
    response = client.post(LOGIN, {"username": customer.email, "password": PASSWORD}, REMOTE_ADDR=IP)
    assert response.status_code == 302
    assert_entry(only_entry(AuditAction.LOGIN), actor=customer, target=customer, organization=organization)


def test_the_test_clients_own_address_is_recorded_too(client, customer, only_entry):
    client.post(LOGIN, {"username": customer.email, "password": PASSWORD})
    assert only_entry(AuditAction.LOGIN).ip_address == "127.0.0.1"


@pytest.mark.parametrize("login", ["customer@rossi.test", "ghost@rossi.test"])
def test_failed_login_keeps_the_name_tried_and_never_the_password(client, customer, login, only_entry):
    response = client.post(LOGIN, {"username": login, "password": "Secret-guess-99"}, REMOTE_ADDR=IP)
    assert response.status_code == 200
    entry = only_entry(AuditAction.LOGIN_FAILED)
    assert_entry(entry, actor=None)
    assert entry.data == {"username": login, "locked_out": False}
    stored = json.dumps(list(AuditEntry.objects.values()), default=str)
    assert "Secret-guess-99" not in stored and "*****" not in stored


def test_login_of_a_locked_out_account_is_recorded_as_such(client, customer, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(3):
        client.post(LOGIN, {"username": customer.email, "password": "Wrong-guess-1"}, REMOTE_ADDR=IP)
    failed = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).order_by("pk")
    assert [entry.data["locked_out"] for entry in failed][-1] is True
    assert all(entry.data["username"] == customer.email for entry in failed)


def test_logout(client, customer, only_entry):
    client.post(LOGIN, {"username": customer.email, "password": PASSWORD}, REMOTE_ADDR=IP)
    client.post(reverse("accounts:logout"), REMOTE_ADDR=IP)
    assert_entry(only_entry(AuditAction.LOGOUT), actor=customer, target=customer)


# --- password and security question --------------------------------------------------------------------------------


def test_password_change(client, customer, organization, only_entry):
    client.force_login(customer)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_repeat": NEW_PASSWORD},
        REMOTE_ADDR=IP,
    )
    assert response.status_code == 302
    entry = only_entry(AuditAction.PASSWORD_CHANGE)
    assert_entry(entry, actor=customer, target=customer, organization=organization)
    assert NEW_PASSWORD not in json.dumps(entry.data) and PASSWORD not in json.dumps(entry.data)


def test_refused_password_change_records_nothing(client, customer):
    client.force_login(customer)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "not-my-password-1", "new_password": NEW_PASSWORD, "new_password_repeat": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert not AuditEntry.objects.filter(action=AuditAction.PASSWORD_CHANGE).exists()


def test_security_question_change(client, customer, only_entry):
    client.force_login(customer)
    response = client.post(
        reverse("accounts:security_question_change"),
        {"security_question": SecurityQuestion.FIRST_PET, "security_answer": "Fido", "current_password": PASSWORD},
        REMOTE_ADDR=IP,
    )
    assert response.status_code == 302
    entry = only_entry(AuditAction.SECURITY_QUESTION_CHANGE)
    assert_entry(entry, actor=customer, target=customer)
    assert "Fido" not in json.dumps(entry.data) and "fido" not in json.dumps(entry.data)


def test_password_reset_by_link(client, customer, only_entry):
    raw = token_issue(user=customer, purpose=TokenPurpose.PASSWORD_RESET, valid_for=timedelta(hours=1))
    response = client.post(
        reverse("accounts:password_reset_confirm", args=[raw]),
        {"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD}, REMOTE_ADDR=IP,
    )
    assert response.status_code == 302
    assert_entry(only_entry(AuditAction.PASSWORD_RESET), actor=customer, target=customer)


# --- invitations and registration ----------------------------------------------------------------------------------


def test_contact_invitation(client, agent, organization, only_entry):
    client.force_login(agent)
    response = client.post(
        reverse("desk:organization_invite", args=[organization.pk]),
        {"first_name": "Anna", "last_name": "Rossi", "email": "anna@rossi.test"}, REMOTE_ADDR=IP,
    )
    assert response.status_code == 302
    invited = User.objects.get(email="anna@rossi.test")
    assert_entry(only_entry(AuditAction.INVITATION), actor=agent, target=invited, organization=organization)


def test_invitation_accepted(client, organization, only_entry):
    invited = UserFactory(email="anna@rossi.test", is_active=False)
    MembershipFactory(user=invited, organization=organization, is_active=False)
    raw = token_issue(user=invited, purpose=TokenPurpose.INVITATION, valid_for=timedelta(days=1))
    response = client.post(
        reverse("accounts:invitation_accept", args=[raw]),
        {"username": "rossi.anna", "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD,
         "security_question": SecurityQuestion.BIRTH_CITY, "security_answer": "Bologna"},
        REMOTE_ADDR=IP,
    )
    assert response.status_code == 302
    entry = only_entry(AuditAction.INVITATION_ACCEPT)
    assert_entry(entry, actor=invited, target=invited, organization=organization)
    assert entry.data == {"username": "rossi.anna"}
    assert_entry(only_entry(AuditAction.LOGIN), actor=invited, target=invited)  # the page signs the user in


def test_registration_confirmed(client, db, only_entry):
    user = UserFactory(email="nuovo@studio.test", is_active=False)
    raw = token_issue(user=user, purpose=TokenPurpose.EMAIL_CONFIRMATION, valid_for=timedelta(days=1))
    response = client.post(reverse("accounts:register_confirm", args=[raw]), {"password": PASSWORD}, REMOTE_ADDR=IP)
    assert response.status_code == 302
    entry = only_entry(AuditAction.REGISTRATION_CONFIRM)
    assert_entry(entry, actor=user, target=user)
    assert entry.organization is None  # not linked to a customer yet


# --- approvals and roles -------------------------------------------------------------------------------------------


def test_link_request_approved_in_the_desk(client, agent, organization, only_entry):
    link_request = pending_applicant(organization, email="new@rossi.test")
    client.force_login(agent)
    response = client.post(reverse("desk:approval_approve", args=[link_request.pk]), REMOTE_ADDR=IP)
    assert response.status_code == 302
    link_request.refresh_from_db()
    entry = only_entry(AuditAction.LINK_REQUEST_APPROVE)
    assert_entry(entry, actor=agent, target=link_request, organization=organization)
    assert entry.data == {"role": Role.BASIC}


def test_link_request_rejected_by_the_organizations_admin(client, org_admin, organization, only_entry):
    link_request = pending_applicant(organization, email="new@rossi.test")
    client.force_login(org_admin)
    response = client.post(
        reverse("portal:organization_link_reject", args=[link_request.pk]), {"reason": "We do not know you."},
        REMOTE_ADDR=IP,
    )
    assert response.status_code == 302
    link_request.refresh_from_db()
    assert link_request.state == LinkRequest.State.REJECTED
    entry = only_entry(AuditAction.LINK_REQUEST_REJECT)
    assert_entry(entry, actor=org_admin, target=link_request, organization=organization)
    assert entry.data == {"reason": "We do not know you."}


def _member_url(action, membership):
    return reverse(f"portal:organization_user_{action}", args=[membership.pk])


def test_membership_activated(client, org_admin, restricted_user, organization, only_entry):
    client.force_login(org_admin)
    membership = restricted_user.membership
    response = client.post(_member_url("activate", membership), {"role": Role.MANAGER}, REMOTE_ADDR=IP)
    assert response.status_code == 302
    membership.refresh_from_db()
    entry = only_entry(AuditAction.MEMBERSHIP_ACTIVATE)
    assert_entry(entry, actor=org_admin, target=membership, organization=organization)
    assert entry.data == {"role": Role.MANAGER}


def test_role_change_keeps_old_and_new_role(client, org_admin, customer, organization, only_entry):
    client.force_login(org_admin)
    membership = customer.membership
    response = client.post(_member_url("role", membership), {"role": Role.MANAGER}, REMOTE_ADDR=IP)
    assert response.status_code == 302
    membership.refresh_from_db()
    entry = only_entry(AuditAction.ROLE_CHANGE)
    assert_entry(entry, actor=org_admin, target=membership, organization=organization)
    assert entry.data == {"old_role": Role.BASIC, "new_role": Role.MANAGER}


def test_unchanged_role_records_nothing(client, org_admin, customer):
    client.force_login(org_admin)
    client.post(_member_url("role", customer.membership), {"role": Role.BASIC})
    assert not AuditEntry.objects.filter(action=AuditAction.ROLE_CHANGE).exists()


def test_deactivated_and_reactivated(client, org_admin, customer, organization, only_entry):
    client.force_login(org_admin)
    membership = customer.membership
    assert client.post(_member_url("deactivate", membership), {"confirm": "yes"}, REMOTE_ADDR=IP).status_code == 302
    membership.refresh_from_db()
    assert_entry(only_entry(AuditAction.MEMBERSHIP_DEACTIVATE), actor=org_admin, target=membership,
                 organization=organization)
    assert client.post(_member_url("reactivate", membership), REMOTE_ADDR=IP).status_code == 302
    membership.refresh_from_db()
    assert_entry(only_entry(AuditAction.MEMBERSHIP_REACTIVATE), actor=org_admin, target=membership,
                 organization=organization)


def test_outsider_cannot_change_a_role_and_nothing_is_recorded(client, outsider, customer):
    client.force_login(outsider)
    assert client.post(_member_url("role", customer.membership), {"role": Role.ADMIN}).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditAction.ROLE_CHANGE).exists()


# --- downloads and exports -----------------------------------------------------------------------------------------


def test_attachment_download(client, customer, category, organization, only_entry):
    ticket = ticket_create(author=customer, title="With file", category=category,
                           attachments=[SimpleUploadedFile("befund.pdf", b"%PDF-1.4")])
    attachment = ticket.attachments.get()
    client.force_login(customer)
    response = client.get(reverse("portal:attachment_download", args=[ticket.number, attachment.pk]), REMOTE_ADDR=IP)
    assert response.status_code == 200
    entry = only_entry(AuditAction.ATTACHMENT_DOWNLOAD)
    assert_entry(entry, actor=customer, target=attachment, organization=organization)
    assert entry.data == {"ticket": ticket.number, "file_name": "befund.pdf"}


def test_refused_download_records_nothing(client, outsider, customer, category):
    ticket = ticket_create(author=customer, title="With file", category=category,
                           attachments=[SimpleUploadedFile("befund.pdf", b"%PDF-1.4")])
    client.force_login(outsider)
    url = reverse("portal:attachment_download", args=[ticket.number, ticket.attachments.get().pk])
    assert client.get(url).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditAction.ATTACHMENT_DOWNLOAD).exists()


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_export(client, manager, organization, format, only_entry):
    client.force_login(manager)
    url = reverse("portal:ticket_export", kwargs={"format": format})
    response = client.get(url, {"status": "open", "own": "1", "q": "printer"}, REMOTE_ADDR=IP)
    assert response.status_code == 200
    entry = only_entry(AuditAction.EXPORT)
    assert_entry(entry, actor=manager, organization=organization)
    assert entry.data == {"format": format, "filter": "status=open&own=1&q=printer"}


# --- outside a request ---------------------------------------------------------------------------------------------


def test_outside_a_request_there_is_no_address_and_no_implied_actor(customer):
    entry = audit_record(action=AuditAction.PASSWORD_CHANGE, target=customer)
    assert entry.ip_address is None and entry.actor is None and entry.actor_email == ""


def test_the_entry_outlives_its_actor(customer, organization):
    entry = audit_record(action=AuditAction.PASSWORD_CHANGE, actor=customer, target=customer)
    customer.delete()
    entry.refresh_from_db()
    assert entry.actor is None and entry.actor_email == "customer@rossi.test"
    assert entry.organization == organization


def test_desk_attachment_download_is_audited_too(client, agent, customer, category):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from tessera.audit.models import AuditAction, AuditEntry
    from tessera.tickets.services import ticket_create

    ticket = ticket_create(author=customer, title="With file", category=category,
                           attachments=[SimpleUploadedFile("log.txt", b"line")])
    attachment = ticket.attachments.get()
    client.force_login(agent)
    response = client.get(reverse("desk:ticket_attachment", args=[ticket.number, attachment.pk]),
                          REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.ATTACHMENT_DOWNLOAD)
    assert (entry.actor, entry.ip_address, entry.data["file_name"]) == (agent, "203.0.113.9", "log.txt")
