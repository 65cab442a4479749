"""Seed 001's registration: e-mail, password and consent; a confirmation e-mail; the password again activates."""

import pytest
from django.urls import reverse

from tessera.accounts.models import AccountToken, LegalDocument, TokenPurpose, User
from tests.factories import PASSWORD

from .conftest import age_account_emails, expire_links, link_in, page_text

REGISTER = reverse("accounts:register")
DONE = reverse("accounts:register_done")
RESEND = reverse("accounts:register_resend")
NEW_PASSWORD = "Gatto-nero-2024"
WAITING = "We sent an e-mail to"


def form(email="nuovo@studio.test", **extra):
    return {"first_name": "Nadia", "last_name": "Nuovo", "email": email,
            "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD, "consent": "on", **extra}


@pytest.fixture
def register(db, client, deliver, mailoutbox):
    def _register(email="nuovo@studio.test", **extra):
        with deliver():
            response = client.post(REGISTER, form(email, **extra), follow=True)
        return response

    return _register


def test_register_page_has_every_field_and_links_to_the_legal_texts(client, db):
    page = client.get(REGISTER).content.decode()
    for text in ("E-mail address", "Password", "Repeat password", "I have read the",
                 "and accept them", "minimum 8 characters", "minimum 1 number or special character"):
        assert text in page
    assert f'href="{reverse("accounts:terms")}"' in page and ">Terms of use</a>" in page
    assert f'href="{reverse("accounts:privacy")}"' in page and ">Privacy policy</a>" in page


def test_registration_creates_an_inactive_account_and_sends_the_confirmation(register, mailoutbox):
    response = register("Nuovo@Studio.test")
    assert response.redirect_chain == [(DONE, 302)]
    page = response.content.decode()
    assert WAITING in page and "nuovo@studio.test" in page and "Send the e-mail again" in page
    user = User.objects.get(email="nuovo@studio.test")
    assert not user.is_active and user.email_verified_at is None
    assert user.check_password(NEW_PASSWORD) and user.terms_accepted_at and user.language == "en"
    assert not hasattr(user, "membership") or user.membership is None
    [message] = mailoutbox
    assert message.to == ["nuovo@studio.test"]
    link_in(message, "/accounts/register/confirm/")


def test_registration_keeps_the_language_of_the_page(client, register, mailoutbox, html_lang):
    client.post(reverse("accounts:language"), {"language": "de", "next": "/"})
    register()
    assert User.objects.get(email="nuovo@studio.test").language == "de"
    assert html_lang(mailoutbox[0]) == "de"


def test_confirmation_subject(register, mailoutbox):
    register()
    assert mailoutbox[0].subject == "Confirm your e-mail address"


def test_confirm_then_log_in_by_email_and_see_home(client, register, mailoutbox):
    register()
    path = link_in(mailoutbox[0], "/accounts/register/confirm/")
    page = client.get(path).content.decode()
    assert "Activate your account" in page and "nuovo@studio.test" in page
    response = client.post(path, {"password": NEW_PASSWORD}, follow=True)
    assert response.redirect_chain == [(reverse("accounts:login"), 302)]
    assert "Your account is active." in response.content.decode()
    user = User.objects.get(email="nuovo@studio.test")
    assert user.is_active and user.email_verified_at
    response = client.post(reverse("accounts:login"), {"username": "nuovo@studio.test", "password": NEW_PASSWORD})
    assert response["Location"] == reverse("portal:home")
    # The portal takes over from here (first login: link to an organization).
    home = client.get(reverse("portal:home"), follow=True)
    assert home.status_code == 200 and home.context["user"] == user


def test_cannot_log_in_before_confirming(client, register):
    register()
    client.post(reverse("accounts:login"), {"username": "nuovo@studio.test", "password": NEW_PASSWORD})
    assert "_auth_user_id" not in client.session


def test_wrong_password_on_the_confirmation_page_is_counted(client, register, mailoutbox, settings):
    register()
    path = link_in(mailoutbox[0], "/accounts/register/confirm/")
    response = client.post(path, {"password": "Sbagliata-1"})
    assert response.status_code == 200
    assert response.context["form"].errors["password"] == [
        f"This is not the password you chose when you registered. {settings.TESSERA_TOKEN_MAX_FAILED_ATTEMPTS - 1} "
        "tries left."
    ]
    for _ in range(settings.TESSERA_TOKEN_MAX_FAILED_ATTEMPTS - 1):
        response = client.post(path, {"password": "Sbagliata-1"})
    assert response.status_code == 410
    assert "no longer valid" in response.content.decode()
    assert client.post(path, {"password": NEW_PASSWORD}).status_code == 410
    assert not User.objects.get(email="nuovo@studio.test").is_active


def test_confirmation_link_works_once(client, register, mailoutbox):
    register()
    path = link_in(mailoutbox[0], "/accounts/register/confirm/")
    client.post(path, {"password": NEW_PASSWORD})
    response = client.get(path)
    assert response.status_code == 410
    page = response.content.decode()
    assert "This link has already been used." in page and "Your account is already active." in page


def test_expired_confirmation_link(client, register, mailoutbox):
    register()
    path = link_in(mailoutbox[0], "/accounts/register/confirm/")
    expire_links(User.objects.get(email="nuovo@studio.test"))
    response = client.get(path)
    assert response.status_code == 410
    assert "This link has expired." in response.content.decode()
    assert "Register again" in response.content.decode()
    assert client.post(path, {"password": NEW_PASSWORD}).status_code == 410
    assert not User.objects.get(email="nuovo@studio.test").is_active


def test_confirmation_link_expires_after_the_configured_days(register, settings):
    register()
    token = AccountToken.objects.get(purpose=TokenPurpose.EMAIL_CONFIRMATION)
    days = (token.expires_at - token.created_at).total_seconds() / 86400
    assert round(days) == settings.TESSERA_REGISTRATION_CONFIRM_VALID_DAYS == 3


def test_registering_again_before_confirming_sends_a_new_link_with_the_new_password(
    client, register, mailoutbox
):
    register()
    age_account_emails(User.objects.get(email="nuovo@studio.test"), seconds=120)
    register(password="Altra-parola-99", password_repeat="Altra-parola-99")
    assert len(mailoutbox) == 2
    old, new = (link_in(m, "/accounts/register/confirm/") for m in mailoutbox)
    assert client.get(old).status_code == 410
    assert client.post(new, {"password": "Altra-parola-99"}).status_code == 302


# No enumeration


def test_registering_a_known_address_shows_the_same_page_and_warns_its_owner(client, register, customer, mailoutbox):
    unknown = register("nuovo@studio.test")
    known = register("customer@rossi.test")
    assert page_text(unknown).replace("nuovo@studio.test", "X") == page_text(known).replace("customer@rossi.test", "X")
    assert known.status_code == unknown.status_code == 200
    customer.refresh_from_db()
    assert customer.check_password(PASSWORD) and customer.is_active  # nothing changed
    notice = mailoutbox[1]
    assert notice.to == ["customer@rossi.test"]
    assert notice.subject == "Someone tried to register with your e-mail address"
    assert f"http://127.0.0.1:8000{reverse('accounts:password_reset')}" in notice.body
    assert reverse("accounts:password_reset") in notice.alternatives[0][0]


def test_the_warning_is_in_the_owners_language(register, customer, mailoutbox, html_lang):
    customer.language = "it"
    customer.save()
    register("customer@rossi.test")
    assert html_lang(mailoutbox[0]) == "it"


def test_registering_an_invited_address_points_to_the_activation(client, agent, organization, register, mailoutbox):
    client.force_login(agent)
    client.post(
        reverse("desk:organization_invite", args=[organization.pk]),
        {"first_name": "A", "last_name": "B", "email": "invited@rossi.test"},
    )
    client.logout()
    register("invited@rossi.test")
    notice = mailoutbox[-1]
    assert notice.to == ["invited@rossi.test"]
    assert reverse("accounts:invitation_renew") in notice.body
    assert not User.objects.get(email="invited@rossi.test").is_active


def test_a_user_name_cannot_be_registered_as_an_address(register, customer):
    register(email=customer.email.upper())
    assert User.objects.filter(email__iexact=customer.email).count() == 1


# "Send the e-mail again"


def test_send_again(client, register, mailoutbox, deliver):
    register()
    age_account_emails(User.objects.get(email="nuovo@studio.test"), seconds=61)
    with deliver():
        response = client.post(RESEND, follow=True)
    assert "We sent the e-mail again." in response.content.decode()
    assert len(mailoutbox) == 2 and mailoutbox[1].to == ["nuovo@studio.test"]
    first, second = (link_in(m, "/accounts/register/confirm/") for m in mailoutbox)
    assert client.get(first).status_code == 410  # only the newest link works
    assert client.get(second).status_code == 200


def test_send_again_too_soon_is_refused_clearly(client, register, mailoutbox, deliver):
    register()
    with deliver():
        response = client.post(RESEND)
    assert response.status_code == 429
    page = response.content.decode()
    assert "The e-mail was sent a moment ago. Please wait" in page and "seconds before asking again" in page
    assert len(mailoutbox) == 1


def test_send_again_at_most_five_times_a_day(client, register, mailoutbox, deliver, settings):
    register()
    user = User.objects.get(email="nuovo@studio.test")
    for _ in range(settings.TESSERA_ACCOUNT_EMAILS_PER_DAY - 1):
        age_account_emails(user, seconds=61)
        with deliver():
            assert client.post(RESEND).status_code == 302
    assert len(mailoutbox) == 5
    age_account_emails(user, seconds=3600)
    response = client.post(RESEND)
    assert response.status_code == 429
    assert "The e-mail has been sent 5 times in the last 24 hours" in response.content.decode()
    age_account_emails(user, seconds=24 * 3600)
    with deliver():
        assert client.post(RESEND).status_code == 302
    assert len(mailoutbox) == 6


def test_send_again_answers_alike_for_a_known_address(client, register, customer, mailoutbox, deliver):
    register("customer@rossi.test")
    too_soon = client.post(RESEND)
    assert too_soon.status_code == 429 and "Please wait" in too_soon.content.decode()
    age_account_emails(customer, seconds=61)
    with deliver():
        response = client.post(RESEND, follow=True)
    assert "We sent the e-mail again." in response.content.decode()
    assert [m.subject for m in mailoutbox] == ["Someone tried to register with your e-mail address"] * 2


def test_waiting_page_and_send_again_need_a_registration_first(client, db):
    assert client.get(DONE)["Location"] == REGISTER
    assert client.post(RESEND)["Location"] == REGISTER
    assert client.get(RESEND).status_code == 405


# Bad input


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"consent": ""}, "consent", "Please accept the terms of use and the privacy policy."),
        ({"password_repeat": "Gatto-nero-2025"}, "password_repeat", "The two passwords do not match."),
        ({"password": "gatto1", "password_repeat": "gatto1"}, "password", "at least 8 characters"),
        ({"password": "gattoneromio", "password_repeat": "gattoneromio"}, "password", "number or special"),
        ({"password": "qwerty123", "password_repeat": "qwerty123"}, "password", "too common"),
        ({"password": "nuovo@studio", "password_repeat": "nuovo@studio"}, "password", "too similar"),
        ({"email": "not-an-address"}, "email", "valid email"),
        ({"email": ""}, "email", "required"),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_creates_nothing(client, register, mailoutbox, change, field, message):
    data = form(**change)
    response = client.post(REGISTER, data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    page = response.content.decode()
    if data["email"]:
        assert f'value="{data["email"]}"' in page  # typed values kept
    assert not User.objects.exists()
    assert mailoutbox == []


def test_weak_password_for_a_known_address_gets_the_same_errors(client, customer):
    data = form(password="qwerty123", password_repeat="qwerty123")
    unknown = client.post(REGISTER, data)
    known = client.post(REGISTER, {**data, "email": "customer@rossi.test"})
    assert unknown.context["form"].errors == known.context["form"].errors


def test_signed_in_users_are_sent_home(client, customer):
    client.force_login(customer)
    assert client.get(REGISTER)["Location"] == reverse("portal:home")


# The legal texts


@pytest.mark.parametrize(
    ("name", "title"), [("accounts:terms", "Terms of use"), ("accounts:privacy", "Privacy policy")]
)
def test_legal_pages_have_a_default_text(client, db, name, title):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert f"<h1>{title}</h1>" in response.content.decode()


def test_legal_pages_show_the_vendors_text_in_the_users_language(client, db):
    LegalDocument.objects.create(kind="terms", language="en", title="Our terms", body="First.\n\n<b>Second</b>.")
    LegalDocument.objects.create(kind="terms", language="de", title="Unsere AGB", body="Erstens.")
    page = client.get(reverse("accounts:terms")).content.decode()
    assert "Our terms" in page and "<p>First.</p>" in page and "&lt;b&gt;Second&lt;/b&gt;" in page
    client.post(reverse("accounts:language"), {"language": "de", "next": "/"})
    assert "Unsere AGB" in client.get(reverse("accounts:terms")).content.decode()
    client.post(reverse("accounts:language"), {"language": "it", "next": "/"})
    assert "Our terms" in client.get(reverse("accounts:terms")).content.decode()  # falls back to English


def test_vendor_edits_the_legal_texts_in_the_admin(client, vendor_admin):
    client.force_login(vendor_admin)
    response = client.post(
        reverse("admin:accounts_legaldocument_add"),
        {"kind": "privacy", "language": "en", "title": "Privacy at Tessera", "body": "We keep little."},
    )
    assert response.status_code == 302
    client.logout()
    assert "We keep little." in client.get(reverse("accounts:privacy")).content.decode()


def test_registering_again_at_once_keeps_the_link_and_takes_the_new_password(client, register, mailoutbox):
    register()
    register(password="Altra-parola-99", password_repeat="Altra-parola-99")
    assert len(mailoutbox) == 1  # too soon for another e-mail
    path = link_in(mailoutbox[0], "/accounts/register/confirm/")
    assert client.post(path, {"password": NEW_PASSWORD}).status_code == 200
    assert client.post(path, {"password": "Altra-parola-99"}).status_code == 302


# Logging in before confirming the address (issue 13): say so, and offer the e-mail again.


def test_logging_in_before_confirming_says_the_address_is_unconfirmed(client, register, mailoutbox):
    register()
    client.get(reverse("accounts:logout"))
    client.cookies.clear()
    response = client.post(reverse("accounts:login"), {"username": "nuovo@studio.test", "password": NEW_PASSWORD})
    assert response.status_code == 200
    text = page_text(response)
    assert "You have not confirmed your e-mail address yet" in text
    assert "not correct" not in text
    assert "Send the e-mail again" in text


def test_send_again_from_the_login_page_sends_a_new_link(client, register, deliver, mailoutbox):
    register()
    client.cookies.clear()
    client.post(reverse("accounts:login"), {"username": "nuovo@studio.test", "password": NEW_PASSWORD})
    age_account_emails(User.objects.get(email="nuovo@studio.test"), seconds=3600)
    with deliver():
        response = client.post(RESEND, follow=True)
    assert "We sent the e-mail again." in page_text(response)
    assert len(mailoutbox) == 2 and mailoutbox[-1].to == ["nuovo@studio.test"]


def test_a_wrong_password_on_an_unconfirmed_account_reveals_nothing(client, register):
    register()
    client.cookies.clear()
    response = client.post(reverse("accounts:login"), {"username": "nuovo@studio.test", "password": "Wrong-pass-1"})
    text = page_text(response)
    assert "not correct" in text and "not confirmed" not in text and "Send the e-mail again" not in text


# The name (issue 13): self-registered users do not appear as bare e-mail addresses.


def test_registration_asks_for_first_and_last_name(client, db):
    page = page_text(client.get(REGISTER))
    assert "First name" in page and "Last name" in page


def test_registration_keeps_the_name(register):
    register(first_name=" Nadia ", last_name="Bianchi")
    user = User.objects.get(email="nuovo@studio.test")
    assert (user.first_name, user.last_name) == ("Nadia", "Bianchi")


@pytest.mark.parametrize("missing", ["first_name", "last_name"])
def test_the_name_is_required_and_nothing_typed_is_lost(client, db, missing):
    data = form(first_name="Nadia", last_name="Bianchi")
    data[missing] = " "
    response = client.post(REGISTER, data)
    assert response.status_code == 200 and not User.objects.filter(email="nuovo@studio.test").exists()
    assert "This field is required." in page_text(response)
    assert 'value="nuovo@studio.test"' in response.content.decode()
