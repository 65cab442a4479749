"""Two-factor authentication in a real browser: turn it on by the key shown on the page, log out, log in with a
computed code, then with a recovery code, which works only once.

The codes are computed as an authenticator app does, with django_otp.oath.totp from the key the page shows.
"""

import base64

import pytest
from django_otp.oath import totp

from tessera.organizations.models import Role
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory

from .axe import blocking_violations
from .conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def code_from(secret: str, *, ahead: int = 0) -> str:
    """What the app shows for the key typed from the page (base32, in groups), ``ahead`` time steps from now."""
    raw = secret.replace(" ", "")
    key = base64.b32decode(raw + "=" * (-len(raw) % 8))
    return f"{totp(key, drift=ahead):06d}"


def log_out(page):
    page.locator(".usermenu summary").click()
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("heading", name="Log in").wait_for()


def password_step(page, email):
    page.get_by_label("E-mail or user name").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Two-factor authentication").wait_for()


@pytest.fixture
def anna(settings, mailoutbox):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    organization = OrganizationFactory(name="Praxis Rossi", customer_code="100001")
    return MembershipFactory(
        organization=organization, role=Role.BASIC,
        user=UserFactory(email="anna@rossi.test", first_name="Anna", last_name="Rossi"),
    ).user


def test_turn_on_log_in_with_a_code_and_with_a_recovery_code(page, anna, mailoutbox):
    log_in(page, anna.email, "/accounts/")
    page.get_by_role("link", name="Turn on two-factor authentication").click()
    page.get_by_role("heading", name="Set up two-factor authentication").wait_for()
    assert page.get_by_role("img", name="QR code to scan with your authenticator app").is_visible()
    assert blocking_violations(page) == []
    secret = page.get_by_test_id("totp-secret").inner_text()

    # A wrong code first: the message next to the field, the page otherwise as it was.
    page.get_by_label("Code from the app").fill("000000" if code_from(secret) != "000000" else "111111")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    page.locator(".field-error").get_by_text("The code is not correct.").wait_for()
    assert page.get_by_test_id("totp-secret").inner_text() == secret

    page.get_by_label("Code from the app").fill(code_from(secret))
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    codes = [item.strip() for item in page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()]
    assert len(codes) == 10
    assert blocking_violations(page) == []
    assert "Two-factor authentication is on" in [message.subject for message in mailoutbox]

    log_out(page)
    password_step(page, anna.email)
    assert blocking_violations(page) == []
    page.get_by_label("Authentication code").fill(code_from(secret, ahead=1))  # a step on: the set-up code is spent
    page.get_by_role("button", name="Verify").click()
    page.locator(".usermenu summary").wait_for()
    assert "Anna Rossi" in page.locator(".usermenu summary").inner_text()
    page.goto("/accounts/two-factor/")
    assert page.get_by_test_id("codes-left").inner_text() == "You have 10 recovery codes left."
    assert blocking_violations(page) == []

    log_out(page)
    password_step(page, anna.email)
    page.get_by_label("Authentication code").fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    page.locator(".usermenu summary").wait_for()
    assert "A recovery code was used to log in" in [message.subject for message in mailoutbox]

    log_out(page)
    password_step(page, anna.email)
    page.get_by_label("Authentication code").fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    page.locator(".field-error").get_by_text("The code is not correct.").wait_for()
    assert page.locator(".usermenu summary").count() == 0
