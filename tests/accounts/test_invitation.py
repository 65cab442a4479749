"""Seed 000's registration: vendor staff invite a contact, who chooses user name, password and security question."""

import pytest
from django.urls import reverse

from tessera.accounts.models import AccountToken, SecurityQuestion, User
from tessera.organizations.models import Membership, Role
from tests.factories import OrganizationFactory

from .conftest import age_account_emails, expire_links, link_in, page_text

GOOD = {
    "username": "rossi.anna",
    "password": "Zanzara-lenta-42",
    "password_repeat": "Zanzara-lenta-42",
    "security_question": SecurityQuestion.BIRTH_CITY,
    "security_answer": "  Bologna ",
}


def invite_url(organization):
    return reverse("desk:organization_invite", args=[organization.pk])


@pytest.fixture
def invite(client, agent, organization, deliver, mailoutbox):
    """Invite anna@rossi.test as the agent; returns the activation path from the e-mail."""

    def _invite(email="anna@rossi.test", **extra):
        client.force_login(agent)
        data = {"first_name": "Anna", "last_name": "Rossi", "email": email, **extra}
        with deliver():
            response = client.post(invite_url(organization), data)
        assert response.status_code == 302, response.content.decode()
        client.logout()
        return link_in(mailoutbox[-1], "/accounts/invitation/")

    return _invite


# The desk page


def test_anonymous_is_sent_to_login(client, organization):
    response = client.get(invite_url(organization))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", ["customer", "manager", "org_admin", "outsider", "unlinked_user"])
