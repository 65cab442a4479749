"""Hostile input (issue 8, item 2): property-based tests posting hostile strings into every form.

Every property asserts that no input yields a 500 (status < 500; the test client re-raises any
exception a view lets escape) and that the script payloads never come back unescaped. Each
property counts the inputs it tried; the module prints the total when it finishes (run with -s).
"""

import csv
import io
from collections import Counter

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from tessera.notifications.models import OutgoingEmail
from tessera.tickets import exports, services
from tessera.tickets.models import Comment, Ticket
from tessera.tickets.workflow import Status

from ..factories import CategoryFieldFactory, TicketFactory
from .hostile import FEW, FORMULAS, PROPERTY, UNSAFE_MARKERS, examples, hostile, storable

TRIED: Counter = Counter()
SUBJECTS_CHECKED: set = set()


@pytest.fixture(scope="module", autouse=True)
def _report_count():
    yield
    print(f"\nHOSTILE INPUTS TRIED: {sum(TRIED.values())} {dict(TRIED)}; "
          f"distinct e-mail subjects checked: {len(SUBJECTS_CHECKED)}")


@pytest.fixture(autouse=True)
def _no_hourly_limits(settings):
    """Hundreds of examples share one test's database: the hourly limits of a customer would stop them."""
    settings.TESSERA_TICKETS_PER_HOUR_PER_USER = settings.TESSERA_TICKETS_PER_HOUR_PER_ORGANIZATION = 10**9
    settings.TESSERA_CUSTOMER_ACTIONS_PER_HOUR_PER_USER = 10**9
    settings.TESSERA_CUSTOMER_ACTIONS_PER_HOUR_PER_ORGANIZATION = 10**9


def check(response, name):
    TRIED[name] += 1
    assert response.status_code < 500, (name, response.status_code)
    if "html" in response.get("Content-Type", "") and not getattr(response, "streaming", False):
        page = response.content.decode("utf-8", "replace")
        for marker in UNSAFE_MARKERS:
            assert marker not in page, (name, marker)
    return response


def follow(client, response, name):
    """The page a successful post redirects to, checked too (it shows what was stored)."""
    if response.status_code == 302 and response["Location"].startswith("/"):
        check(client.get(response["Location"]), name)


def assert_subjects_one_line():
    for subject, html in OutgoingEmail.objects.values_list("subject", "html"):
        SUBJECTS_CHECKED.add(subject)
        assert "\r" not in subject and "\n" not in subject, subject
        for marker in UNSAFE_MARKERS:
            assert marker not in html, marker


# --- Portal -----------------------------------------------------------------------------------------------


@PROPERTY
@given(title=hostile, reference=hostile, description=hostile, cc=hostile, extra=hostile)
def test_report_a_problem(client, customer, category, title, reference, description, cc, extra):
    field = CategoryFieldFactory(category=category, key="version", label="Version")
    client.force_login(customer)
    response = check(client.post(reverse("portal:ticket_create"), {
        "title": title, "priority": "3", "external_reference": reference, "description": description,
        "cc_emails": cc, "category_1": str(category.pk), f"cf_{field.key}": extra,
    }), "ticket_create")
    follow(client, response, "ticket_create")
    assert_subjects_one_line()
    field.delete()


def assert_sent_mail_safe(mailoutbox):
    for mail in mailoutbox:
        SUBJECTS_CHECKED.add(mail.subject)
        assert "\r" not in mail.subject and "\n" not in mail.subject, mail.subject
        message = mail.message()  # what goes on the wire: one Subject header, no injected Bcc
        assert message.get_all("Bcc") is None, mail.subject
        assert len(message.get_all("Subject")) == 1
        for marker in UNSAFE_MARKERS:
            for body, _type in getattr(mail, "alternatives", []):
                assert marker not in body, marker
    mailoutbox.clear()


@settings(PROPERTY, max_examples=examples(20))
@given(title=st.sampled_from(["x\r\nBcc: a@b.c", "x\nBcc: a@b.c", "a\rb", "\r\n\r\n<b>x</b>"]) | hostile,
       reply=hostile)
def test_title_cannot_inject_mail_headers(client, customer, agent, category, deliver, mailoutbox, title, reply):
    """The confirmation to the customer and the agent's reply notification carry the hostile title."""
    client.force_login(customer)
    with deliver():
        response = check(client.post(reverse("portal:ticket_create"), {
            "title": title, "priority": "3", "category_1": str(category.pk), "description": reply,
        }), "mail_header")
    follow(client, response, "mail_header")
    assert_subjects_one_line()
    assert_sent_mail_safe(mailoutbox)
    ticket = Ticket.objects.filter(created_by=customer).order_by("-pk").first()
    if ticket is not None and response.status_code == 302:
        client.force_login(agent)
        with deliver():
            check(client.post(reverse("desk:ticket_reply", args=[ticket.number]), {"body": reply or "x",
                                                                                    "send": "public"}),
                  "mail_header")
        assert_subjects_one_line()
        assert_sent_mail_safe(mailoutbox)


