"""Where a user is signed in (issue 15, item 4): the list, ending sessions, and what ends them at once."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tessera.accounts.models import UserSession
from tessera.accounts.sessions import SEEN_KEY, device_name
from tessera.organizations import services as organization_services
from tests.factories import PASSWORD
from tests.html import parse

LOGIN = reverse("accounts:login")
SESSIONS = reverse("accounts:sessions")
HOME = reverse("portal:home")
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile/15E148"
          " Safari/604.1")


def signed_in(user, user_agent=FIREFOX, ip="203.0.113.7") -> Client:
    browser = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=ip)
    response = browser.post(LOGIN, {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return browser


def is_signed_in(browser: Client) -> bool:
    response = browser.get(HOME)
    return response.status_code == 200


@pytest.mark.parametrize(
    ("user_agent", "device"),
    [(FIREFOX, "Firefox on Windows"), (SAFARI, "Safari on iPhone"),
     ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36", "Chrome on Linux"),
     ("curl/8.5", "Unknown device")],
)
def test_devices_are_named_as_people_know_them(user_agent, device):
    assert device_name(user_agent) == device


def test_the_list_shows_each_session_with_device_address_and_this_device_first(customer):
    phone = signed_in(customer, SAFARI, "198.51.100.4")
    desktop = signed_in(customer, FIREFOX, "203.0.113.7")

    rows = [row.text for row in parse(desktop.get(SESSIONS)).find_all(testid_prefix="session-")]
    assert len(rows) == 2
    assert "Firefox on Windows" in rows[0] and "This device" in rows[0] and "203.0.113.7" in rows[0]
    assert "Safari on iPhone" in rows[1] and "198.51.100.4" in rows[1]
    assert "This device" not in rows[1]
    assert is_signed_in(phone)


def test_ending_a_session_signs_that_device_out_at_once(customer):
    phone = signed_in(customer, SAFARI)
    desktop = signed_in(customer, FIREFOX)
    phone_session = UserSession.objects.get(user_agent=SAFARI)

    response = desktop.post(reverse("accounts:session_end", args=[phone_session.pk]), follow=True)

    assert "The session has been ended" in response.content.decode()
    assert not Session.objects.filter(session_key=phone_session.session_key).exists()
    assert not is_signed_in(phone)
    assert is_signed_in(desktop)


def test_sign_out_everywhere_else_keeps_only_this_device(customer):
    others = [signed_in(customer, SAFARI), signed_in(customer, FIREFOX)]
    here = signed_in(customer, FIREFOX, "192.0.2.1")

    response = here.post(reverse("accounts:sessions_end_others"), follow=True)

    assert "2 other sessions have been ended." in response.content.decode()
    assert [is_signed_in(browser) for browser in others] == [False, False]
    assert is_signed_in(here)
    assert UserSession.objects.filter(user=customer).count() == 1


def test_nobody_ends_or_sees_another_users_session(customer, colleague):
    victim = signed_in(customer)
    attacker = signed_in(colleague)
    victims_session = UserSession.objects.get(user=customer)

    attacker.post(reverse("accounts:session_end", args=[victims_session.pk]))

    assert is_signed_in(victim)
    listed = parse(attacker.get(SESSIONS)).find_all(testid_prefix="session-")
    assert [row.testid for row in listed] == [f"session-{UserSession.objects.get(user=colleague).pk}"]


def test_changing_the_password_ends_every_other_session_at_once(customer):
    other = signed_in(customer, SAFARI)
    here = signed_in(customer, FIREFOX)
    others_key = UserSession.objects.get(user_agent=SAFARI).session_key

    response = here.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password": "another-horse-8", "new_password_repeat": "another-horse-8",
    })

    assert response.status_code == 302
    assert not Session.objects.filter(session_key=others_key).exists()
    assert not is_signed_in(other)
    assert is_signed_in(here)
    # This session got a new key with the password: it is listed under that key.
    assert [row.user_agent for row in UserSession.objects.filter(user=customer)] == [FIREFOX]
    assert UserSession.objects.get(user=customer).session_key == here.session.session_key


def test_deactivating_a_membership_ends_the_members_sessions(customer, org_admin):
    browser = signed_in(customer)
    organization_services.membership_deactivate(membership=customer.membership, deactivated_by=org_admin)

    assert not UserSession.objects.filter(user=customer).exists()
    assert browser.get(HOME).status_code == 302


def test_deactivating_a_user_ends_their_sessions(customer):
    browser = signed_in(customer)
    customer.is_active = False
    customer.save()

    assert not UserSession.objects.filter(user=customer).exists()
    assert browser.get(HOME).status_code == 302


def test_logging_out_forgets_the_session(customer):
    browser = signed_in(customer)
    browser.post(reverse("accounts:logout"))
    assert not UserSession.objects.exists()


def test_last_use_is_written_at_most_every_few_minutes(customer):
    browser = signed_in(customer)
    record = UserSession.objects.get()
    browser.get(HOME)
    assert UserSession.objects.get().last_seen_at == record.last_seen_at  # not due: nothing written

    session = browser.session
    session[SEEN_KEY] = (timezone.now() - timedelta(minutes=6)).isoformat()
    session.save()
    browser.get(HOME)
    assert UserSession.objects.get().last_seen_at > record.last_seen_at


def test_sessions_from_before_the_list_existed_appear_on_their_next_request(customer):
    browser = Client(HTTP_USER_AGENT=FIREFOX)
    browser.force_login(customer)
    UserSession.objects.all().delete()
    session = browser.session
    del session[SEEN_KEY]
    session.save()

    browser.get(HOME)

    assert UserSession.objects.get().user_agent == FIREFOX


def test_the_account_page_leads_to_the_sessions(client, customer):
    client.force_login(customer)
    link = parse(client.get(reverse("accounts:account"))).find(testid="sessions-link")
    assert link.get("href") == SESSIONS and link.text == "Where you are signed in"
