
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tessera.tickets.models import Attachment, CategoryField, Ticket
from tessera.tickets.numbering import draw_ticket_number
from tessera.tickets.services import comment_add, ticket_create
from tessera.tickets.workflow import Status
from tests.factories import CategoryFactory, CommentFactory, TicketCCFactory, TicketFactory
from tests.html import parse

CREATE = reverse("portal:ticket_create")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def detail(ticket):
    return reverse("portal:ticket_detail", args=[ticket.number])


@pytest.fixture
def tree(service_team):
    """Practice management › Billing (with fields) › Month end; a second team for Billing."""
    from tests.factories import ServiceTeamFactory

    root = CategoryFactory(name="Practice management", service_team=service_team)
    billing_team = ServiceTeamFactory(name="Billing support")
    billing = CategoryFactory(name="Billing", parent=root, service_team=billing_team)
    month_end = CategoryFactory(name="Month end", parent=billing, service_team=None)
    CategoryField.objects.create(category=billing, key="invoice", label="Invoice number", kind="text", required=True)
    CategoryField.objects.create(
        category=month_end, key="module", label="Module", kind="choice", choices="Export\nPrint", required=False
    )
    return {"root": root, "billing": billing, "month_end": month_end, "billing_team": billing_team}


def form_data(tree, **overrides):
    data = {
        "title": "Month end export fails",
        "priority": "2",
        "external_reference": "REF-9",
        "category_1": tree["root"].pk,
        "category_2": tree["billing"].pk,
        "category_3": tree["month_end"].pk,
        "cf_invoice": "2026-0042",
        "cf_module": "Export",
        "cc_emails": "boss@rossi.test, accountant@rossi.test",
        "description": "Steps: open month end, click export.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_report_a_problem_creates_the_ticket_and_shows_number_and_team(client, customer, colleague, tree):
    client.force_login(customer)
    data = form_data(tree, cc_users=[colleague.pk])
    data["attachments"] = [SimpleUploadedFile("screen.png", PNG, content_type="image/png")]
    response = client.post(CREATE, data, follow=True)
    ticket = Ticket.objects.get()
    assert response.redirect_chain[-1][0] == detail(ticket)
    page = response.content.decode()
    assert ticket.number in page and "Billing support" in page
    assert ticket.category == tree["month_end"] and ticket.service_team == tree["billing_team"]
    assert ticket.priority == 2 and ticket.external_reference == "REF-9"
    assert ticket.field_values == {"invoice": "2026-0042", "module": "Export"}
    assert set(ticket.cc_entries.values_list("email", flat=True)) == {
        colleague.email, "boss@rossi.test", "accountant@rossi.test"
    }
    assert ticket.attachments.get().original_name == "screen.png"
    assert "screen.png" in page


def test_invalid_input_keeps_every_value_and_explains_next_to_the_field(client, customer, tree):
    client.force_login(customer)
    data = form_data(tree, title="", cf_invoice="", cc_emails="boss@rossi.test, not-an-address")
    response = client.post(CREATE, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"title", "cf_invoice", "cc_emails"}
    page = response.content.decode()
    assert "not-an-address is not a valid e-mail address." in page
    assert "Steps: open month end, click export." in page
    assert 'value="REF-9"' in page
    assert Ticket.objects.count() == 0


def test_reporting_a_problem_reads_the_category_tree_and_its_fields_once(client, customer, tree,
                                                                         django_assert_max_num_queries):
    draw_ticket_number()  # the counter exists from the installation's first ticket on
    client.force_login(customer)
    data = form_data(tree, cc_emails="")
    with django_assert_max_num_queries(13) as captured:  # 2 of them count the last hour's tickets and mail; SLA: 1
        response = client.post(CREATE, data)
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response.url == detail(ticket)
    assert ticket.category == tree["month_end"] and ticket.service_team == tree["billing_team"]
    assert ticket.field_values == {"invoice": "2026-0042", "module": "Export"}
    statements = [query["sql"] for query in captured.captured_queries]
    assert sum('FROM "tickets_category"' in sql for sql in statements) == 1
    assert sum('FROM "tickets_categoryfield"' in sql for sql in statements) == 1
    assert not any('FROM "tickets_serviceteam"' in sql for sql in statements)
    # The counter's row stays locked from the draw to the end of the transaction: only the inserts follow it,
    # and the SLA's look-up of the ticket's policy (tessera/sla, one indexed read).
    draw = next(i for i, sql in enumerate(statements) if "tickets_ticketnumbercounter" in sql)
    assert all(
        sql.startswith(("INSERT", "RELEASE SAVEPOINT")) or '"sla_policy"' in sql for sql in statements[draw + 1:]
    )


def test_the_form_lists_the_colleagues_for_cc_from_one_query(client, customer, colleague, tree,
                                                              django_assert_max_num_queries):
    client.force_login(customer)
    with django_assert_max_num_queries(5) as captured:
        page = client.get(CREATE).content.decode()
    assert [box.get("value") for box in parse(page).find_all("input", name="cc_users")] == [str(colleague.pk)]
    statements = [query["sql"] for query in captured.captured_queries]
    assert sum('FROM "accounts_user"' in sql for sql in statements) == 2  # the one logged in, the colleagues
    assert not any(sql.startswith("DECLARE") for sql in statements)  # no server-side cursor on PostgreSQL
    assert sum('FROM "tickets_category"' in sql for sql in statements) == 1


def test_a_category_that_is_not_offered_is_refused(client, customer, tree):
    other_root = CategoryFactory(name="Hardware")
    client.force_login(customer)
    response = client.post(CREATE, form_data(tree, category_2=other_root.pk, category_3=None))
    assert response.status_code == 200
    errors = response.context["form"].errors["category_2"]
    assert "Select a valid choice. That choice is not one of the available choices." in errors
    assert Ticket.objects.count() == 0


def test_level_two_is_required_when_level_one_has_children(client, customer, tree):
    client.force_login(customer)
    response = client.post(CREATE, form_data(tree, category_2=None, category_3=None, cf_invoice=None))
    assert "category_2" in response.context["form"].errors
    assert Ticket.objects.count() == 0


def test_dependent_selects_without_javascript(client, customer, tree):
    client.force_login(customer)
    response = client.post(CREATE, {"title": "Typed", "category_1": tree["root"].pk, "refresh": "1"})
    page = response.content.decode()
    assert 'name="category_2"' in page and "Billing" in page
    assert 'value="Typed"' in page
    assert not response.context["form"].is_bound  # nothing judged yet
    assert Ticket.objects.count() == 0


def test_dependent_selects_partial_for_htmx(client, customer, tree):
    client.force_login(customer)
    url = reverse("portal:ticket_create_categories")
    response = client.get(url, {"category_1": tree["root"].pk, "category_2": tree["billing"].pk})
    page = response.content.decode()
    assert 'name="category_3"' in page and "Month end" in page
    assert "Invoice number" in page  # the chosen category's fields
    assert "<html" not in page


def test_oversized_upload_is_refused_while_streaming(client, customer, tree, settings, tmp_path):
    settings.TESSERA_ATTACHMENT_MAX_BYTES = 1024
    client.force_login(customer)
    data = form_data(tree)
    data["attachments"] = [SimpleUploadedFile("big.png", PNG + b"\x00" * 5000, content_type="image/png")]
    response = client.post(CREATE, data)
    assert "The file big.png is larger than" in response.content.decode()
    assert "Please choose your attachments again" in response.content.decode()
    assert Ticket.objects.count() == 0
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*.png"))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.png", b"", "is empty"),
        ("virus.exe", b"MZ" + b"\x00" * 100, "cannot be attached"),
        ("fake.png", b"%PDF-1.4 not a png", "does not match its type"),
    ],
)
def test_bad_files_are_refused_with_a_message(client, customer, tree, name, content, message):
    client.force_login(customer)
    data = form_data(tree)
    data["attachments"] = [SimpleUploadedFile(name, content)]
    response = client.post(CREATE, data)
    assert message in response.content.decode()
    assert Ticket.objects.count() == 0


