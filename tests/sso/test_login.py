"""Logging in through a real OpenID provider (tests/oidc_provider, django-oauth-toolkit) on loopback.

The provider runs in its own process; Tessera's side runs in the test client, and talks to the provider over
HTTP as in production (discovery, token, keys, user info). The browser's part at the provider is ProviderAgent.
"""

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.urls import reverse

from tessera.accounts.models import User
from tessera.organizations.models import LinkRequest, Membership
from tessera.sso.models import SsoIdentity
from tests.factories import PASSWORD as LOCAL_PASSWORD

from .oidc import ProviderAgent, closed_port_url

pytestmark = pytest.mark.django_db


def start(client, provider: str = "cgm") -> str:
    response = client.get(reverse("sso:login", args=[provider]))
    assert response.status_code == 302, response.content
    return response["Location"]


def back_to_tessera(client, callback_url: str):
    parts = urlsplit(callback_url)
    assert parts.netloc == "testserver" and parts.path == reverse("sso:callback")
    return client.get(f"{parts.path}?{parts.query}")


def sso_login(client, provider, email: str):
    agent = ProviderAgent(provider)
    return back_to_tessera(client, agent.authorize(start(client), email=email))


def logged_in_as(client) -> str | None:
    response = client.get(reverse("accounts:account"))
    if response.status_code != 200:
        return None
    return response.wsgi_request.user.email


def error_text(response) -> str:
    return response.content.decode()


def test_the_login_page_offers_the_provider(client, cgm):
    response = client.get(reverse("accounts:login"))
    assert 'data-testid="sso-login-cgm"' in response.content.decode()
    assert "Log in with CGM Life" in response.content.decode()


