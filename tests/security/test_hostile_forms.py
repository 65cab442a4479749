"""Hostile input in the forms test_hostile_input.py does not reach (issue 8): the administration, password
recovery, invitation, the account page, approvals and invitations on both sides, registration and linking.

Every property posts hostile strings (see hostile.py) into every text field of a form and asserts what a user
would see: no 500, no payload unescaped, and either the success the input allows (the database then holds
what was typed, trimmed) or a refusal: a 200 page with a message that keeps what was typed (never a
password) and leaves the database as it was. Each property counts the inputs it tried; the module prints
the total when it finishes (run with -s).
"""

import unicodedata
from collections import Counter
from datetime import timedelta
from html.parser import HTMLParser
from itertools import count

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from hypothesis import example, given
from hypothesis import strategies as st

from tessera.accounts.models import (
    AccountEmail,
    AccountToken,
    LegalDocument,
    SecurityQuestion,
    TokenPurpose,
    User,
)
from tessera.accounts.tokens import token_find, token_issue
from tessera.audit.models import AuditEntry
from tessera.notifications.models import OutgoingEmail
from tessera.organizations.models import LinkAttempt, LinkRequest, Membership, Organization, Role
from tessera.tickets.models import CannedResponse, Category, CategoryField, ServiceTeam

from ..factories import PASSWORD, UserFactory, pending_applicant
from ..html import parse
from .hostile import FEW, PROPERTY, assert_no_unsafe_markers, hostile, storable

TRIED: Counter = Counter()
STATUSES: Counter = Counter()  # (form, status code): how many inputs were accepted (302) and refused
SERIAL = count(1)

#: Where a half-written refusal would show; LinkAttempt and a token's failed_attempts are counted on purpose.
WATCHED = (
    User, Membership, Organization, LinkRequest, AccountToken, AccountEmail, OutgoingEmail, AuditEntry, LogEntry,
    Category, CategoryField, ServiceTeam, ServiceTeam.members.through, CannedResponse, LegalDocument,
)
ERROR_MARKERS = ('class="field-error"', 'class="form-error"', 'class="errornote"', 'class="errorlist')


def _no_nul(value: str) -> str:
    return value.replace("\x00", "")


#: Addresses a form takes although they are hostile: a quoted local part, homoglyphs, a formula, spaces.
GOOD_EMAILS = st.one_of(
    st.sampled_from([
        '"<script>alert(7331)</script>"@rossi.test', '"\\"><svg onload=alert(7331)>"@rossi.test',
        "anna@раураl.test", " ANNA.Rossi@Rossi.Test ", "=cmd@rossi.test", "o'brien@rossi.test",
        "a" * 64 + "@" + "b" * 63 + ".test",
    ]),
    st.emails(),
)
BAD_EMAILS = st.sampled_from([
    "anna@rossi.test\x00", "anna@rossi.test\r\nBcc: x@y.z", "x" * 250 + "@rossi.test", "anna+<b>@rossi.test",
    "anna@ross\u202ei.test",
])
emails = st.one_of(GOOD_EMAILS, BAD_EMAILS, st.builds(lambda s: f"{s}@rossi.test", storable))
GOOD_PASSWORDS = st.sampled_from([
    "Nuova-chiave-77", "пароль-Тessera-1", "<script>alert(7331)</script>1", "\u202eSecret-77", "𝕿𝖊𝖘𝖘𝖊𝖗𝖆-2024",
    "x" * 5000 + "1", "tab\tand\nnewline-7",
])
#: User names the invitation takes (letters, digits and . + - _ of any script): homoglyphs, fullwidth, bold.
GOOD_USERNAMES = st.one_of(
    st.sampled_from(["rossi.anna", "раураl", "ｔｅｓｓｅｒａ", "a+b-c_d", "𝕿𝖊𝖘𝖘", "a" * 150]),
    st.text(st.characters(categories=("L", "Nd")), min_size=1, max_size=40),
)
QUESTIONS = st.sampled_from(SecurityQuestion.values)
#: Free text that may be stored: up to 60 characters, or a hostile text of any length without NUL.
free_text = storable | hostile.map(_no_nul)