def test_customers_get_404_on_the_invite_page(client, organization, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(invite_url(organization)).status_code == 404
    response = client.post(invite_url(organization), {"first_name": "A", "last_name": "B", "email": "x@rossi.test"})
    assert response.status_code == 404
    assert not User.objects.filter(email="x@rossi.test").exists()


def test_unknown_organization_is_404(client, agent, organization):
    client.force_login(agent)
    assert client.get(reverse("desk:organization_invite", args=[organization.pk + 1000])).status_code == 404


def test_agent_sees_the_form_and_the_organization(client, agent, organization):
    client.force_login(agent)
    page = client.get(invite_url(organization)).content.decode()
    assert "Invite a contact" in page and "Praxis Rossi" in page
    for label in ("First name", "Last name", "E-mail"):
        assert label in page


def test_invitation_creates_an_inactive_basic_contact_and_sends_the_link(
    client, agent, organization, deliver, mailoutbox, html_lang
):
    organization.language = "it"
    organization.save()
    client.force_login(agent)
    with deliver():
        data = {"first_name": "Anna", "last_name": "Rossi", "email": "Anna@Rossi.test"}
        response = client.post(invite_url(organization), data, follow=True)
    assert "We sent the activation e-mail to anna@rossi.test" in response.content.decode()
    user = User.objects.get(email="anna@rossi.test")
    assert (user.first_name, user.last_name, user.language) == ("Anna", "Rossi", "it")
    assert not user.is_active and not user.has_usable_password()
    assert (user.membership.organization, user.membership.role, user.membership.is_active) == (
        organization, Role.BASIC, False
    )
    [message] = mailoutbox
    assert message.to == ["anna@rossi.test"]
    assert html_lang(message) == "it"  # rendered in the organization's language
    path = link_in(message, "/accounts/invitation/")
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert not AccountToken.objects.filter(token_hash__contains=token).exists()  # only a hash is stored
    assert "anna@rossi.test" in client.get(invite_url(organization)).content.decode()  # listed as pending


def test_subject_of_the_invitation(invite, mailoutbox):
    invite()
    assert mailoutbox[0].subject == "Activate your account for the customer portal"
    assert "Praxis Rossi" in mailoutbox[0].body


def test_inviting_a_registered_address_is_an_error_next_to_the_field(client, agent, organization, customer, mailoutbox):
    client.force_login(agent)
    data = {"first_name": "Anna", "last_name": "Rossi", "email": "CUSTOMER@rossi.test"}
    response = client.post(invite_url(organization), data)
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["A user with this e-mail address is already registered."]
    assert 'value="CUSTOMER@rossi.test"' in response.content.decode()  # typed values kept
    assert mailoutbox == []


def test_invite_form_requires_every_field(client, agent, organization):
    client.force_login(agent)
    response = client.post(invite_url(organization), {"first_name": "", "last_name": "", "email": "not-an-address"})
    errors = response.context["form"].errors
    assert set(errors) == {"first_name", "last_name", "email"}


def test_inviting_again_a_pending_contact_sends_a_new_link_and_voids_the_old(client, invite, mailoutbox):
    first = invite()
    second = invite()
    assert len(mailoutbox) == 2 and first != second
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_a_pending_contact_of_another_organization_cannot_be_invited_again(
    client, invite, agent, other_organization
):
    invite()
    client.force_login(agent)
    response = client.post(
        invite_url(other_organization), {"first_name": "Anna", "last_name": "Rossi", "email": "anna@rossi.test"}
    )
    assert "already registered" in response.content.decode()


# The activation page


def test_activation_page_shows_name_email_and_organization(client, invite):
    page = client.get(invite()).content.decode()
    for text in ("Anna Rossi", "anna@rossi.test", "Praxis Rossi", "User name", "Password", "Repeat password",
                 "Security question", "Security answer", "In what city were you born?"):
        assert text in page


def test_activation_makes_an_active_basic_member_and_logs_in(client, invite):
    path = invite()
    response = client.post(path, GOOD)
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    user = User.objects.get(email="anna@rossi.test")
    assert user.is_active and user.username == "rossi.anna" and user.email_verified_at
    assert user.check_password(GOOD["password"])
    assert user.security_question == SecurityQuestion.BIRTH_CITY
    assert user.check_security_answer("BOLOGNA") and "bologna" not in user.security_answer_hash.lower()
    membership = Membership.objects.get(user=user)
    assert membership.is_active and membership.role == Role.BASIC
    home = client.get(reverse("portal:home"))
    assert home.context["user"] == user
    assert "Welcome! Your registration is complete." in home.content.decode()


def test_the_welcome_is_in_the_language_of_the_page_that_follows(client, invite, organization):
    """An Italian practice's contact who opened the link in an English browser lands on an Italian
    home page after activation: the welcome on it is Italian too, not an English line on an Italian page."""
    organization.language = "it"
    organization.save()
    path = invite()
    client.post(path, GOOD, HTTP_ACCEPT_LANGUAGE="en")
    home = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en")
    page = home.content.decode()
    assert '<html lang="it"' in page
    assert "Benvenuto/a! La tua registrazione è completa." in page
    assert "Welcome! Your registration is complete." not in page


def test_the_user_name_then_works_for_login(client, invite):
    client.post(invite(), GOOD)
    client.logout()
    response = client.post(reverse("accounts:login"), {"username": "Rossi.Anna", "password": GOOD["password"]})
    assert response.status_code == 302


def test_activation_link_works_once(client, invite):
    path = invite()
    client.post(path, GOOD)
    client.logout()
    response = client.get(path)
    assert response.status_code == 410
    page = response.content.decode()
    assert "This link has already been used." in page and "Ask for a new activation link" in page
    response = client.post(path, {**GOOD, "username": "someone.else"})
    assert response.status_code == 410
    assert User.objects.get(email="anna@rossi.test").username == "rossi.anna"


def test_expired_link_gets_a_clear_page_with_a_way_to_ask_for_a_new_one(client, invite):
    path = invite()
    expire_links(User.objects.get(email="anna@rossi.test"))
    response = client.get(path)
    assert response.status_code == 410
    page = response.content.decode()
    assert "This link has expired." in page
    assert reverse("accounts:invitation_renew") in page
    assert client.post(path, GOOD).status_code == 410
    assert not User.objects.get(email="anna@rossi.test").is_active


def test_unknown_link_is_404_with_the_same_help(client, db):
    response = client.get(reverse("accounts:invitation_accept", args=["x" * 43]))
    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()


def test_asking_for_a_new_link_sends_one_when_an_invitation_is_pending(client, invite, deliver, mailoutbox):
    old = invite()
    anna = User.objects.get(email="anna@rossi.test")
    expire_links(anna)
    age_account_emails(anna, seconds=7 * 24 * 3600)
    mailoutbox.clear()
    with deliver():
        response = client.post(reverse("accounts:invitation_renew"), {"email": "ANNA@rossi.test"}, follow=True)
    known = response.content.decode()
    assert "If a registration for this address is waiting for activation" in known
    [message] = mailoutbox
    assert message.to == ["anna@rossi.test"]
    new = link_in(message, "/accounts/invitation/")
    assert new != old
    assert client.get(new).status_code == 200
    assert client.post(new, GOOD).status_code == 302


def test_asking_for_a_new_link_answers_the_same_for_any_address(client, invite, customer, deliver, mailoutbox):
    invite()
    age_account_emails(User.objects.get(email="anna@rossi.test"), seconds=3600)
    mailoutbox.clear()
    pages = []
    for email in ("nobody@nowhere.test", "customer@rossi.test", "anna@rossi.test"):
        with deliver():
            response = client.post(reverse("accounts:invitation_renew"), {"email": email}, follow=True)
        pages.append(page_text(response))
    assert pages[0] == pages[1] == pages[2]
    assert [m.to for m in mailoutbox] == [["anna@rossi.test"]]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"password_repeat": "Zanzara-lenta-43"}, "password_repeat", "The two passwords do not match."),
        ({"password": "short1", "password_repeat": "short1"}, "password", "at least 8 characters"),
        ({"password": "onlyletterslong", "password_repeat": "onlyletterslong"}, "password", "number or special"),
        ({"password": "password123", "password_repeat": "password123"}, "password", "too common"),
        ({"password": "rossi.anna1", "password_repeat": "rossi.anna1"}, "password", "too similar"),
        ({"security_question": ""}, "security_question", "required"),
        ({"security_question": "favourite_colour"}, "security_question", "Select a valid choice"),
        ({"security_answer": ""}, "security_answer", "required"),
        ({"security_answer": "   "}, "security_answer", "required"),
        ({"username": ""}, "username", "required"),
        ({"username": "anna rossi"}, "username", "Use only letters"),
        ({"username": "anna@rossi"}, "username", "Use only letters"),
        # NFKC comes first: "Ŀ" is "L·", and the middle dot is not allowed (CI's hypothesis run found it).
        ({"username": "Ŀuca"}, "username", "Use only letters"),
    ],
)
def test_bad_input_is_shown_next_to_the_field(client, invite, change, field, message):
    path = invite()
    response = client.post(path, {**GOOD, **change})
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors
    assert f'value="{GOOD["username"]}"' in response.content.decode() or field == "username"
    user = User.objects.get(email="anna@rossi.test")
    assert not user.is_active
    assert client.get(path).status_code == 200  # the link still works


