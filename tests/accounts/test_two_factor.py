"""Two-factor authentication (issue 15, item 3): the services, the login's second step, the requirements.

Codes are computed with django_otp.oath.totp from the device's secret, as an authenticator app would.
"""

import time
from binascii import unhexlify

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tessera.accounts import services as account_services
from tessera.accounts import two_factor
from tessera.accounts.views.login import PENDING_KEY, PENDING_SECONDS
from tessera.audit.models import AuditAction, AuditEntry
from tessera.organizations import services as organization_services
from tessera.organizations.models import Role
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.html import parse

from .conftest import page_text

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:login_verify")
HOME = reverse("portal:home")
SETUP = reverse("accounts:two_factor_setup")
SETTINGS = reverse("accounts:two_factor")
IP = "198.51.100.30"


def code_for(key: str, *, ahead: int = 0) -> str:
    """The code an authenticator app holding ``key`` shows, ``ahead`` time steps from now."""
    return f"{totp(unhexlify(key), drift=ahead):06d}"


def enable(user) -> tuple[str, list[str]]:
    """Turn two-factor authentication on as the set-up page does; returns the secret and the recovery codes."""
    key = two_factor.totp_key_new()
    codes = two_factor.two_factor_enable(user=user, key=key, code=code_for(key))
    return key, codes


def password_step(user, *, client=None, next_url=""):
    browser = client or Client(REMOTE_ADDR=IP)
    data = {"username": user.email, "password": PASSWORD}
    url = f"{LOGIN}?next={next_url}" if next_url else LOGIN
    return browser, browser.post(url, data, REMOTE_ADDR=IP)


def is_signed_in(browser) -> bool:
    return browser.get(reverse("accounts:account")).status_code == 200


def actions_of(user) -> list[str]:
    return list(AuditEntry.objects.filter(target_id=str(user.pk)).order_by("pk").values_list("action", flat=True))


# --- services ---------------------------------------------------------------------------------------------------


def test_a_wrong_code_turns_nothing_on(customer):
    key = two_factor.totp_key_new()
    wrong = f"{(int(code_for(key)) + 1) % 1_000_000:06d}"
    with pytest.raises(ValidationError) as refused:
        two_factor.two_factor_enable(user=customer, key=key, code=wrong)
    assert "code" in refused.value.message_dict
    assert not two_factor.two_factor_enabled(customer)
    assert not TOTPDevice.objects.filter(user=customer).exists()


def test_turning_it_on_keeps_only_hashes_of_the_recovery_codes(customer, deliver, mailoutbox):
    with deliver():
        key, codes = enable(customer)
    assert two_factor.two_factor_enabled(customer)
    assert len(codes) == two_factor.RECOVERY_CODE_COUNT == len(set(codes))
    stored = set(StaticToken.objects.filter(device__user=customer).values_list("token", flat=True))
    assert len(stored) == len(codes)
    assert not stored & {two_factor.normalize_recovery_code(code) for code in codes} and not stored & set(codes)
    assert actions_of(customer) == [AuditAction.TWO_FACTOR_ENABLE]
    [message] = mailoutbox
    assert message.to == [customer.email] and message.subject == "Two-factor authentication is on"


def test_a_code_from_the_app_works_once(customer):
    key, _codes = enable(customer)
    code = code_for(key, ahead=1)
    assert two_factor.second_factor_verify(user=customer, code=code) == "totp"
    assert two_factor.second_factor_verify(user=customer, code=code) is None  # no replay
    assert two_factor.second_factor_verify(user=customer, code=code_for(key)) is None  # nor an older one


def test_a_recovery_code_works_once_and_is_told(customer, deliver, mailoutbox):
    _key, codes = enable(customer)
    with deliver():
        assert two_factor.second_factor_verify(user=customer, code=codes[3].upper().replace("-", " ")) == "recovery"
        assert two_factor.second_factor_verify(user=customer, code=codes[3]) is None
    assert two_factor.recovery_codes_left(customer) == two_factor.RECOVERY_CODE_COUNT - 1
    assert AuditAction.TWO_FACTOR_RECOVERY_CODE_USED in actions_of(customer)
    [message] = [message for message in mailoutbox if message.subject == "A recovery code was used to log in"]
    assert message.to == [customer.email] and "You have 9 codes left." in message.body