def short(max_length: int):
    return storable.map(lambda s: s[:max_length])


@st.composite
def form_input(draw, **acceptable):
    """A form's values: half the time each one a value its field takes (hostile as it may be: then it must
    be stored as typed), otherwise each one hostile or acceptable at random (then mostly refused)."""
    all_acceptable = draw(st.booleans())
    return {name: draw(good if all_acceptable else st.one_of(hostile, good)) for name, good in acceptable.items()}


#: Two times in three the password is repeated as typed.
same_twice = st.sampled_from([True, True, False])
next_urls = st.one_of(hostile, st.sampled_from([
    "//evil.test/", "https://evil.test/", "/\\evil.test", "\\\\evil.test", "javascript:alert(7331)",
    "/desk/approvals/?page=2", " //evil.test", "/%0d%0aSet-Cookie:x=1", "http:/evil.test", "approvals",
]))


@pytest.fixture(scope="module", autouse=True)
def _report_count():
    yield
    print(f"\nHOSTILE FORM INPUTS TRIED: {sum(TRIED.values())} {dict(TRIED)}")
    print(f"by status: {dict(sorted(STATUSES.items()))}")


@pytest.fixture(autouse=True)
def _many_inputs(settings):
    """The link throttle has its own tests: here every try reaches the form."""
    settings.TESSERA_LINK_FAILURE_LIMIT = 10_000


def check(response, name, *, counted=True):
    """No 500 and no payload unescaped; returns the page's text."""
    if counted:
        TRIED[name] += 1
        STATUSES[name, response.status_code] += 1
    assert response.status_code < 500, (name, response.status_code)
    page = response.content.decode("utf-8", "replace")
    if "html" in response.get("Content-Type", ""):
        assert_no_unsafe_markers(page, name)
        for field in parse(page).find_all("input", type="password"):
            assert "value=" not in field.html, (name, "a password is shown back", field.html[:200])
    return page


def follow(client, response, name):
    """The page a successful post leads to, which shows what was stored."""
    if response.status_code == 302 and response["Location"].startswith("/"):
        check(client.get(response["Location"]), name, counted=False)


def snapshot(*, skip=()):
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in WATCHED if model not in skip}


def assert_refused(response, page, name, *, kept=(), before=None, skip=()):
    """A 200 form page with a message that shows each typed value again, and nothing written."""
    assert response.status_code == 200, (name, response.status_code)
    assert any(marker in page for marker in ERROR_MARKERS), (name, "no message on a refusal")
    for value in kept:
        if value:
            assert escape(value) in page, (name, "typed value lost", value[:80])
    if before is not None:
        assert snapshot(skip=skip) == before, (name, "something was written on a refusal")


def assert_safe_redirect(response, name):
    """A redirect that stays on this site, whatever ``next`` said."""
    location = response["Location"]
    assert url_has_allowed_host_and_scheme(location, {"testserver"}), (name, location)
    assert not location.startswith(("//", "/\\", "\\")), (name, location)


def assert_mail_safe():
    for subject, html in OutgoingEmail.objects.values_list("subject", "html"):
        assert "\r" not in subject and "\n" not in subject, subject
        assert_no_unsafe_markers(html, "mail")


def trimmed(value: str) -> str:
    return value.strip()


# --- The administration (vendor superuser) --------------------------------------------------------------------