def test_restricted_user_cannot_open_the_form_or_post(client, restricted_user, tree):
    client.force_login(restricted_user)
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, form_data(tree)).status_code == 403
    assert Ticket.objects.count() == 0


def test_ticket_page_shows_seed_fields_and_public_comments_only(client, customer, agent, tree):
    ticket = ticket_create(
        author=customer, title="Printer", category=tree["month_end"], priority=3,
        field_values={"invoice": "77"}, external_reference="EXT-1",
    )
    comment_add(ticket=ticket, author=agent, body="We are looking into it.")
    comment_add(ticket=ticket, author=agent, body="Secret internal remark", is_internal=True)
    client.force_login(customer)
    page = client.get(detail(ticket)).content.decode()
    for text in ["Printer", "medium (prio. 3)", "Practice management", "Billing", "Month end", "Billing support",
                 "EXT-1", "Invoice number", "77", "We are looking into it.", "Open"]:
        assert text in page, text
    assert "Secret internal remark" not in page
    assert "Your request has been received by the customer support team" in page


def test_comment_on_customer_action_moves_to_additional_info(client, customer, category):
    ticket = TicketFactory(created_by=customer, category=category, status=Status.CUSTOMER_ACTION)
    client.force_login(customer)
    response = client.post(
        reverse("portal:ticket_comment", args=[ticket.number]),
        {"body": "Here is the log", "attachments": [SimpleUploadedFile("log.txt", b"line one\n")]},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.ADDITIONAL_INFO
    assert ticket.comments.get().attachments.get().original_name == "log.txt"


def test_empty_comment_is_refused_on_the_ticket_page(client, customer, category):
    ticket = TicketFactory(created_by=customer, category=category)
    client.force_login(customer)
    response = client.post(reverse("portal:ticket_comment", args=[ticket.number]), {"body": "  "})
    assert response.status_code == 400
    assert "Write a comment or attach a file." in response.content.decode()


def test_close_asks_for_confirmation_then_cancels(client, customer, category):
    ticket = TicketFactory(created_by=customer, category=category, status=Status.IN_PROCESS)
    client.force_login(customer)
    url = reverse("portal:ticket_close", args=[ticket.number])
    assert "Do you really want to close" in client.get(url).content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROCESS
    client.post(url, {"reason": "Solved it myself"})
    ticket.refresh_from_db()
    assert ticket.status == Status.CANCELED and ticket.closed_at is not None
    page = client.get(detail(ticket)).content.decode()
    assert "Open a follow-up ticket" in page and "Add comment" not in page


def test_accept_and_reject_solution(client, customer, category):
    accepted = TicketFactory(created_by=customer, category=category, status=Status.SOLUTION_PROVIDED)
    rejected = TicketFactory(created_by=customer, category=category, status=Status.SOLUTION_PROVIDED)
    client.force_login(customer)
    client.post(reverse("portal:ticket_accept", args=[accepted.number]))
    response = client.post(reverse("portal:ticket_reject", args=[rejected.number]), {"reason": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    client.post(reverse("portal:ticket_reject", args=[rejected.number]), {"reason": "Still fails"})
    accepted.refresh_from_db()
    rejected.refresh_from_db()
    assert accepted.status == Status.COMPLETED
    assert rejected.status == Status.IN_PROCESS
    assert rejected.comments.get().body == "Still fails"


def test_accepting_a_solution_no_longer_offered_says_so_on_the_ticket_page(client, customer, category):
    """The status changed meanwhile (portal.errors): a message above the ticket, nothing changed."""
    ticket = TicketFactory(created_by=customer, category=category, status=Status.IN_PROCESS)
    client.force_login(customer)
    response = client.post(reverse("portal:ticket_accept", args=[ticket.number]), follow=True)
    assert response.redirect_chain == [(detail(ticket), 302)]
    assert "This is no longer possible: the ticket&#x27;s status has changed." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROCESS


def test_closed_ticket_is_read_only(client, customer, category):
    ticket = TicketFactory(created_by=customer, category=category, status=Status.COMPLETED)
    client.force_login(customer)
    client.post(reverse("portal:ticket_comment", args=[ticket.number]), {"body": "late"})
    client.post(reverse("portal:ticket_close", args=[ticket.number]))
    ticket.refresh_from_db()
    assert ticket.comments.count() == 0 and ticket.status == Status.COMPLETED


def test_follow_up_ticket_links_the_two(client, customer, tree):
    old = TicketFactory(created_by=customer, category=tree["month_end"], status=Status.COMPLETED, title="Old")
    client.force_login(customer)
    page = client.get(CREATE + f"?follow_up={old.number}").content.decode()
    assert "Follow-up: Old" in page
    data = form_data(tree, title="Again", follow_up=old.number)
    client.post(CREATE, data)
    new = Ticket.objects.exclude(pk=old.pk).get()
    assert new.follow_up_of == old
    assert new.number in client.get(detail(old)).content.decode()


def test_add_cc(client, customer, colleague, outsider, category):
    ticket = TicketFactory(created_by=customer, category=category)
    client.force_login(customer)
    url = reverse("portal:ticket_cc_add", args=[ticket.number])
    client.post(url, {"cc_users": [colleague.pk], "cc_emails": "x@rossi.test"})
    assert set(ticket.cc_entries.values_list("email", flat=True)) == {colleague.email, "x@rossi.test"}
    response = client.post(url, {"cc_users": [outsider.pk]})
    assert response.status_code == 400
    assert ticket.cc_entries.count() == 2


def test_attachment_download_is_checked_and_never_rendered_inline(client, customer, category):
    ticket = ticket_create(
        author=customer, title="With file", category=category,
        attachments=[SimpleUploadedFile("note.txt", b"hello")],
    )
    attachment = ticket.attachments.get()
    client.force_login(customer)
    response = client.get(reverse("portal:attachment_download", args=[ticket.number, attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"hello"


def test_attachment_of_an_internal_note_is_hidden_from_customers(client, customer, agent, category):
    ticket = TicketFactory(created_by=customer, category=category)
    note = comment_add(
        ticket=ticket, author=agent, body="internal", is_internal=True,
        attachments=[SimpleUploadedFile("secret.txt", b"secret")],
    )
    attachment = note.attachments.get()
    client.force_login(customer)
    url = reverse("portal:attachment_download", args=[ticket.number, attachment.pk])
    assert client.get(url).status_code == 404
    client.force_login(agent)
    assert client.get(url).status_code == 200


ISOLATED_URLS = [
    ("portal:ticket_detail", "get", {}),
    ("portal:ticket_comment", "post", {"body": "x"}),
    ("portal:ticket_cc_add", "post", {"cc_emails": "a@example.test"}),
    ("portal:ticket_close", "get", {}),
    ("portal:ticket_close", "post", {}),
    ("portal:ticket_accept", "post", {}),
    ("portal:ticket_reject", "post", {"reason": "x"}),
]


@pytest.mark.parametrize(("name", "method", "data"), ISOLATED_URLS)
def test_outsider_colleague_and_restricted_get_404(client, customer, colleague, outsider, restricted_user,
                                                   category, name, method, data):
    ticket = TicketFactory(created_by=customer, category=category, status=Status.SOLUTION_PROVIDED,
                           title="Confidential title")
    url = reverse(name, args=[ticket.number])
    for intruder in (outsider, colleague, restricted_user):
        client.force_login(intruder)
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (intruder, name)
        assert "Confidential title" not in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLUTION_PROVIDED and ticket.comments.count() == 0


def test_attachment_url_of_another_organization_is_404(client, customer, outsider, category):
    ticket = ticket_create(author=customer, title="x", category=category,
                           attachments=[SimpleUploadedFile("a.txt", b"abc")])
    attachment = ticket.attachments.get()
    client.force_login(outsider)
    assert client.get(reverse("portal:attachment_download", args=[ticket.number, attachment.pk])).status_code == 404
    # and not through a ticket of the outsider's own either
    own = TicketFactory(created_by=outsider, category=category)
    assert client.get(reverse("portal:attachment_download", args=[own.number, attachment.pk])).status_code == 404


def test_colleague_in_cc_sees_the_ticket(client, customer, colleague, category):
    ticket = TicketFactory(created_by=customer, category=category)
    TicketCCFactory(ticket=ticket, user=colleague)
    client.force_login(colleague)
    assert client.get(detail(ticket)).status_code == 200


@pytest.mark.parametrize("comments", [5, 60])
def test_ticket_page_query_count_is_constant(client, customer, agent, category, comments,
                                             django_assert_max_num_queries):
    ticket = TicketFactory(created_by=customer, category=category)
    for i in range(comments):
        comment = CommentFactory(ticket=ticket, author=agent if i % 2 else customer)
        Attachment.objects.create(ticket=ticket, comment=comment, file="attachments/x.txt", original_name=f"{i}.txt",
                                  size=3)
    client.force_login(customer)
    client.get(detail(ticket))  # the branding is cached by the first page a process serves: not counted here
    with django_assert_max_num_queries(11):  # SLA ("We aim to answer by"): 1
        response = client.get(detail(ticket))
    assert response.status_code == 200


def test_script_in_title_and_comment_is_escaped(client, customer, category):
    ticket = TicketFactory(created_by=customer, category=category, title="<script>alert(1)</script>")
    CommentFactory(ticket=ticket, body="<img src=x onerror=alert(2)>")
    client.force_login(customer)
    page = client.get(detail(ticket)).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<img src=x" not in page


