"""Failed logins lock the account, not the practice's network (issue 14, finding 4)."""

from datetime import timedelta

import pytest
from axes.models import AccessFailureLog
from django.test import Client
from django.urls import reverse

from tessera.accounts.models import AccountToken, TokenPurpose
from tests.factories import PASSWORD, MembershipFactory, UserFactory

from .conftest import link_in, page_text

LOGIN = reverse("accounts:login")
PRACTICE_ROUTER = "198.51.100.20"


def log_in(username, password, *, ip=PRACTICE_ROUTER, client=None):
    return (client or Client()).post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def lock(user, settings, *, by=None):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(by or user.email, "wrong-wrong-1")


def test_one_users_failures_do_not_lock_out_the_colleagues_behind_the_same_router(customer, colleague, settings):
    lock(customer, settings)
    assert log_in(colleague.email, PASSWORD).status_code == 302
    locked = log_in(customer.email, PASSWORD)
    assert locked.status_code == 429 and "Too many attempts" in page_text(locked)


def test_the_account_is_locked_from_every_address(customer, settings):
    lock(customer, settings)
    assert log_in(customer.email, PASSWORD, ip="203.0.113.9").status_code == 429


def test_naming_the_account_two_ways_counts_as_one_account(customer, settings):
    customer.username = "rossi.maria"
    customer.save(update_fields=["username"])
    limit = settings.AXES_FAILURE_LIMIT
    for attempt in range(limit):
        log_in(customer.email.upper() if attempt % 2 else "Rossi.Maria", "wrong-wrong-1")
    assert log_in(customer.email, PASSWORD).status_code == 429


def test_the_owner_of_a_locked_account_gets_one_unlock_link_that_works(customer, settings, deliver, mailoutbox):
    with deliver():
        lock(customer, settings)
        log_in(customer.email, "wrong-wrong-1")  # refused tries while locked send nothing more
        log_in(customer.email, PASSWORD)
    [message] = mailoutbox
    assert message.to == [customer.email]
    assert message.subject == "Your account was locked after failed logins"
    path = link_in(message, "/accounts/unlock/")

    owner = Client()
    page = owner.get(path)
    assert page.status_code == 200 and "Unlock my account" in page_text(page)
    assert log_in(customer.email, PASSWORD).status_code == 429  # opening the link alone changes nothing
    response = owner.post(path, follow=True)
    assert "Your account is unlocked. You can log in again." in page_text(response)
    assert log_in(customer.email, PASSWORD, client=owner).status_code == 302
    assert owner.post(path).status_code == 410  # the link works once
    assert AccountToken.objects.get(purpose=TokenPurpose.UNLOCK).used_at is not None


def test_no_unlock_mail_for_a_name_that_is_no_account(db, settings, deliver, mailoutbox):
    with deliver():
        for _ in range(settings.AXES_FAILURE_LIMIT + 1):
            log_in("nobody@rossi.test", "wrong-wrong-1")
    assert mailoutbox == []


def test_a_network_with_many_failures_is_slowed_down_not_locked_out(organization, settings):
    settings.TESSERA_LOGIN_NETWORK_DELAY_AFTER = 3
    users = [MembershipFactory(organization=organization, user=UserFactory(email=f"u{n}@rossi.test")).user
             for n in range(4)]
    for user in users[:3]:
        log_in(user.email, "wrong-wrong-1")  # three different accounts, one failure each
    waiting = log_in(users[3].email, PASSWORD)
    assert waiting.status_code == 429
    assert "Too many failed logins from your network. Please wait 1 second and try again." in page_text(waiting)
    assert log_in(users[3].email, PASSWORD, ip="203.0.113.9").status_code == 302  # other networks: as usual

    AccessFailureLog.objects.update(attempt_time=AccessFailureLog.objects.latest("attempt_time").attempt_time
                                    - timedelta(seconds=2))
    assert log_in(users[3].email, PASSWORD).status_code == 302  # after the wait, the same network logs in


def _failures_from_the_router(count):
    AccessFailureLog.objects.bulk_create(
        AccessFailureLog(username=f"guess{n}@rossi.test", ip_address=PRACTICE_ROUTER, user_agent="", http_accept="",
                         path_info=LOGIN)
        for n in range(count)
    )


@pytest.mark.parametrize(("failures", "wait"), [(3, "2 seconds"), (4, "4 seconds"), (5, "8 seconds")])
def test_each_further_failure_from_the_network_doubles_the_wait(customer, settings, failures, wait):
    settings.TESSERA_LOGIN_NETWORK_DELAY_AFTER = 2
    _failures_from_the_router(failures)
    response = log_in(customer.email, PASSWORD)
    assert response.status_code == 429
    assert f"Too many failed logins from your network. Please wait {wait} and try again." in page_text(response)


def test_at_the_network_limit_it_waits_out_the_cool_off(customer, settings):
    settings.TESSERA_LOGIN_NETWORK_FAILURE_LIMIT = 100
    _failures_from_the_router(100)
    response = log_in(customer.email, PASSWORD)
    assert response.status_code == 429
    assert "Please wait 15 minutes and try again." in page_text(response)