@PROPERTY
@given(body=hostile)
def test_comment(client, customer, category, body):
    ticket = TicketFactory(created_by=customer, category=category, status=Status.IN_PROCESS)
    client.force_login(customer)
    response = check(client.post(reverse("portal:ticket_comment", args=[ticket.number]), {"body": body}), "comment")
    follow(client, response, "comment")
    check(client.get(reverse("portal:ticket_detail", args=[ticket.number])), "comment")
    assert_subjects_one_line()


@FEW
@given(cc=hostile)
def test_cc_add(client, customer, category, cc):
    ticket = TicketFactory(created_by=customer, category=category, status=Status.IN_PROCESS)
    client.force_login(customer)
    response = check(client.post(reverse("portal:ticket_cc_add", args=[ticket.number]), {"cc_emails": cc}), "cc_add")
    follow(client, response, "cc_add")


@FEW
@given(reason=hostile)
def test_close_reason(client, customer, category, reason):
    ticket = TicketFactory(created_by=customer, category=category, status=Status.IN_PROCESS)
    client.force_login(customer)
    response = check(client.post(reverse("portal:ticket_close", args=[ticket.number]), {"reason": reason}), "close")
    follow(client, response, "close")


@FEW
@given(reason=hostile)
def test_reject_reason(client, customer, category, reason):
    ticket = TicketFactory(created_by=customer, category=category, status=Status.SOLUTION_PROVIDED)
    client.force_login(customer)
    url = reverse("portal:ticket_reject", args=[ticket.number])
    response = check(client.post(url, {"reason": reason, "message": reason}), "reject")
    follow(client, response, "reject")


@PROPERTY
@given(q=hostile, sort=hostile, status=st.lists(hostile, max_size=3), page=hostile, own=hostile, selected=hostile)
def test_ticket_list_params(client, manager, category, q, sort, status, page, own, selected):
    TicketFactory(created_by=manager, category=category, title="<script>alert(7331)</script>")
    client.force_login(manager)
    params = {"q": q, "sort": sort, "status": status, "page": page, "own": own, "selected": selected}
    check(client.get(reverse("portal:ticket_list"), params), "ticket_list")
    check(client.get(reverse("portal:ticket_filter"), params), "ticket_list")


def _csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=exports.csv_delimiter()))


def _assert_neutral(cell):
    assert not (isinstance(cell, str) and cell.startswith(exports.FORMULA_TRIGGERS)), cell


@PROPERTY
@given(title=storable, first_name=storable, q=hostile)
def test_export_neutralizes_formulas(client, manager, category, title, first_name, q):
    manager.first_name = first_name[:150]
    manager.save(update_fields=["first_name"])
    TicketFactory(created_by=manager, category=category, title=title[:200])
    TicketFactory(created_by=manager, category=category, title=FORMULAS[len(title) % len(FORMULAS)])
    client.force_login(manager)
    response = check(client.get(reverse("portal:ticket_export", args=["csv"])), "export")
    assert response.status_code == 200
    for row in _csv_rows(response)[1:]:
        for cell in row:
            _assert_neutral(cell)
    check(client.get(reverse("portal:ticket_export", args=["csv"]), {"q": q, "sort": q}), "export")


@FEW
@given(title=storable)
def test_xlsx_export_neutralizes_formulas(client, manager, category, title):
    import openpyxl

    TicketFactory(created_by=manager, category=category, title=title[:200])
    TicketFactory(created_by=manager, category=category, title=FORMULAS[len(title) % len(FORMULAS)])
    client.force_login(manager)
    response = check(client.get(reverse("portal:ticket_export", args=["xlsx"])), "export")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    for row in book.active.iter_rows(min_row=2, values_only=True):
        for cell in row:
            _assert_neutral(cell)
            assert not (isinstance(cell, str) and cell.startswith("=")), cell


@PROPERTY
@given(username=hostile, password=hostile)
def test_login_form(client, db, username, password):
    check(client.post(reverse("accounts:login"), {"username": username, "password": password}), "login")