def test_user_name_taken_in_any_case(client, invite, customer):
    customer.username = "Rossi.Anna"
    customer.save()
    response = client.post(invite(), GOOD)
    assert response.context["form"].errors["username"] == ["This user name is taken. Please choose another one."]


def test_a_user_name_that_only_looks_different_is_taken_too(client, invite, customer):
    customer.username = "rossi.anna"
    customer.save()
    response = client.post(invite(), {**GOOD, "username": "ｒｏｓｓｉ.ａｎｎａ"})  # fullwidth letters
    assert response.context["form"].errors["username"] == ["This user name is taken. Please choose another one."]


def test_a_fullwidth_user_name_is_stored_and_logs_in_as_its_plain_letters(client, invite):
    client.post(invite(), {**GOOD, "username": "ａｎｎａ.ｒｏｓｓｉ"})
    assert User.objects.get(email="anna@rossi.test").username == "anna.rossi"
    client.logout()
    response = client.post(reverse("accounts:login"), {"username": "ａｎｎａ.ｒｏｓｓｉ", "password": GOOD["password"]})
    assert response.status_code == 302


def test_admin_action_opens_the_invite_page_for_one_organization(client, vendor_admin, organization):
    client.force_login(vendor_admin)
    changelist = reverse("admin:organizations_organization_changelist")
    response = client.post(changelist, {"action": "invite_contact", "_selected_action": [organization.pk]})
    assert response.status_code == 302 and response["Location"] == invite_url(organization)
    other = OrganizationFactory()
    response = client.post(
        changelist, {"action": "invite_contact", "_selected_action": [organization.pk, other.pk]}, follow=True
    )
    assert "Select exactly one organization" in response.content.decode()


def test_asking_for_new_links_is_rate_limited_silently(client, invite, deliver, mailoutbox):
    invite()
    mailoutbox.clear()
    with deliver():
        response = client.post(reverse("accounts:invitation_renew"), {"email": "anna@rossi.test"}, follow=True)
    assert "If a registration for this address is waiting for activation" in response.content.decode()
    assert mailoutbox == []  # the invitation left less than a minute ago


def test_invite_page_issues_a_constant_number_of_queries(client, invite, agent, organization,
                                                         django_assert_max_num_queries):
    for n in range(5):
        invite(email=f"contact{n}@rossi.test")
    client.force_login(agent)
    with django_assert_max_num_queries(6):
        page = client.get(invite_url(organization)).content.decode()
    assert all(f"contact{n}@rossi.test" in page for n in range(5))
