"""Self-registration in a real browser: register, confirm by the e-mailed link, log in, see the portal."""

import re

import pytest

from .conftest import close_quietly

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

    page.get_by_label("First name").fill("Nadia")
    page.get_by_label("Last name").fill("Nuovo")
    page.get_by_label("E-mail address").fill("nuovo@studio.test")
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()
    # Without the consent the form comes back with the message next to the checkbox and the address kept.
    page.locator(".field-error").get_by_text("Please accept the terms of use and the privacy policy.").wait_for()
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
    assert "Nadia Nuovo" in page.locator(".usermenu summary").inner_text()  # the name, not a bare address
    assert "/accounts/" not in page.url


def test_register_confirm_link_approve_then_report_a_problem(page, browser, mail, live_server):
    """The whole of seed 001's onboarding, with the organization's admin approving in their own browser."""
    from tessera.organizations.models import Role
    from tests.factories import PASSWORD as ADMIN_PASSWORD
    from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

    organization = OrganizationFactory(name="Studio Bianchi", customer_code="300123", postal_code="00184")
    MembershipFactory(organization=organization, role=Role.ADMIN,
                      user=UserFactory(email="capo@bianchi.test", first_name="Carla", last_name="Bianchi"))

    page.goto("/accounts/register/")
    page.get_by_label("First name").fill("Anna")
    page.get_by_label("Last name").fill("Assistente")
    page.get_by_label("E-mail address").fill("assistente@bianchi.test")
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_label("I have read the Terms of use and the Privacy policy and accept them.").check()
    page.get_by_role("button", name="Register").click()
    page.get_by_role("heading", name="Confirm your e-mail address").wait_for()
    link = re.search(r"https?://\S+/accounts/register/confirm/\S+/", mail[-1].body).group(0)
    page.goto(live_server.url + "/" + link.split("/", 3)[3])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Activate").click()
    page.get_by_text("Your account is active.").wait_for()
    page.get_by_label("E-mail or user name").fill("assistente@bianchi.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # First login: customer code and postal code; a wrong pair is refused without saying which part is wrong.
    page.get_by_role("heading", name="Link your account to your organization").wait_for()
    page.get_by_label("Customer code").fill("300123")
    page.get_by_label("Postal code").fill("99999")
    page.get_by_role("button", name="Send").click()
    page.get_by_test_id("link-error").wait_for()
    assert page.get_by_label("Customer code").input_value() == "300123"
    page.get_by_label("Postal code").fill("00184")
    page.get_by_role("button", name="Send").click()
    page.get_by_role("heading", name="Waiting for approval").wait_for()
    assert "usually within 24–48 hours" in page.get_by_role("main").inner_text()
    assert any(message.to == ["capo@bianchi.test"] for message in mail)

    admin_context = browser.new_context(base_url=live_server.url, locale="en-US")
    admin_page = admin_context.new_page()
    admin_page.goto("/accounts/login/")
    admin_page.get_by_label("E-mail or user name").fill("capo@bianchi.test")
    admin_page.get_by_label("Password").fill(ADMIN_PASSWORD)
    admin_page.get_by_role("button", name="Log in").click()
    admin_page.get_by_role("link", name="Users of my organization").click()
    admin_page.get_by_role("button", name="Approve Anna Assistente as Basic user").click()
    admin_page.get_by_text("assistente@bianchi.test").first.wait_for()
    close_quietly(admin_context)
    assert any(message.to == ["assistente@bianchi.test"] and "Studio Bianchi" in message.subject for message in mail)

    page.goto("/")
    page.get_by_role("link", name="Open a ticket").click()
    page.get_by_role("heading", name="Report a problem").wait_for()