class _FormFields(HTMLParser):
    """What a browser would send for the page's main form: every field with its current value."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, {}
        self._select = self._textarea = None

    def _put(self, name, value):
        if "__prefix__" not in name:  # the blank template rows of an inline are not sent
            self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._put(name, attrs.get("value", "on"))
        elif tag == "select" and name:
            self._select = {"name": name, "first": None, "chosen": False, "multiple": "multiple" in attrs}
        elif tag == "option" and self._select:
            if "selected" in attrs:
                self._put(self._select["name"], attrs.get("value", ""))
                self._select["chosen"] = True
            elif self._select["first"] is None:
                self._select["first"] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            select = self._select
            if not select["chosen"] and not select["multiple"] and select["first"] is not None:
                self._put(select["name"], select["first"])
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data


def admin_form(client, url, model):
    response = client.get(url)
    assert response.status_code == 200, url
    parser = _FormFields(f"{model._meta.model_name}_form")
    parser.feed(check(response, "admin", counted=False))
    return parser.data


def admin_round(client, name, model, url, typed, *, extra=None):
    """Post the form as the page shows it with ``extra`` and the text fields ``typed`` put in.

    Returns the response of an accepted input; a refusal must keep every typed text but passwords.
    """
    data = admin_form(client, url, model)
    data.update(extra or {})
    data.update(typed)
    before = snapshot()
    response = client.post(url, data)
    page = check(response, name)
    if response.status_code != 302:
        assert_refused(response, page, name, kept=[v for k, v in typed.items() if "password" not in k],
                       before=before)
        return None
    follow(client, response, name)
    return response


def admin_url(model, action, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def assert_stored(obj, typed):
    """The row holds each typed value as the form cleans it: trimmed, or read as a number."""
    obj.refresh_from_db()
    for field, value in typed.items():
        stored = getattr(obj, field)
        expected = int(value) if isinstance(stored, int) else trimmed(value)
        assert stored == expected, (field, value[:80])


def stored_email(typed: str) -> str:
    return User.objects.normalize_email(trimmed(typed)).lower()


@FEW
@given(typed=form_input(name=short(200), customer_code=short(32), postal_code=short(16), city=short(120),
                        country=st.sampled_from(["IT", "DE", ""])))
def test_admin_organization(client, vendor_admin, organization, typed):
    client.force_login(vendor_admin)
    if admin_round(client, "admin_organization", Organization, admin_url(Organization, "add"), typed):
        assert_stored(Organization.objects.latest("pk"), typed)
    if admin_round(client, "admin_organization", Organization, admin_url(Organization, "change", organization.pk),
                   typed):
        assert_stored(organization, typed)


@FEW
@given(typed=form_input(email=GOOD_EMAILS, username=short(150), first_name=short(150), last_name=short(150),
                        password=GOOD_PASSWORDS), same=same_twice)
def test_admin_user(client, vendor_admin, customer, typed, same):
    client.force_login(vendor_admin)
    password = typed.pop("password")
    added = {"email": typed["email"], "username": typed["username"], "password1": password,
             "password2": password if same else password + "!"}
    if admin_round(client, "admin_user", User, admin_url(User, "add"), added):
        created = User.objects.latest("pk")
        assert created.email == stored_email(typed["email"]) and created.check_password(password)
        assert created.username == (trimmed(typed["username"]) or None)
    if admin_round(client, "admin_user", User, admin_url(User, "change", customer.pk), typed):
        assert_stored(customer, {"first_name": typed["first_name"], "last_name": typed["last_name"]})
        assert customer.email == stored_email(typed["email"])
        assert customer.username == (trimmed(typed["username"]) or None)
    # The administration's "Set password" form for a user (Django names its URL after auth's User).
    if admin_round(client, "admin_user", User, reverse("admin:auth_user_password_change", args=[customer.pk]),
                   {"password1": password, "password2": added["password2"]}):
        customer.refresh_from_db()
        assert customer.check_password(password)


@FEW
@given(typed=form_input(name=short(120), position=st.integers(0, 10**6).map(str)),
       field=form_input(key=st.sampled_from(["serial-no", "x_1", "ID"]), label=short(120), choices=free_text,
                        help_text=short(250)),
       kind=st.sampled_from(["text", "choice", "number"]) | hostile)
def test_admin_category(client, vendor_admin, category, service_team, typed, field, kind):
    client.force_login(vendor_admin)
    inline = {f"fields-0-{name}": value for name, value in field.items()}
    extra = {"service_team": str(service_team.pk), "fields-TOTAL_FORMS": "1", "fields-0-kind": kind,
             "fields-0-position": "0"}
    if admin_round(client, "admin_category", Category, admin_url(Category, "add"), {**typed, **inline},
                   extra=extra):
        created = Category.objects.latest("pk")
        assert_stored(created, typed)
        assert_stored(created.fields.get(), {"label": field["label"], "help_text": field["help_text"]})
    if admin_round(client, "admin_category", Category, admin_url(Category, "change", category.pk), typed):
        assert_stored(category, typed)


@FEW
@given(typed=form_input(name=short(120), email=GOOD_EMAILS | st.just("")))
def test_admin_service_team(client, vendor_admin, service_team, typed):
    client.force_login(vendor_admin)
    if admin_round(client, "admin_service_team", ServiceTeam, admin_url(ServiceTeam, "add"), typed):
        assert ServiceTeam.objects.latest("pk").name == trimmed(typed["name"])
    if admin_round(client, "admin_service_team", ServiceTeam, admin_url(ServiceTeam, "change", service_team.pk),
                   typed):
        assert_stored(service_team, {"name": typed["name"]})


@FEW
@given(typed=form_input(title=short(120), body=free_text, position=st.integers(0, 10**6).map(str)))
def test_admin_canned_response(client, vendor_admin, service_team, typed):
    client.force_login(vendor_admin)
    canned = CannedResponse.objects.create(team=service_team, title="Greeting", body="Hello {customer_name}")
    if admin_round(client, "admin_canned", CannedResponse, admin_url(CannedResponse, "add"), typed):
        assert_stored(CannedResponse.objects.latest("pk"), typed)
    if admin_round(client, "admin_canned", CannedResponse, admin_url(CannedResponse, "change", canned.pk), typed):
        assert_stored(canned, typed)


@FEW
@given(request=form_input(customer_code=short(32), postal_code=short(16), rejection_reason=free_text),
       document=form_input(title=short(200), body=free_text))
def test_admin_link_request_and_legal_document(client, vendor_admin, organization, request, document):
    client.force_login(vendor_admin)
    link_request = pending_applicant(organization)
    if admin_round(client, "admin_other", LinkRequest, admin_url(LinkRequest, "change", link_request.pk), request):
        assert_stored(link_request, request)
    LegalDocument.objects.all().delete()
    if admin_round(client, "admin_other", LegalDocument, admin_url(LegalDocument, "add"), document,
                   extra={"kind": "terms", "language": "en"}):
        assert_stored(LegalDocument.objects.get(), document)
        check(client.get(reverse("accounts:terms")), "admin_other", counted=False)


SEARCHES = (
    *(("changelist", model._meta.app_label, model._meta.model_name, "")
      for model, model_admin in sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
      if model_admin.search_fields),
    ("autocomplete", "organizations", "membership", "user"),
    ("autocomplete", "organizations", "membership", "organization"),
    ("autocomplete", "tickets", "category", "parent"),
)


@PROPERTY
@given(q=hostile, search=st.sampled_from(SEARCHES))
# Each was a 500 before the bounded search (tessera/core/admin.py): SQLite refused a LIKE pattern over 50,000
# bytes and a query of a few thousand words, PostgreSQL a NUL; the libraries' lists (auth, axes) too.
@example(q="x" * 60_000, search=("changelist", "organizations", "organization", ""))
@example(q="a " * 5_000, search=("changelist", "accounts", "user", ""))
@example(q="a " * 5_000, search=("changelist", "auth", "group", ""))
@example(q="x" * 60_000, search=("changelist", "axes", "accessattempt", ""))
@example(q="a\x00b", search=("changelist", "tickets", "cannedresponse", ""))
@example(q="x" * 60_000, search=("autocomplete", "organizations", "membership", "organization"))
def test_admin_search(client, vendor_admin, customer, category, q, search):
    client.force_login(vendor_admin)
    kind, app_label, model_name, field_name = search
    if kind == "changelist":
        response = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"), {"q": q})
    else:
        response = client.get(reverse("admin:autocomplete"), {"term": q, "app_label": app_label,
                                                              "model_name": model_name, "field_name": field_name})
    assert check(response, "admin_search") and response.status_code == 200


REGISTERED = tuple(sorted(admin.site._registry, key=lambda model: model._meta.label))


def _is_id(model, value) -> bool:
    try:
        model._meta.pk.clean(value, None)
    except ValidationError:
        return False
    return True


@PROPERTY
@given(model=st.sampled_from(REGISTERED),
       action=st.sampled_from(["delete_selected", "invite_contact", "retry"]) | hostile,
       selected=st.lists(hostile | st.sampled_from(["1", " 2", "9" * 40, "-1"]), min_size=1, max_size=3),
       index=st.just("0") | hostile, confirm=st.booleans())
# Each was a 500 (ValueError or OverflowError) before SafeQueryMixin.response_action (tessera/core/admin.py).
@example(model=Organization, action="invite_contact", selected=["abc"], index="0", confirm=False)
@example(model=OutgoingEmail, action="retry", selected=["<script>"], index="0", confirm=False)
@example(model=Organization, action="delete_selected", selected=["9" * 40], index="0", confirm=True)
def test_admin_list_actions(client, vendor_admin, organization, customer, model, action, selected, index, confirm):
    """The action form above every list: any action name, and selected ids that are no ids."""
    client.force_login(vendor_admin)
    before = snapshot()
    data = {"action": action, "_selected_action": selected, "index": index, **({"post": "yes"} if confirm else {})}
    response = client.post(admin_url(model, "changelist"), data)
    check(response, "admin_actions")
    if not all(_is_id(model, value) for value in selected):
        assert snapshot() == before, "an action ran on a selection that was not valid"


PARAMETERS = ("o", "p", "e", "all", "_popup", "_to_field", "q", "is_active__exact", "created_at__gte",
              "created_at__year", "created_at__month", "created_at__day", "state__exact", "role__exact",
              "organization__id__exact", "service_team__id__exact", "depth__exact", "status__exact")


@PROPERTY
@given(model=st.sampled_from(REGISTERED),
       params=st.dictionaries(st.sampled_from(PARAMETERS) | hostile.map(lambda s: s[:50]), hostile, max_size=4),
       object_id=hostile)
def test_admin_list_parameters_and_object_ids(client, vendor_admin, organization, customer, model, params,
                                              object_id):
    """Sorting, paging, filters of every list, and an object id that names no row in the change, history
    and delete pages."""
    client.force_login(vendor_admin)
    check(client.get(admin_url(model, "changelist"), params), "admin_params")
    object_id = "".join(object_id.split("/")).replace("\n", "") or "x"
    for view in ("change", "history", "delete"):
        check(client.get(admin_url(model, view, object_id)), "admin_params")


# --- Password recovery ----------------------------------------------------------------------------------------


@PROPERTY
@given(email=emails)
def test_recovery_and_renewal_email_forms(client, customer, email):
    """The e-mail field of "forgot your password" and of "send me a new invitation link"."""
    for url, done in ((reverse("accounts:password_reset"), reverse("accounts:password_reset_sent")),
                      (reverse("accounts:invitation_renew"), reverse("accounts:invitation_renew_sent"))):
        before = snapshot()
        response = client.post(url, {"email": email})
        page = check(response, "recovery_email")
        if response.status_code == 302:
            assert response["Location"] == done
        else:
            assert_refused(response, page, "recovery_email", kept=[email], before=before)


ANSWER = "San Donà di Piave"


@PROPERTY
@given(typed=form_input(security_answer=st.sampled_from([ANSWER, "  SAN  donà di piave "]), password=GOOD_PASSWORDS),
       same=same_twice, asks=st.booleans())
def test_password_reset_through_the_link(client, customer, typed, same, asks):
    customer.security_question = SecurityQuestion.BIRTH_CITY if asks else ""
    customer.set_security_answer(ANSWER)
    customer.save()
    old_hash = customer.password
    raw = token_issue(user=customer, purpose=TokenPurpose.PASSWORD_RESET, valid_for=timedelta(hours=1))
    url = reverse("accounts:password_reset_confirm", args=[raw])
    check(client.get(url), "password_reset", counted=False)
    before = snapshot(skip=(AccountToken,))  # a wrong answer is counted on the link: on purpose
    password = typed["password"]
    response = client.post(url, {**typed, "password_repeat": password if same else password + "!"})
    page = check(response, "password_reset")
    customer.refresh_from_db()
    token = token_find(raw, purpose=TokenPurpose.PASSWORD_RESET)
    if response.status_code == 302:
        assert response["Location"] == reverse("accounts:login")
        assert customer.check_password(password) and token.used_at is not None
    else:
        assert_refused(response, page, "password_reset", before=before, skip=(AccountToken,))
        assert customer.password == old_hash and token.used_at is None


# --- Invitation -------------------------------------------------------------------------------------------------


def invited_contact(organization, first_name=""):
    """A contact the vendor invited, as contact_invite leaves it, and the raw token of the link."""
    user = User(email=f"invited{next(SERIAL)}@rossi.test", first_name=first_name, is_active=False)
    user.set_unusable_password()
    user.save()
    Membership.objects.create(user=user, organization=organization, role=Role.BASIC, is_active=False)
    return user, token_issue(user=user, purpose=TokenPurpose.INVITATION, valid_for=timedelta(days=7))


@PROPERTY
@given(typed=form_input(username=GOOD_USERNAMES, password=GOOD_PASSWORDS, security_question=QUESTIONS,
                        security_answer=short(200)),
       same=same_twice, first_name=storable)
def test_invitation_acceptance(client, organization, typed, same, first_name):
    invited, raw = invited_contact(organization, first_name)
    url = reverse("accounts:invitation_accept", args=[raw])
    check(client.get(url), "invitation_accept", counted=False)
    before = snapshot()
    password = typed["password"]
    response = client.post(url, {**typed, "password_repeat": password if same else password + "!"})
    page = check(response, "invitation_accept")
    invited.refresh_from_db()
    if response.status_code == 302:
        # Stored as typed, in its NFKC form (a fullwidth "ａ" is the "a" it looks like).
        assert invited.is_active and invited.username == unicodedata.normalize("NFKC", trimmed(typed["username"]))
        assert invited.check_password(password) and invited.check_security_answer(typed["security_answer"])
        assert invited.membership.is_active
        follow(client, response, "invitation_accept")
        client.logout()
    else:
        assert_refused(response, page, "invitation_accept", kept=[typed["username"]], before=before)
        assert not invited.is_active and invited.username is None and not invited.has_usable_password()


# --- The account page ---------------------------------------------------------------------------------------------


@PROPERTY
@given(typed=form_input(security_question=QUESTIONS, security_answer=short(200)))
def test_account_security_question(client, customer, typed):
    client.force_login(customer)
    before = snapshot()
    response = client.post(reverse("accounts:security_question_change"), {**typed, "current_password": PASSWORD})
    page = check(response, "account_security_question")
    if response.status_code == 302:
        customer.refresh_from_db()
        assert customer.security_question == typed["security_question"]
        assert customer.check_security_answer(typed["security_answer"])
        follow(client, response, "account_security_question")
    else:
        assert_refused(response, page, "account_security_question", before=before)


@pytest.fixture
def current_password():
    """The customer's password as the examples change it (the fixture lives through all of them)."""
    return {"value": PASSWORD}