def test_new_recovery_codes_replace_the_old_ones(customer):
    key, old = enable(customer)
    with pytest.raises(ValidationError):
        two_factor.recovery_codes_regenerate(user=customer, code="000000")
    new = two_factor.recovery_codes_regenerate(user=customer, code=code_for(key, ahead=1))
    assert not set(new) & set(old)
    assert two_factor.second_factor_verify(user=customer, code=old[0]) is None
    assert two_factor.second_factor_verify(user=customer, code=new[0]) == "recovery"
    assert AuditAction.TWO_FACTOR_RECOVERY_CODES in actions_of(customer)


def test_turning_it_off_needs_a_code_and_is_refused_where_required(customer, organization, deliver, mailoutbox):
    key, _codes = enable(customer)
    organization.require_two_factor = True
    organization.save()
    customer.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        two_factor.two_factor_disable(user=customer, code=code_for(key, ahead=1))
    assert not two_factor.is_wrong_code(refused.value)
    organization.require_two_factor = False
    organization.save()
    customer = type(customer).objects.select_related("membership__organization").get(pk=customer.pk)
    with pytest.raises(ValidationError) as wrong:
        two_factor.two_factor_disable(user=customer, code="123")
    assert two_factor.is_wrong_code(wrong.value)
    with deliver():
        two_factor.two_factor_disable(user=customer, code=code_for(key, ahead=1))
    assert not two_factor.two_factor_enabled(customer)
    assert not StaticToken.objects.filter(device__user=customer).exists()
    assert actions_of(customer)[-1] == AuditAction.TWO_FACTOR_DISABLE
    assert mailoutbox[-1].subject == "Two-factor authentication has been turned off"


def test_a_remembered_device_is_bound_to_the_user_and_forgotten_on_every_change(customer, colleague):
    enable(customer)
    enable(colleague)
    cookie = two_factor.device_remember(user=customer)
    assert two_factor.device_is_remembered(user=customer, cookie=cookie)
    assert not two_factor.device_is_remembered(user=colleague, cookie=cookie)
    assert not two_factor.device_is_remembered(user=customer, cookie=cookie[:-2] + "xx")

    two_factor.remembered_devices_forget(user=customer)
    assert not two_factor.device_is_remembered(user=customer, cookie=cookie)
    assert actions_of(customer)[-2:] == [AuditAction.TWO_FACTOR_DEVICE_REMEMBER, AuditAction.TWO_FACTOR_DEVICES_FORGET]

    cookie = two_factor.device_remember(user=customer)
    account_services.password_change(user=customer, old_password=PASSWORD, new_password="another-horse-8")
    assert not two_factor.device_is_remembered(user=customer, cookie=cookie)


def test_turning_it_off_forgets_remembered_devices(customer):
    key, _codes = enable(customer)
    cookie = two_factor.device_remember(user=customer)
    two_factor.two_factor_disable(user=customer, code=code_for(key, ahead=1))
    enable(customer)
    assert not two_factor.device_is_remembered(user=customer, cookie=cookie)


def test_only_the_organizations_admin_may_require_it(organization, org_admin, customer, outsider):
    from django.core.exceptions import PermissionDenied

    for someone in (customer, outsider):
        with pytest.raises(PermissionDenied):
            organization_services.organization_two_factor_require(
                organization=organization, required=True, changed_by=someone
            )
    organization_services.organization_two_factor_require(
        organization=organization, required=True, changed_by=org_admin
    )
    organization.refresh_from_db()
    assert organization.require_two_factor
    entry = AuditEntry.objects.get(action=AuditAction.ORGANIZATION_TWO_FACTOR)
    assert entry.actor == org_admin and entry.data == {"required": True}


# --- the login's second step ---------------------------------------------------------------------------------------


