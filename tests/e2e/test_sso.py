"""Seed 001 in Chromium, with single sign-on: create the ID at the provider and confirm the e-mail there,
"Log in with CGM Life" in the portal, customer code and postal code, the wait, the organization's administrator
approves, report a problem; logging out ends the session at the provider too.

The provider is the test OpenID provider (tests/oidc_provider) in its own process on 127.0.0.1.
"""

import pytest
from django.core.cache import cache

from tessera.organizations.models import Role
from tessera.tickets.models import Ticket
from tests.factories import (
    PASSWORD,
    CategoryFactory,
    MembershipFactory,
    OrganizationFactory,
    ServiceTeamFactory,
    UserFactory,
)
from tests.sso.oidc import closed_port_url, start_provider

from .axe import blocking_violations
from .conftest import SCREENSHOTS, close_quietly

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PROVIDER_PASSWORD = "Cgm-Life-2024!"


@pytest.fixture(scope="module")
def provider(live_server, tmp_path_factory):
    started = start_provider(tmp_path_factory.mktemp("oidc_provider_e2e"), sites=(live_server.url,))
    yield started
    started.process.terminate()
    started.process.wait(timeout=10)


@pytest.fixture
def cgm(settings, provider):
    settings.TESSERA_OIDC_PROVIDERS = [provider.settings_entry()]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()
    yield provider
    cache.clear()


def shot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"sso-{name}.png"), full_page=True)


def test_seed_001_with_single_sign_on(page, browser, live_server, cgm, mailoutbox):
    organization = OrganizationFactory(name="Studio Bianchi", customer_code="300123", postal_code="00184")
    MembershipFactory(organization=organization, role=Role.ADMIN,
                      user=UserFactory(email="capo@bianchi.test", first_name="Carla", last_name="Bianchi"))
    team = ServiceTeamFactory(name="Dental support")
    CategoryFactory(name="Imaging", service_team=team)

    # Create the ID at the provider, from its login page, and confirm the e-mail address there.
    page.goto("/accounts/login/")
    shot(page, "login")
    assert blocking_violations(page) == []
    page.get_by_role("link", name="Log in with CGM Life").click()
    page.get_by_role("heading", name="Test ID: log in").wait_for()
    assert page.url.startswith(cgm.issuer.removesuffix("/o"))
    page.get_by_role("link", name="Create a Test ID").click()
    page.get_by_label("E-mail address").fill("assistente@bianchi.test")
    page.get_by_label("First name").fill("Anna")
    page.get_by_label("Last name").fill("Assistente")
    page.get_by_label("Password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Register").click()
    page.get_by_test_id("confirm-link").click()
    page.get_by_role("heading", name="Your Test ID is active").wait_for()

    # "Log in with CGM Life" in the portal: the provider asks for the password, then the portal asks for
    # customer code and postal code.
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Log in with CGM Life").click()
    page.get_by_label("E-mail address").fill("assistente@bianchi.test")
    page.get_by_label("Password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Link your account to your organization").wait_for()
    assert page.url.startswith(live_server.url)
    page.get_by_label("Customer code").fill("300123")
    page.get_by_label("Postal code").fill("00184")
    page.get_by_role("button", name="Send").click()
    page.get_by_role("heading", name="Waiting for approval").wait_for()
    shot(page, "waiting")
    assert any(message.to == ["capo@bianchi.test"] for message in mailoutbox)

    # The organization's administrator approves, in a browser of their own.
    admin_context = browser.new_context(base_url=live_server.url, locale="en-US")
    admin_page = admin_context.new_page()
    admin_page.goto("/accounts/login/")
    admin_page.get_by_label("E-mail or user name").fill("capo@bianchi.test")
    admin_page.get_by_label("Password").fill(PASSWORD)
    admin_page.get_by_role("button", name="Log in", exact=True).click()
    admin_page.get_by_role("link", name="Users of my organization").click()
    admin_page.get_by_role("button", name="Approve Anna Assistente as Basic user").click()
    admin_page.get_by_text("assistente@bianchi.test").first.wait_for()
    close_quietly(admin_context)

    # Report a problem.
    page.goto("/")
    page.get_by_role("link", name="Open a ticket").click()
    page.get_by_role("heading", name="Report a problem").wait_for()
    page.get_by_label("Title").fill("X-ray sensor not found")
    with page.expect_response(lambda response: "/tickets/new/categories/" in response.url):
        page.get_by_label("Category 1").select_option(label="Imaging")
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    page.get_by_label("Description").fill("Since the update the sensor is not detected.")
    page.get_by_role("button", name="Submit").click()
    page.get_by_text("has been created and sent to Dental support").wait_for()
    assert Ticket.objects.get().created_by.email == "assistente@bianchi.test"

    # Logging out ends the session at the provider too: the next login asks for the password again.
    page.get_by_test_id("usermenu").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Log in with CGM Life").click()
    page.get_by_role("heading", name="Test ID: log in").wait_for()


def test_provider_down_page_is_clear_and_accessible(page, settings, live_server):
    settings.TESSERA_OIDC_PROVIDERS = [
        {"name": "cgm", "issuer": closed_port_url(), "client_id": "x", "client_secret": "y",
         "scopes": "openid email", "label": "Log in with CGM Life", "logo": "", "audience": "customers"}
    ]
    cache.clear()
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Log in with CGM Life").click()
    page.get_by_test_id("sso-error").get_by_text("CGM Life cannot be reached at the moment").wait_for()
    shot(page, "provider-down")
    assert blocking_violations(page) == []
    page.get_by_role("link", name="Back to the login page").click()
    page.get_by_label("E-mail or user name").wait_for()


def test_an_existing_account_is_linked_only_after_its_password(page, live_server, cgm):
    """The provider's customer@rossi.test has an account here already: the provider alone does not open it."""
    organization = OrganizationFactory(name="Praxis Rossi")
    MembershipFactory(organization=organization, role=Role.BASIC,
                      user=UserFactory(email="customer@rossi.test", first_name="Carla", last_name="Rossi"))
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Log in with CGM Life").click()
    page.get_by_label("E-mail address").fill("customer@rossi.test")
    page.get_by_label("Password").fill("provider-password-1")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Link your account").wait_for()
    page.get_by_label("Your password in this portal").fill("wrong-password")
    page.get_by_role("button", name="Link with my password").click()
    page.get_by_text("This is not the password of your account in this portal.").first.wait_for()
    shot(page, "link")
    assert blocking_violations(page) == []
    page.get_by_label("Your password in this portal").fill(PASSWORD)
    page.get_by_role("button", name="Link with my password").click()
    page.get_by_role("link", name="Open a ticket").wait_for()