@PROPERTY
@given(typed=form_input(old_password=st.just("current"), new_password=GOOD_PASSWORDS), same=same_twice)
def test_account_password_change(client, customer, current_password, typed, same):
    client.force_login(customer)
    current = current_password["value"]
    old = current if typed["old_password"] == "current" else typed["old_password"]
    new = typed["new_password"]
    before = snapshot()
    response = client.post(reverse("accounts:password_change"), {
        "old_password": old, "new_password": new, "new_password_repeat": new if same else new + "!",
    })
    page = check(response, "account_password")
    customer.refresh_from_db()
    if response.status_code == 302:
        assert customer.check_password(new)
        current_password["value"] = new
        follow(client, response, "account_password")
    else:
        assert_refused(response, page, "account_password", before=before)
        assert customer.check_password(current)


@PROPERTY
@given(typed=form_input(first_name=short(150), last_name=short(150), language=st.sampled_from(["it", "de", "en"]),
                        time_zone=st.sampled_from(["", "Europe/Rome", "America/Argentina/Buenos_Aires"])),
       notify=st.booleans())
def test_account_profile(client, customer, typed, notify):
    client.force_login(customer)
    before = snapshot()
    response = client.post(reverse("accounts:profile_change"),
                           {**typed, **({"notify_ticket_updates": "on"} if notify else {})})
    page = check(response, "account_profile")
    if response.status_code == 302:
        assert_stored(customer, typed)
        assert customer.notify_ticket_updates is notify
        follow(client, response, "account_profile")
    else:
        assert_refused(response, page, "account_profile", kept=[typed["first_name"], typed["last_name"]],
                       before=before)


