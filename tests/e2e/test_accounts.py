"""Self-registration in a real browser: register, confirm by the e-mailed link, log in, see the portal."""

import re

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Gatto-nero-2024"
PASSWORD_LABEL = re.compile(r"^Password\W*$")  # not "Repeat password"


@pytest.fixture
def mail(settings, mailoutbox):
    # The live server sends at once (on_commit runs in transactional tests) into the locmem outbox.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return mailoutbox


def test_self_register_confirm_and_log_in(page, mail, live_server):
    page.goto("/accounts/login/")
    page.get_by_role("main").get_by_role("link", name="Register").click()

    page.get_by_label("E-mail address").fill("nuovo@studio.test")
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()
    # Without the consent the form comes back with the message next to the checkbox and the address kept.
    page.get_by_text("Please accept the terms of use and the privacy policy.").wait_for()
    assert page.get_by_label("E-mail address").input_value() == "nuovo@studio.test"
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_label("I have read the Terms of use and the Privacy policy and accept them.").check()
    page.get_by_role("button", name="Register").click()

    page.get_by_role("heading", name="Confirm your e-mail address").wait_for()
    assert "nuovo@studio.test" in page.get_by_role("main").inner_text()
    assert page.get_by_role("button", name="Send the e-mail again").is_visible()

    [message] = mail
    assert message.to == ["nuovo@studio.test"]
    link = re.search(r"https?://\S+/accounts/register/confirm/\S+/", message.body).group(0)
    page.goto(live_server.url + "/" + link.split("/", 3)[3])

    page.get_by_role("heading", name="Activate your account").wait_for()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Activate").click()

    page.get_by_text("Your account is active.").wait_for()
    page.get_by_label("E-mail or user name").fill("nuovo@studio.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # Logged in: the portal's home (which, with no organization yet, starts the first-login linking).
    page.locator(".usermenu summary").wait_for()
    assert "nuovo@studio.test" in page.locator(".usermenu summary").inner_text()
    assert "/accounts/" not in page.url
