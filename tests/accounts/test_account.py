"""Seed 000's "Account": change password, edit security question; and the profile."""

import pytest
from django.test import Client
from django.urls import reverse

from tessera.accounts.models import SecurityQuestion
from tests.factories import PASSWORD

ACCOUNT = reverse("accounts:account")
CHANGE_PASSWORD = reverse("accounts:password_change")
SECURITY = reverse("accounts:security_question_change")
PROFILE = reverse("accounts:profile_change")
NEW = "Nuova-chiave-77"


def change(old=PASSWORD, new=NEW, repeat=None):
    return {"old_password": old, "new_password": new, "new_password_repeat": repeat or new}


@pytest.mark.parametrize("url", [ACCOUNT, CHANGE_PASSWORD, SECURITY, PROFILE])
def test_account_pages_need_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", ["customer", "restricted_user", "unlinked_user", "outsider", "agent"])
def test_every_user_has_an_account_page(client, persona, request):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    page = client.get(ACCOUNT).content.decode()
    for text in ("Change password", "Old password", "New password", "Repeat password", "minimum 8 characters",
                 "minimum 1 number or special character", "Edit security question", "Security question",
                 "Security answer", "Profile", "First name", "Last name", "Language", "Notification preferences",
                 user.email):
        assert text in page


def test_account_link_in_the_user_menu(client, customer):
    client.force_login(customer)
    assert f'href="{ACCOUNT}"' in client.get(ACCOUNT).content.decode()


def test_account_page_issues_a_constant_number_of_queries(client, customer, django_assert_max_num_queries):
    client.force_login(customer)
    with django_assert_max_num_queries(4):
        assert client.get(ACCOUNT).status_code == 200


def test_change_password_keeps_this_session_and_ends_the_others(client, customer, deliver, mailoutbox):
    other_device = Client()
    other_device.force_login(customer)
    assert other_device.get(ACCOUNT).status_code == 200
    client.force_login(customer)
    with deliver():
        response = client.post(CHANGE_PASSWORD, change(), follow=True)
    assert "Your password has been changed." in response.content.decode()
    assert client.get(ACCOUNT).status_code == 200
    assert other_device.get(ACCOUNT).status_code == 302  # logged out
    customer.refresh_from_db()
    assert customer.check_password(NEW)
    [notice] = mailoutbox
    assert notice.to == [customer.email]
    assert notice.subject == "Your password has been changed"
    assert reverse("accounts:password_reset") in notice.body


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (change(old="wrong-old-1"), "old_password", "Your old password is not correct."),
        (change(new=PASSWORD), "new_password", "The new password must differ from the old one."),
        (change(repeat="Nuova-chiave-78"), "new_password_repeat", "The two passwords do not match."),
        (change(new="short-1"), "new_password", "at least 8 characters"),
        (change(new="abcdefghijk"), "new_password", "number or special"),
        (change(new="password1"), "new_password", "too common"),
        (change(old=""), "old_password", "required"),
    ],
)
def test_bad_password_change_is_shown_next_to_the_field(client, customer, mailoutbox, data, field, message):
    client.force_login(customer)
    response = client.post(CHANGE_PASSWORD, data)
    assert response.status_code == 200
    assert message in " ".join(response.context["password_form"].errors[field])
    customer.refresh_from_db()
    assert customer.check_password(PASSWORD)
    assert mailoutbox == []


def test_password_similar_to_the_name_is_refused(client, customer):
    customer.first_name = "Margherita"
    customer.save()
    client.force_login(customer)
    response = client.post(CHANGE_PASSWORD, change(new="Margherita1"))
    assert "too similar" in " ".join(response.context["password_form"].errors["new_password"])


def test_edit_security_question_and_get_a_notice(client, customer, deliver, mailoutbox):
    client.force_login(customer)
    with deliver():
        response = client.post(
            SECURITY, {"security_question": SecurityQuestion.FIRST_PET, "security_answer": " Fido  Dido ",
                       "current_password": PASSWORD}, follow=True
        )
    assert "Your security question has been saved." in response.content.decode()
    customer.refresh_from_db()
    assert customer.security_question == SecurityQuestion.FIRST_PET
    assert customer.check_security_answer("fido dido")
    [notice] = mailoutbox
    assert notice.to == [customer.email]
    assert notice.subject == "Your security question has been changed"
    assert "What was the name of your first pet?" in notice.body


def test_notices_are_in_the_users_language(client, customer, deliver, mailoutbox, html_lang):
    customer.language = "de"
    customer.save()
    client.force_login(customer)
    with deliver():
        client.post(SECURITY, {"security_question": SecurityQuestion.FIRST_PET, "security_answer": "Fido",
                               "current_password": PASSWORD})
        client.post(CHANGE_PASSWORD, change())
    assert [html_lang(m) for m in mailoutbox] == ["de", "de"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"security_question": "", "security_answer": "x", "current_password": PASSWORD}, "security_question"),
        ({"security_question": "shoe_size", "security_answer": "x", "current_password": PASSWORD},
         "security_question"),
        ({"security_question": SecurityQuestion.FIRST_PET, "security_answer": "", "current_password": PASSWORD},
         "security_answer"),
        ({"security_question": SecurityQuestion.FIRST_PET, "security_answer": "x"}, "current_password"),
        ({"security_question": SecurityQuestion.FIRST_PET, "security_answer": "x", "current_password": "Wrong-1"},
         "current_password"),
    ],
)
def test_bad_security_question_input(client, customer, mailoutbox, data, field):
    client.force_login(customer)
    response = client.post(SECURITY, data)
    assert response.status_code == 200 and field in response.context["security_form"].errors
    customer.refresh_from_db()
    assert customer.security_question == "" and mailoutbox == []


def test_changing_the_security_question_needs_the_current_password(client, customer, mailoutbox):
    """Issue 14: a session left open must not be enough to set an answer that then resets the password."""
    client.force_login(customer)
    response = client.post(SECURITY, {"security_question": SecurityQuestion.FIRST_PET, "security_answer": "Fido",
                                      "current_password": "Not-my-password-1"})
    assert response.status_code == 200
    assert "Your password is not correct." in response.content.decode()
    assert 'value="Fido"' in response.content.decode()  # nothing typed is lost
    customer.refresh_from_db()
    assert customer.security_question == "" and not customer.check_security_answer("fido") and mailoutbox == []


def test_profile_update_saves_names_and_language(client, customer):
    client.force_login(customer)
    response = client.post(PROFILE, {"first_name": " Maria ", "last_name": "Bianchi", "language": "it"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.first_name, customer.last_name, customer.language) == ("Maria", "Bianchi", "it")
    assert 'lang="it"' in client.get(ACCOUNT).content.decode()


def test_profile_language_wins_over_an_earlier_language_switch(client, customer):
    client.force_login(customer)
    client.post(reverse("accounts:language"), {"language": "de", "next": "/"})
    client.post(PROFILE, {"first_name": "A", "last_name": "B", "language": "en"})
    assert 'lang="en"' in client.get(ACCOUNT).content.decode()


def test_profile_refuses_an_unknown_language(client, customer):
    client.force_login(customer)
    response = client.post(PROFILE, {"first_name": "A", "last_name": "B", "language": "xx"})
    assert response.status_code == 200 and "language" in response.context["profile_form"].errors
    assert 'value="A"' in response.content.decode()


@pytest.mark.parametrize("url", [CHANGE_PASSWORD, SECURITY, PROFILE])
def test_forms_only_take_post(client, customer, url):
    client.force_login(customer)
    assert client.get(url).status_code == 405
