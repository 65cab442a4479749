"""One way for transactions: services are the unit of work; there is no request-wide transaction.

A view that writes more than once (two services, or a service and a write of
its own) runs them in one ``core.operations.operation()``: when the second
write fails, the first is rolled back with it. The tests make the last step of
each such view fail and look for what the first left behind; take the view's
``operation()`` away and they fail.
"""

import pytest
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import connection
from django.urls import reverse

from tessera.accounts.models import User
from tessera.audit.models import AuditAction, AuditEntry
from tessera.core.operations import operation
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)  # a real autocommit connection, not a test's transaction

NEW_PASSWORD = "Zanzara-lenta-42"


class SecondWriteFailed(Exception):
    pass


def fail(*args, **kwargs):
    raise SecondWriteFailed


def test_no_request_wide_transaction():
    assert not any(database.get("ATOMIC_REQUESTS") for database in settings.DATABASES.values())


def test_a_page_reads_without_a_transaction(client, customer):
    client.force_login(customer)
    in_transaction = []

    def record(execute, sql, params, many, context):
        in_transaction.append(connection.in_atomic_block)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        assert client.get(reverse("portal:home")).status_code == 200
    assert in_transaction and not any(in_transaction)


def test_a_failed_write_in_an_operation_leaves_nothing_behind():
    with pytest.raises(SecondWriteFailed), operation():
        User.objects.create(email="half@example.com", username="half")
        fail()
    assert not User.objects.filter(email="half@example.com").exists()


def test_a_failed_password_change_keeps_the_old_password(client, customer, monkeypatch):
    """The new password and the session's new key (update_session_auth_hash) are one unit of work."""
    client.force_login(customer)
    monkeypatch.setattr("tessera.accounts.views.account.update_session_auth_hash", fail)
    data = {"old_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_repeat": NEW_PASSWORD}
    with pytest.raises(SecondWriteFailed):
        client.post(reverse("accounts:password_change"), data)
    customer.refresh_from_db()
    assert customer.check_password(PASSWORD)
    assert not AuditEntry.objects.filter(action=AuditAction.PASSWORD_CHANGE).exists()


def test_a_failed_login_leaves_no_last_login_and_no_audit_entry(client, customer):
    """Logging in writes the last login, the session and the audit entry together, or nothing."""
    user_logged_in.connect(fail, dispatch_uid="test_transactions.fail")  # after Django's and the audit's receivers
    try:
        with pytest.raises(SecondWriteFailed):
            client.post(reverse("accounts:login"), {"username": customer.email, "password": PASSWORD})
    finally:
        user_logged_in.disconnect(dispatch_uid="test_transactions.fail")
    customer.refresh_from_db()
    assert customer.last_login is None
    assert not AuditEntry.objects.filter(action=AuditAction.LOGIN).exists()


def test_a_failed_first_login_leaves_the_invitation_open(client, agent, organization, deliver, mailoutbox, monkeypatch):
    """Accepting an invitation registers the user and logs them in: both, or neither."""
    from tests.accounts.conftest import link_in

    client.force_login(agent)
    with deliver():
        client.post(reverse("desk:organization_invite", args=[organization.pk]),
                    {"first_name": "Anna", "last_name": "Rossi", "email": "anna@rossi.test"})
    client.logout()
    path = link_in(mailoutbox[-1], "/accounts/invitation/")
    monkeypatch.setattr("tessera.accounts.views.login.login", fail)  # the first login goes through login_or_second_step
    data = {
        "username": "rossi.anna", "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD,
        "security_question": "birth_city", "security_answer": "Bologna",
    }
    with pytest.raises(SecondWriteFailed):
        client.post(path, data)
    invited = User.objects.get(email="anna@rossi.test")
    assert not invited.is_active and not invited.has_usable_password()
    assert client.get(path).status_code == 200  # the link still works