@PROPERTY
@given(email=hostile, password=hostile, question=hostile, answer=hostile)
def test_registration_form(client, db, email, password, question, answer):
    check(client.post(reverse("accounts:register"), {
        "email": email, "password": password, "password_repeat": password, "consent": "on",
        "security_question": question, "security_answer": answer,
    }), "register")


@PROPERTY
@given(code=hostile, postal=hostile)
def test_link_form(client, unlinked_user, organization, code, postal):
    client.force_login(unlinked_user)
    response = check(client.post(reverse("portal:link"), {"customer_code": code, "postal_code": postal}), "link")
    follow(client, response, "link")


@PROPERTY
@given(first=hostile, last=hostile, language=hostile, zone=hostile)
def test_profile_form(client, customer, first, last, language, zone):
    client.force_login(customer)
    for lang in (language, "en"):
        response = check(client.post(reverse("accounts:profile_change"), {
            "first_name": first, "last_name": last, "language": lang, "time_zone": zone,
        }), "profile")
        follow(client, response, "profile")
    check(client.get(reverse("accounts:account")), "profile")


# --- Desk -------------------------------------------------------------------------------------------------


@PROPERTY
@given(q=hostile, status=hostile, team=hostile, priority=hostile, organization=hostile, assignee=hostile,
       category_value=hostile, sort=hostile, page=hostile, queue=st.sampled_from(["open", "mine", "unassigned"]))
def test_desk_queue_params(client, agent, customer, category, q, status, team, priority, organization, assignee,
                           category_value, sort, page, queue):
    TicketFactory(created_by=customer, category=category, title="<script>alert(7331)</script>")
    client.force_login(agent)
    check(client.get(reverse("desk:queue", args=[queue]), {
        "q": q, "status": status, "team": team, "priority": priority, "organization": organization,
        "assignee": assignee, "category": category_value, "sort": sort, "page": page,
    }), "desk_queue")


@PROPERTY
@given(body=hostile, send=st.sampled_from(["public", "internal", "", "bogus"]) | hostile)
def test_desk_reply_and_note(client, agent, customer, category, body, send):
    ticket = TicketFactory(created_by=customer, category=category, status=Status.IN_PROCESS)
    client.force_login(agent)
    response = check(client.post(reverse("desk:ticket_reply", args=[ticket.number]), {"body": body, "send": send}),
                     "desk_reply")
    follow(client, response, "desk_reply")
    check(client.get(reverse("desk:ticket", args=[ticket.number])), "desk_reply")
    client.force_login(customer)
    check(client.get(reverse("portal:ticket_detail", args=[ticket.number])), "desk_reply")
    assert_subjects_one_line()


@PROPERTY
@given(number=hostile | st.integers(-(10**30), 10**30).map(str), confirm=st.booleans())
def test_desk_link_and_merge_number(client, agent, customer, category, number, confirm):
    ticket = TicketFactory(created_by=customer, category=category, status=Status.IN_PROCESS)
    client.force_login(agent)
    check(client.post(reverse("desk:ticket_link", args=[ticket.number]), {"number": number}), "desk_link_merge")
    data = {"number": number, **({"confirm": "1"} if confirm else {})}
    check(client.post(reverse("desk:ticket_merge", args=[ticket.number]), data), "desk_link_merge")
    check(client.post(reverse("desk:ticket_unlink", args=[ticket.number, number.replace("/", "") or "0"])),
          "desk_link_merge")


@FEW
@given(cc=hostile, message=hostile, action=hostile)
def test_desk_cc_and_status(client, agent, customer, category, cc, message, action):
    ticket = TicketFactory(created_by=customer, category=category, status=Status.IN_PROCESS)
    client.force_login(agent)
    check(client.post(reverse("desk:ticket_cc_add", args=[ticket.number]), {"cc_emails": cc}), "desk_cc_status")
    check(client.post(reverse("desk:ticket_cc_remove", args=[ticket.number]), {"email": cc}), "desk_cc_status")
    for act in (action, "request_info", "provide_solution"):
        check(client.post(reverse("desk:ticket_status", args=[ticket.number]), {"action": act, "message": message}),
              "desk_cc_status")
    assert_subjects_one_line()


@PROPERTY
@given(action=hostile, actor=hostile, ip=hostile, organization=hostile, date_from=hostile, date_to=hostile,
       page=hostile)
def test_audit_log_filters(client, vendor_admin, action, actor, ip, organization, date_from, date_to, page):
    client.force_login(vendor_admin)
    check(client.get(reverse("desk:audit_log"), {
        "action": action, "actor": actor, "ip_address": ip, "organization": organization,
        "date_from": date_from, "date_to": date_to, "page": page,
    }), "audit_log")