def test_the_password_alone_does_not_log_in(customer):
    enable(customer)
    browser, response = password_step(customer)
    assert response.status_code == 302 and response["Location"] == VERIFY
    assert not is_signed_in(browser)
    page = browser.get(VERIFY)
    assert page.status_code == 200 and "Authentication code" in page_text(page)


def test_a_wrong_code_is_shown_next_to_the_field_and_the_right_one_logs_in(customer):
    key, _codes = enable(customer)
    browser, _response = password_step(customer, next_url=reverse("portal:ticket_list"))
    wrong = browser.post(VERIFY, {"code": "000000", "remember": ""}, REMOTE_ADDR=IP)
    assert wrong.status_code == 200
    page = parse(wrong)
    assert "The code is not correct." in page.find(id="id_code_error").text
    assert "The code is not correct." in page.find(testid="error-summary").text
    assert page.find("input", id="id_code").attrs.get("aria-invalid") == "true"
    assert not is_signed_in(browser)
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, data__username=customer.email).count() == 1

    right = browser.post(VERIFY, {"code": code_for(key, ahead=1)}, REMOTE_ADDR=IP)
    assert right.status_code == 302 and right["Location"] == reverse("portal:ticket_list")
    assert is_signed_in(browser)
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN, actor=customer).count() == 1


def test_repeated_wrong_codes_lock_the_account_as_wrong_passwords_do(customer, settings, deliver, mailoutbox):
    key, _codes = enable(customer)
    browser, _response = password_step(customer)
    with deliver():
        limit = settings.AXES_FAILURE_LIMIT
        responses = [browser.post(VERIFY, {"code": "000000"}, REMOTE_ADDR=IP) for _ in range(limit)]
    assert [r.status_code for r in responses] == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert "Too many attempts" in page_text(responses[-1])
    # Locked: neither the password step nor a right code gets in, from anywhere.
    _other, again = password_step(customer, client=Client())
    assert again.status_code == 429
    assert browser.post(VERIFY, {"code": code_for(key, ahead=1)}, REMOTE_ADDR=IP).status_code == 302  # back to login
    assert not is_signed_in(browser)
    locked = [message for message in mailoutbox if message.subject == "Your account was locked after failed logins"]
    assert [message.to for message in locked] == [[customer.email]]


def test_a_right_password_does_not_reset_the_count_of_wrong_codes(customer, settings):
    enable(customer)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        browser, _response = password_step(customer)
        browser.post(VERIFY, {"code": "000000"}, REMOTE_ADDR=IP)
    browser, _response = password_step(customer)
    assert browser.post(VERIFY, {"code": "000000"}, REMOTE_ADDR=IP).status_code == 429


def test_a_recovery_code_logs_in_once(customer):
    _key, codes = enable(customer)
    browser, _response = password_step(customer)
    assert browser.post(VERIFY, {"code": codes[0]}, REMOTE_ADDR=IP).status_code == 302
    assert is_signed_in(browser)

    second, _response = password_step(customer)
    reused = second.post(VERIFY, {"code": codes[0]}, REMOTE_ADDR=IP)
    assert reused.status_code == 200 and "The code is not correct." in page_text(reused)
    assert not is_signed_in(second)


def test_a_remembered_device_skips_the_second_step_until_the_password_changes(customer):
    key, _codes = enable(customer)
    browser, _response = password_step(customer)
    response = browser.post(VERIFY, {"code": code_for(key, ahead=1), "remember": "on"}, REMOTE_ADDR=IP)
    cookie = response.cookies[two_factor.REMEMBER_COOKIE]
    assert cookie["httponly"] and cookie["max-age"] == 30 * 24 * 3600
    browser.post(reverse("accounts:logout"))
    assert not is_signed_in(browser)

    _browser, again = password_step(customer, client=browser)
    assert again.status_code == 302 and again["Location"] != VERIFY
    assert is_signed_in(browser)

    new_password = "another-horse-8"
    browser.post(reverse("accounts:password_change"),
                 {"old_password": PASSWORD, "new_password": new_password, "new_password_repeat": new_password})
    browser.post(reverse("accounts:logout"))
    asked = browser.post(LOGIN, {"username": customer.email, "password": "another-horse-8"}, REMOTE_ADDR=IP)
    assert asked["Location"] == VERIFY


