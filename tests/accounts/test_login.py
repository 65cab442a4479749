import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

LOGIN = reverse("accounts:login")
SAME_MESSAGE = "The e-mail address, user name or password is not correct"


@pytest.mark.parametrize("login", ["customer@rossi.test", "CUSTOMER@Rossi.test", "rossi_c", "ROSSI_C"])
def test_login_by_email_or_user_name_in_any_case(client, customer, login):
    customer.username = "rossi_c"
    customer.save()
    response = client.post(LOGIN, {"username": login, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert client.get(reverse("portal:home")).context["user"] == customer


def test_unknown_user_and_wrong_password_get_the_same_message(client, customer):
    wrong_password = client.post(LOGIN, {"username": customer.email, "password": "nope-nope-1"})
    unknown_user = client.post(LOGIN, {"username": "ghost@rossi.test", "password": "nope-nope-1"})
    assert SAME_MESSAGE in wrong_password.content.decode()
    assert wrong_password.content.decode().count(SAME_MESSAGE) == unknown_user.content.decode().count(SAME_MESSAGE)
    assert wrong_password.status_code == unknown_user.status_code == 200


def test_inactive_user_cannot_log_in(client, db):
    user = UserFactory(email="gone@rossi.test", is_active=False)
    response = client.post(LOGIN, {"username": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_login_rotates_the_session_key(client, customer):
    client.get(LOGIN)
    client.session["probe"] = 1
    session = client.session
    session["probe"] = 1
    session.save()
    before = client.cookies["sessionid"].value
    client.post(LOGIN, {"username": customer.email, "password": PASSWORD})
    assert client.cookies["sessionid"].value != before


def test_logout_needs_post_and_ends_the_session(client, customer):
    client.force_login(customer)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("portal:home")).status_code == 302


def test_home_requires_login(client, db):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.password_hashing
def test_passwords_are_hashed_with_argon2(customer):
    assert customer.password.startswith("argon2$")


@pytest.mark.password_hashing
def test_security_answer_is_hashed_and_compared_loosely(customer):
    customer.set_security_answer("  New   York ")
    assert "york" not in customer.security_answer_hash.lower()
    assert customer.check_security_answer("new york")
    assert not customer.check_security_answer("Boston")


@pytest.mark.parametrize(
    ("password", "ok"),
    [("short1", False), ("onlyletterslong", False), ("letters-and-dash", True), ("tessera-demo-1", True)],
)
def test_password_policy(password, ok, db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    try:
        validate_password(password)
    except ValidationError:
        assert not ok
    else:
        assert ok


def test_login_is_throttled_per_account_with_a_clear_message(client, customer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": customer.email, "password": "wrong-wrong-1"})
    response = client.post(LOGIN, {"username": customer.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