# --- Invitations and approvals: the desk and the organization's administrator ---------------------------------


@PROPERTY
@given(typed=form_input(first_name=short(150), last_name=short(150), email=emails))
def test_desk_invitation(client, agent, organization, typed):
    client.force_login(agent)
    url = reverse("desk:organization_invite", args=[organization.pk])
    before = snapshot()
    response = client.post(url, typed)
    page = check(response, "desk_invite")
    if response.status_code == 302:
        invited = User.objects.get(email=stored_email(typed["email"]))
        assert (invited.first_name, invited.last_name) == (trimmed(typed["first_name"]), trimmed(typed["last_name"]))
        assert invited.membership.organization == organization and not invited.is_active
        follow(client, response, "desk_invite")
    else:
        assert_refused(response, page, "desk_invite", kept=typed.values(), before=before)
    assert_mail_safe()


def _assert_decided(link_request, state, reason=None):
    link_request.refresh_from_db()
    assert link_request.state == state
    if reason is not None:
        assert link_request.rejection_reason == trimmed(reason)


@PROPERTY
@given(typed=form_input(reason=short(1000)), next_url=next_urls, first_name=storable)
@example(typed={"reason": "Unknown practice"}, next_url="approvals", first_name="")  # was a 500: see _back_to
def test_desk_approvals(client, agent, organization, typed, next_url, first_name):
    client.force_login(agent)
    to_reject = pending_applicant(organization, first_name=first_name)
    check(client.get(reverse("desk:approvals")), "desk_approvals", counted=False)
    url = reverse("desk:approval_reject", args=[to_reject.pk])
    check(client.get(url, {"next": next_url}), "desk_approvals")
    before = snapshot()
    response = client.post(url, {**typed, "next": next_url})
    page = check(response, "desk_approvals")
    if response.status_code == 302:
        assert_safe_redirect(response, "desk_approvals")
        _assert_decided(to_reject, LinkRequest.State.REJECTED, typed["reason"])
    else:
        assert_refused(response, page, "desk_approvals", kept=[typed["reason"]], before=before)
        _assert_decided(to_reject, LinkRequest.State.PENDING)
    to_approve = pending_applicant(organization)
    response = client.post(reverse("desk:approval_approve", args=[to_approve.pk]), {"next": next_url})
    check(response, "desk_approvals")
    assert_safe_redirect(response, "desk_approvals")
    _assert_decided(to_approve, LinkRequest.State.APPROVED)
    assert_mail_safe()