@FEW
@given(number=hostile)
def test_ticket_number_in_urls(client, customer, agent, number):
    number = number.replace("/", "") or "x"
    client.force_login(customer)
    for name in ("portal:ticket_detail", "portal:ticket_pane"):
        check(client.get(reverse(name, args=[number])), "number_in_url")
    client.force_login(agent)
    check(client.get(reverse("desk:ticket", args=[number])), "number_in_url")


# --- Services, called directly ----------------------------------------------------------------------------


ON_POSTGRESQL = "postgresql" in django_settings.DATABASES["default"]["ENGINE"]
no_nul = hostile.map(lambda s: s.replace("\x00", ""))


def _services_round(customer, category, title, description, body):
    from django.db import transaction

    TRIED["services"] += 1
    try:
        with transaction.atomic():
            ticket = services.ticket_create(author=customer, title=title[:200], category=category,
                                            description=description)
    except (ValidationError, PermissionDenied):
        ticket = TicketFactory(created_by=customer, category=category, status=Status.IN_PROCESS)
    try:
        with transaction.atomic():
            services.comment_add(ticket=ticket, author=customer, body=body)
    except (ValidationError, PermissionDenied):
        pass
    assert_subjects_one_line()


@PROPERTY
@given(title=no_nul, description=no_nul, body=no_nul)
def test_services_with_hostile_text(customer, category, title, description, body):
    """Direct callers get the ticket or a ValidationError/PermissionDenied, never a database error."""
    _services_round(customer, category, title, description, body)


@pytest.mark.parametrize(("title", "description", "body"), [
    ("a\x00b", "d", "c"), ("t", "a\x00b", "c"), ("t", "d", "a\x00b"), ("t", "d", "\x00"),
])
def test_services_with_nul_bytes(customer, category, title, description, body):
    """NUL characters, which PostgreSQL refuses in text, are dropped by the services: no database error."""
    _services_round(customer, category, title, description, body)
    assert all("\x00" not in t.title + t.description for t in Ticket.objects.all())


# --- Inbound e-mail: the one way hostile text reaches the services without a Django form ---------------------

SUPPORT = "support@tessera.example"


def _inbound(customer, category, subject, body, reply):
    from tessera.notifications.inbound import process_inbound_message
    from tessera.notifications.reply_tokens import reply_to_address

    from ..factories import email_message

    TRIED["inbound_mail"] += 1
    ticket = TicketFactory(created_by=customer, category=category, status=Status.IN_PROCESS)
    to = reply_to_address(ticket_id=ticket.pk, user_id=customer.pk) if reply else SUPPORT
    message = email_message(sender=customer.email, to=to, subject=subject, body=body)
    process_inbound_message(message.as_bytes())
    assert_subjects_one_line()


one_line = no_nul.map(lambda s: " ".join(s.split())[:500])


@FEW
@given(subject=one_line, body=no_nul, reply=st.booleans())
def test_inbound_mail_with_hostile_text(customer, category, subject, body, reply):
    _inbound(customer, category, subject, body + "\n", reply)


@pytest.mark.parametrize(("subject", "body", "reply"), [
    ("Printer", "a\x00b\n", True),  # a reply: comment_add (inbound.py:572)
    ("Printer", "a\x00b\n", False),  # a new ticket: ticket_create (inbound.py:648)
    ("Prin\x00ter", "body\n", False),
])
def test_inbound_mail_with_nul_bytes(customer, category, subject, body, reply):
    """Mail does not pass through forms: the services drop NUL themselves, so the mail is processed."""
    _inbound(customer, category, subject, body, reply)
    assert all("\x00" not in t.title + t.description for t in Ticket.objects.all())
    assert all("\x00" not in c.body for c in Comment.objects.all())


@pytest.mark.parametrize("payload", UNSAFE_MARKERS)
def test_payloads_are_shown_escaped_not_dropped(client, customer, agent, category, payload):
    """The check above is not vacuous: the payload does come back, escaped, on both sides."""
    client.force_login(customer)
    response = client.post(reverse("portal:ticket_create"), {
        "title": payload, "priority": "3", "category_1": str(category.pk), "description": payload,
    })
    assert response.status_code == 302
    ticket = Ticket.objects.get(created_by=customer)
    client.post(reverse("portal:ticket_comment", args=[ticket.number]), {"body": payload})
    escaped = payload.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    for user, url in ((customer, reverse("portal:ticket_detail", args=[ticket.number])),
                      (agent, reverse("desk:ticket", args=[ticket.number]))):
        client.force_login(user)
        page = check(client.get(url), "escaped").content.decode()
        assert escaped in page and payload not in page