def test_another_browser_is_not_remembered(customer):
    key, _codes = enable(customer)
    browser, _response = password_step(customer)
    browser.post(VERIFY, {"code": code_for(key, ahead=1), "remember": "on"}, REMOTE_ADDR=IP)
    _other, response = password_step(customer)
    assert response["Location"] == VERIFY


def test_the_second_step_expires(customer):
    enable(customer)
    browser, _response = password_step(customer)
    session = browser.session
    session[PENDING_KEY] = {**session[PENDING_KEY], "at": time.time() - PENDING_SECONDS - 1}
    session.save()
    response = browser.post(VERIFY, {"code": "000000"}, follow=True, REMOTE_ADDR=IP)
    assert response.redirect_chain[-1][0] == LOGIN
    assert "Your login took too long. Please log in again." in page_text(response)


def test_without_a_password_step_there_is_no_second_step(client):
    assert client.get(VERIFY)["Location"] == LOGIN


# --- setting it up, managing it ---------------------------------------------------------------------------------


def test_set_up_shows_the_qr_code_and_the_key_then_the_recovery_codes_once(client, customer, deliver, mailoutbox):
    client.force_login(customer)
    page = parse(client.get(SETUP))
    assert page.find("img").attrs["src"].startswith("data:image/svg+xml;base64,")
    secret = page.find(testid="totp-secret").text.replace(" ", "")
    key = client.session["_tessera_2fa_setup_key"]
    assert secret == two_factor.totp_secret_for_display(key).replace(" ", "")
    assert parse(client.get(SETUP)).find(testid="totp-secret").text.replace(" ", "") == secret  # a reload keeps it

    wrong = client.post(SETUP, {"code": "12345"})
    assert "The code is not correct." in parse(wrong).find(id="id_code_error").text
    with deliver():
        done = client.post(SETUP, {"code": code_for(key)})
    codes = [item.text for item in parse(done).find(testid="recovery-codes").find_all("code")]
    assert len(codes) == two_factor.RECOVERY_CODE_COUNT
    assert done["Cache-Control"] == "no-store"
    assert two_factor.second_factor_verify(user=customer, code=codes[0]) == "recovery"
    account = parse(client.get(reverse("accounts:account")))
    assert "On" in account.find(testid="two-factor-state").text
    assert client.get(SETUP)["Location"] == SETTINGS


def test_turning_it_off_from_the_page(client, customer):
    key, _codes = enable(customer)
    client.force_login(customer)
    page = parse(client.get(SETTINGS))
    assert "10 recovery codes left" in page.find(testid="codes-left").text
    wrong = client.post(reverse("accounts:two_factor_disable"), {"disable-code": "999999"})
    assert wrong.status_code == 200
    assert "The code is not correct." in parse(wrong).find(id="id_disable-code_error").text
    assert two_factor.two_factor_enabled(customer)
    done = client.post(reverse("accounts:two_factor_disable"), {"disable-code": code_for(key, ahead=1)})
    assert done["Location"] == SETTINGS
    assert not two_factor.two_factor_enabled(customer)


def test_wrong_codes_on_the_settings_page_count_towards_the_lock(client, customer, settings):
    key, _codes = enable(customer)
    client.force_login(customer)
    url = reverse("accounts:two_factor_disable")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert client.post(url, {"disable-code": "999999"}, REMOTE_ADDR=IP).status_code == 200
    locked = client.post(url, {"disable-code": code_for(key, ahead=1)}, REMOTE_ADDR=IP)
    assert "Too many wrong codes. Please wait 15 minutes and try again." in parse(locked).find(
        id="id_disable-code_error").text
    assert two_factor.two_factor_enabled(customer)
    assert password_step(customer)[1].status_code == 429  # the account's login is locked too