@PROPERTY
@given(typed=form_input(reason=short(1000)), role=st.sampled_from([Role.BASIC, Role.MANAGER, Role.ADMIN]) | hostile,
       first_name=storable)
def test_organization_admin_decisions(client, org_admin, organization, typed, role, first_name):
    client.force_login(org_admin)
    to_reject = pending_applicant(organization, first_name=first_name)
    check(client.get(reverse("portal:organization_users")), "org_admin_decisions", counted=False)
    before = snapshot()
    response = client.post(reverse("portal:organization_link_reject", args=[to_reject.pk]), typed)
    page = check(response, "org_admin_decisions")
    if response.status_code == 302:
        _assert_decided(to_reject, LinkRequest.State.REJECTED, typed["reason"])
    else:
        assert_refused(response, page, "org_admin_decisions", kept=[typed["reason"]], before=before)
        _assert_decided(to_reject, LinkRequest.State.PENDING)
    membership = pending_applicant(organization).user.membership
    before = snapshot()
    response = client.post(reverse("portal:organization_user_activate", args=[membership.pk]), {"role": role})
    page = check(response, "org_admin_decisions")
    membership.refresh_from_db()
    if response.status_code == 302:
        assert membership.role == role and membership.is_active
    else:
        assert_refused(response, page, "org_admin_decisions", before=before)
        assert membership.role == Role.RESTRICTED
    assert_mail_safe()