def test_the_authorization_request_uses_pkce_state_and_nonce(client, cgm):
    query = parse_qs(urlsplit(start(client)).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert query["scope"] == ["openid email profile"]


def test_a_first_login_with_a_verified_address_makes_an_unlinked_account_that_links_as_seed_001(
    client, cgm, organization
):
    response = sso_login(client, cgm, "anna@praxis-bianchi.test")
    assert response.status_code == 302
    user = User.objects.get(email="anna@praxis-bianchi.test")
    assert (user.first_name, user.last_name, user.is_active) == ("Anna", "Bianchi", True)
    assert not user.has_usable_password() and user.email_verified_at is not None
    assert not Membership.objects.filter(user=user).exists()
    assert SsoIdentity.objects.get(user=user).provider == "cgm"
    # The portal asks for customer code and postal code, then the request waits for approval.
    home = client.get(reverse("portal:home"))
    assert home.status_code == 302 and home["Location"] == reverse("portal:link")
    client.post(reverse("portal:link"), {"customer_code": "100001", "postal_code": "20121"})
    assert LinkRequest.objects.get(user=user).state == LinkRequest.State.PENDING
    assert "Waiting for approval" in client.get(reverse("portal:link")).content.decode()


def test_the_next_login_finds_the_account_by_the_providers_subject(client, cgm):
    sso_login(client, cgm, "anna@praxis-bianchi.test")
    client.logout()
    assert sso_login(client, cgm, "anna@praxis-bianchi.test").status_code == 302
    assert User.objects.filter(email="anna@praxis-bianchi.test").count() == 1
    assert logged_in_as(client) == "anna@praxis-bianchi.test"


@pytest.mark.parametrize("email", ["unverified@praxis.test", "silent@praxis.test"])
def test_an_address_the_provider_has_not_verified_is_refused(client, cgm, email):
    response = sso_login(client, cgm, email)
    assert response.status_code == 403
    assert "has not confirmed your e-mail address" in error_text(response)
    assert not User.objects.filter(email=email).exists()
    assert logged_in_as(client) is None


def test_a_wrong_state_is_refused(client, cgm):
    callback = ProviderAgent(cgm).authorize(start(client), email="anna@praxis-bianchi.test")
    forged = callback.replace("state=", "state=x")
    response = back_to_tessera(client, forged)
    assert response.status_code == 400
    assert "could not be completed" in error_text(response)
    assert logged_in_as(client) is None and not User.objects.filter(email="anna@praxis-bianchi.test").exists()


def test_a_login_started_in_another_browser_is_refused(client, cgm, django_user_model):
    from django.test import Client

    callback = ProviderAgent(cgm).authorize(start(Client()), email="anna@praxis-bianchi.test")
    response = back_to_tessera(client, callback)
    assert response.status_code == 400
    assert logged_in_as(client) is None


def test_a_replayed_code_is_refused(client, cgm):
    agent = ProviderAgent(cgm)
    callback = agent.authorize(start(client), email="anna@praxis-bianchi.test")
    assert back_to_tessera(client, callback).status_code == 302
    client.logout()
    # The same answer again: its state is spent.
    assert back_to_tessera(client, callback).status_code == 400
    # The same code with a fresh state of this session: the provider refuses the spent code.
    fresh_state = parse_qs(urlsplit(start(client)).query)["state"][0]
    code = parse_qs(urlsplit(callback).query)["code"][0]
    replayed = f"http://testserver{reverse('sso:callback')}?{urlencode({'code': code, 'state': fresh_state})}"
    response = back_to_tessera(client, replayed)
    assert response.status_code == 400
    assert "did not accept this login" in error_text(response)
    assert logged_in_as(client) is None


def test_a_wrong_nonce_is_refused(client, cgm):
    authorize_url = start(client)
    parts = urlsplit(authorize_url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    query["nonce"] = "a-nonce-this-session-never-sent"
    injected = f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode(query)}"
    response = back_to_tessera(client, ProviderAgent(cgm).authorize(injected, email="anna@praxis-bianchi.test"))
    assert response.status_code == 400
    assert "could not be verified" in error_text(response)
    assert logged_in_as(client) is None and not User.objects.filter(email="anna@praxis-bianchi.test").exists()


def test_a_provider_that_is_down_gets_a_clear_page_and_the_local_login_still_works(client, settings, customer):
    settings.TESSERA_OIDC_PROVIDERS = [
        {"name": "cgm", "issuer": closed_port_url(), "client_id": "x", "client_secret": "y",
         "scopes": "openid email", "label": "Log in with CGM Life", "logo": "", "audience": "customers"}
    ]
    response = client.get(reverse("sso:login", args=["cgm"]))
    assert response.status_code == 503
    assert "CGM Life cannot be reached at the moment" in error_text(response)
    assert reverse("accounts:login") in error_text(response)
    login_page = client.get(reverse("accounts:login"))
    assert "Log in with CGM Life" in login_page.content.decode()
    response = client.post(reverse("accounts:login"), {"username": customer.email, "password": LOCAL_PASSWORD})
    assert response.status_code == 302
    assert logged_in_as(client) == customer.email


def test_an_existing_account_is_not_taken_over_and_links_after_its_password(client, cgm, customer, mailoutbox, deliver):
    response = sso_login(client, cgm, "customer@rossi.test")
    assert response.status_code == 302 and response["Location"] == reverse("sso:link")
    assert logged_in_as(client) is None and not SsoIdentity.objects.exists()
    wrong = client.post(reverse("sso:link"), {"password": "not-the-password"})
    assert wrong.status_code == 400 and "not the password" in wrong.content.decode()
    assert not SsoIdentity.objects.exists() and logged_in_as(client) is None
    with deliver():
        right = client.post(reverse("sso:link"), {"password": LOCAL_PASSWORD})
    assert right.status_code == 302
    assert logged_in_as(client) == "customer@rossi.test"
    assert SsoIdentity.objects.get().user == customer
    assert [message.subject for message in mailoutbox] == ["A login was linked to your account"]
    # From now on the provider logs in at once.
    client.logout()
    assert sso_login(client, cgm, "customer@rossi.test").status_code == 302
    assert logged_in_as(client) == "customer@rossi.test"


def test_an_existing_account_links_through_a_link_sent_to_its_address(client, cgm, customer, mailoutbox, deliver):
    sso_login(client, cgm, "customer@rossi.test")
    with deliver():
        sent = client.post(reverse("sso:link_email"))
    assert "We have sent a link to customer@rossi.test" in sent.content.decode()
    message = mailoutbox[0]
    assert message.to == ["customer@rossi.test"]
    link = next(word for word in message.body.split() if "/accounts/sso/link/" in word)
    path = urlsplit(link).path
    assert client.get(path).status_code == 200 and not SsoIdentity.objects.exists()  # a GET changes nothing
    assert "Your account is linked" in client.post(path).content.decode()
    assert SsoIdentity.objects.get().user == customer
    assert sso_login(client, cgm, "customer@rossi.test").status_code == 302
    assert logged_in_as(client) == "customer@rossi.test"


def test_a_forged_link_does_nothing(client, cgm, customer):
    response = client.post(reverse("sso:link_confirm", args=["forged-token"]))
    assert response.status_code == 410 and not SsoIdentity.objects.exists()


def test_staff_cannot_log_in_through_the_customers_provider(client, cgm, agent):
    response = sso_login(client, cgm, "agent@vendor.test")
    assert response.status_code == 403 and "Vendor staff log in" in error_text(response)
    assert logged_in_as(client) is None


def test_a_staff_provider_links_staff_and_makes_no_account(client, settings, oidc_provider, agent):
    settings.TESSERA_OIDC_PROVIDERS = [oidc_provider.settings_entry("staff", audience="staff", label="Staff login")]
    agent_response = back_to_tessera(
        client, ProviderAgent(oidc_provider).authorize(start(client, "staff"), email="agent@vendor.test")
    )
    assert agent_response["Location"] == reverse("sso:link")
    other = client.__class__()
    refused = back_to_tessera(
        other, ProviderAgent(oidc_provider).authorize(start(other, "staff"), email="anna@praxis-bianchi.test")
    )
    assert refused.status_code == 403 and "no staff account" in error_text(refused)
    assert not User.objects.filter(email="anna@praxis-bianchi.test").exists()


def test_logging_out_ends_the_session_at_the_provider(client, cgm):
    agent = ProviderAgent(cgm)
    back_to_tessera(client, agent.authorize(start(client), email="anna@praxis-bianchi.test"))
    response = client.post(reverse("sso:logout"))
    assert response.status_code == 200 and logged_in_as(client) is None
    end_session = response.context["end_session"]
    assert end_session.startswith(f"{cgm.issuer}/logout/") and "id_token_hint=" in end_session
    at_provider = agent.session.get(end_session, allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302 and at_provider.headers["Location"] == "http://testserver/accounts/login/"
    # The provider asks for the password again.
    again = agent.session.get(start(client), allow_redirects=False, timeout=10)
    assert again.status_code == 302 and "/accounts/login/" in again.headers["Location"]


def test_a_local_logout_goes_to_the_login_page(client, customer):
    client.force_login(customer)
    response = client.post(reverse("sso:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert logged_in_as(client) is None


def test_local_login_can_be_switched_off_for_customers(client, settings, cgm, customer, agent):
    settings.TESSERA_LOCAL_LOGIN_CUSTOMERS = False
    refused = client.post(reverse("accounts:login"), {"username": customer.email, "password": LOCAL_PASSWORD})
    assert refused.status_code == 200 and "logging in with a password is for the vendor" in refused.content.decode()
    assert logged_in_as(client) is None
    staff = client.post(reverse("accounts:login"), {"username": agent.email, "password": LOCAL_PASSWORD})
    assert staff.status_code == 302


def test_with_local_login_off_customers_do_not_register_here(client, settings, cgm):
    settings.TESSERA_LOCAL_LOGIN_CUSTOMERS = False
    page = client.get(reverse("accounts:login")).content.decode()
    assert reverse("accounts:register") not in page and "Vendor staff: with your e-mail address" in page
    assert client.get(reverse("accounts:register")).status_code == 404


def test_a_provider_is_configured_with_a_known_audience_and_https(settings, oidc_provider):
    from django.core.exceptions import ImproperlyConfigured

    from tessera.sso.providers import providers

    settings.TESSERA_OIDC_PROVIDERS = [{**oidc_provider.settings_entry(), "audience": "everyone"}]
    with pytest.raises(ImproperlyConfigured):
        providers()
    settings.TESSERA_OIDC_PROVIDERS = [{**oidc_provider.settings_entry(), "issuer": "http://id.example.com"}]
    with pytest.raises(ImproperlyConfigured):
        providers()


def test_a_provider_login_still_asks_for_the_second_factor_when_it_is_on(client, cgm, customer, deliver):
    from binascii import unhexlify

    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=customer, name="phone", confirmed=True)
    sso_login(client, cgm, "customer@rossi.test")
    with deliver():
        response = client.post(reverse("sso:link"), {"password": LOCAL_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login_verify")
    assert logged_in_as(client) is None  # not before the code
    client.post(reverse("accounts:login_verify"), {"code": f"{totp(unhexlify(device.key)):06d}"})
    assert logged_in_as(client) == "customer@rossi.test"
    # Linked now: the next login through the provider asks for the code too.
    client.logout()
    response = sso_login(client, cgm, "customer@rossi.test")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login_verify")
    assert logged_in_as(client) is None