def test_new_recovery_codes_from_the_page(client, customer):
    key, old = enable(customer)
    client.force_login(customer)
    response = client.post(reverse("accounts:two_factor_recovery_codes"), {"regenerate-code": code_for(key, ahead=1)})
    codes = [item.text for item in parse(response).find(testid="recovery-codes").find_all("code")]
    assert len(codes) == 10 and not set(codes) & set(old)


def test_forgetting_devices_from_the_page(client, customer):
    enable(customer)
    cookie = two_factor.device_remember(user=customer)
    client.force_login(customer)
    response = client.post(reverse("accounts:two_factor_forget_devices"))
    assert response.cookies[two_factor.REMEMBER_COOKIE].value == ""
    customer.refresh_from_db()
    assert not two_factor.device_is_remembered(user=customer, cookie=cookie)


# --- who must use it -------------------------------------------------------------------------------------------------


def test_an_organization_that_requires_it_leads_its_members_to_set_it_up(client, organization, customer):
    organization.require_two_factor = True
    organization.save()
    browser, response = password_step(customer)
    assert response.status_code == 302
    for url in (HOME, reverse("portal:ticket_list"), reverse("accounts:account"), SETTINGS):
        assert browser.get(url)["Location"] == SETUP, url
    assert browser.get(SETUP).status_code == 200
    key = browser.session["_tessera_2fa_setup_key"]
    browser.post(SETUP, {"code": code_for(key)})
    assert browser.get(HOME).status_code == 200
    assert browser.post(reverse("accounts:logout")).status_code == 302  # logging out was allowed all along


def test_staff_must_set_it_up_when_the_setting_says_so(agent, settings):
    browser, _response = password_step(agent)
    assert browser.get(reverse("desk:home")).status_code == 200
    settings.TESSERA_REQUIRE_2FA_STAFF = True
    assert browser.get(reverse("desk:home"))["Location"] == SETUP
    assert browser.get(reverse("admin:index"))["Location"] == SETUP
    assert "required for your account" in page_text(browser.get(SETUP))


def test_a_member_of_an_organization_that_does_not_require_it_is_not_led(client, customer, other_organization):
    other_organization.require_two_factor = True
    other_organization.save()
    browser, _response = password_step(customer)
    assert browser.get(HOME).status_code == 200


# --- the organization administrator --------------------------------------------------------------------------------


def test_the_admin_sees_who_has_it_and_can_require_it(client, org_admin, customer, colleague, organization):
    enable(customer)
    enable(org_admin)  # requiring it leads the admin too to set it up, if they have not
    client.force_login(org_admin)
    page = parse(client.get(reverse("portal:organization_users")))
    assert page.find(testid=f"two-factor-{customer.membership.pk}").text == "On"
    assert page.find(testid=f"two-factor-{colleague.membership.pk}").text == "Off"

    response = client.post(reverse("portal:organization_two_factor"), {"required": "on"}, follow=True)
    assert "Two-factor authentication is now required for every user of Praxis Rossi." in page_text(response)
    organization.refresh_from_db()
    assert organization.require_two_factor
    client.post(reverse("portal:organization_two_factor"), {})
    organization.refresh_from_db()
    assert not organization.require_two_factor


def test_an_admin_who_requires_it_without_having_it_is_led_to_set_it_up_too(client, org_admin, organization):
    client.force_login(org_admin)
    response = client.post(reverse("portal:organization_two_factor"), {"required": "on"})
    assert response["Location"] == reverse("portal:organization_users")
    assert client.get(reverse("portal:organization_users"))["Location"] == SETUP
    assert client.get(reverse("accounts:language")).status_code == 405  # the language switch stays reachable


@pytest.mark.parametrize("rows", [3, 30])
def test_the_users_page_with_two_factor_column_has_a_constant_query_count(
    client, org_admin, organization, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        enable(MembershipFactory(organization=organization, role=Role.BASIC, user=UserFactory()).user)
    client.force_login(org_admin)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("portal:organization_users"))
    assert response.status_code == 200
    assert page_text(response).count(">On<") == rows