# --- Self-registration and linking --------------------------------------------------------------------------------


@PROPERTY
@given(typed=form_input(email=GOOD_EMAILS, password=GOOD_PASSWORDS, consent=st.just("on"),
                        first_name=short(150), last_name=short(150)), same=same_twice)
def test_self_registration(client, db, typed, same):
    before = snapshot()
    password = typed["password"]
    response = client.post(reverse("accounts:register"),
                           {**typed, "password_repeat": password if same else password + "!"})
    page = check(response, "register")
    if response.status_code == 302:
        registered = User.objects.get(email=stored_email(typed["email"]))
        assert registered.check_password(password) or registered.is_active  # an address with an account: untouched
        follow(client, response, "register")
    else:
        assert_refused(response, page, "register", kept=[typed["email"]], before=before)


@PROPERTY
@given(password=hostile | st.just(PASSWORD))
def test_registration_confirmation(client, db, password):
    user = UserFactory(is_active=False)
    raw = token_issue(user=user, purpose=TokenPurpose.EMAIL_CONFIRMATION, valid_for=timedelta(days=1))
    url = reverse("accounts:register_confirm", args=[raw])
    check(client.get(url), "register_confirm", counted=False)
    before = snapshot(skip=(AccountToken,))  # a wrong password is counted on the link: on purpose
    response = client.post(url, {"password": password})
    page = check(response, "register_confirm")
    user.refresh_from_db()
    if response.status_code == 302:
        assert password == PASSWORD and user.is_active
    else:
        assert_refused(response, page, "register_confirm", before=before, skip=(AccountToken,))
        assert not user.is_active


@PROPERTY
@given(typed=form_input(customer_code=st.sampled_from(["100001", " 100001 "]),
                        postal_code=st.sampled_from(["20121", " 201 21 ", "20 121"])))
@example(typed={"customer_code": "１００００１", "postal_code": "20121"})  # fullwidth digits: no match, no error
@example(typed={"customer_code": "100001\u200b", "postal_code": "20121\u202e"})
def test_link_to_organization(client, organization, typed):
    user = UserFactory()
    client.force_login(user)
    before = snapshot()
    response = client.post(reverse("portal:link"), typed)
    page = check(response, "link")
    if response.status_code == 302:
        link_request = LinkRequest.objects.get(user=user)
        assert link_request.customer_code == trimmed(typed["customer_code"])
        assert link_request.postal_code == trimmed(typed["postal_code"])
        assert link_request.organization == organization
        follow(client, response, "link")
    else:
        assert_refused(response, page, "link", kept=typed.values(), before=before)
    LinkAttempt.objects.all().delete()
