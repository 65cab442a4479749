"""The customer endpoints: exactly the portal's visibility, through the same policy and services."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tessera.audit.models import AuditAction, AuditEntry
from tessera.tickets.models import Attachment, CategoryField, Comment, Source, Ticket
from tessera.tickets.services import comment_add, ticket_create
from tessera.tickets.workflow import Status
from tests.factories import CategoryFactory, CategoryFieldFactory, TicketCCFactory

pytestmark = pytest.mark.django_db


def _ticket(author, category, title="Printer broken", **kwargs):
    return ticket_create(author=author, title=title, category=category, **kwargs)


def _numbers(response):
    assert response.status_code == 200, response.content
    return [row["number"] for row in response.json()["results"]]


def test_list_shows_what_the_portal_shows(api, customer, colleague, manager, outsider, category):
    own = _ticket(customer, category, "Mine")
    theirs = _ticket(colleague, category, "Colleague's")
    in_cc = _ticket(colleague, category, "CC")
    TicketCCFactory(ticket=in_cc, user=customer, email=customer.email)
    assert sorted(_numbers(api(customer).get("/api/v1/tickets/"))) == sorted([own.number, in_cc.number])
    assert sorted(_numbers(api(manager).get("/api/v1/tickets/"))) == sorted([own.number, theirs.number, in_cc.number])
    assert _numbers(api(outsider).get("/api/v1/tickets/")) == []


def test_list_filters_by_status_searches_and_sorts(api, customer, category, no_hourly_limits):
    first = _ticket(customer, category, "Printer jams")
    second = _ticket(customer, category, "Scanner slow")
    Ticket.objects.filter(pk=second.pk).update(status=Status.IN_PROCESS)
    client = api(customer)
    assert _numbers(client.get("/api/v1/tickets/", {"status": "in_process"})) == [second.number]
    assert _numbers(client.get("/api/v1/tickets/?status=open&status=in_process&sort=number")) == [
        first.number, second.number]
    assert _numbers(client.get("/api/v1/tickets/", {"q": "printer"})) == [first.number]
    assert _numbers(client.get("/api/v1/tickets/", {"sort": "-number"})) == [second.number, first.number]
    assert _numbers(client.get("/api/v1/tickets/", {"status": "no-such-status"})) == [second.number, first.number]


def test_cursor_pagination_walks_every_ticket_once(api, customer, category, no_hourly_limits,
                                                   django_assert_max_num_queries):
    made = {_ticket(customer, category, f"T{i}").number for i in range(7)}
    client = api(customer)
    seen, url = [], "/api/v1/tickets/?page_size=3&sort=created"
    while url:
        with django_assert_max_num_queries(12):
            page = client.get(url).json()
        seen += [row["number"] for row in page["results"]]
        url = page["next"]
    assert seen == sorted(made) and len(seen) == 7
    assert page["previous"]


def test_create_with_category_fields_cc_and_attachment(api, customer, colleague, category):
    sub = CategoryFactory(parent=category, name="Invoices", service_team=None)
    CategoryFieldFactory(category=category, key="version", label="Version", required=True)
    CategoryFieldFactory(category=sub, key="count", label="Count", kind=CategoryField.Kind.NUMBER)
    response = api(customer).post("/api/v1/tickets/", {
        "title": "Invoice run fails", "description": "Since Monday.", "category": sub.pk, "priority": 2,
        "field_values": "not json", "cc": [colleague.email],
    }, format="multipart")
    assert response.json()["errors"] == {"field_values": ["Send an object of values by key (JSON)."]}
    response = api(customer).post("/api/v1/tickets/", {
        "title": "Invoice run fails", "category": sub.pk, "priority": 2,
        "field_values": {"version": "7.1", "count": "3"}, "cc": [colleague.email, "billing@rossi.test"],
    }, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get(number=body["number"])
    assert (ticket.created_by, ticket.organization, ticket.source) == (customer, customer.membership.organization,
                                                                      Source.API)
    assert ticket.field_values == {"version": "7.1", "count": "3"}
    assert sorted(body["cc"]) == sorted([colleague.email, "billing@rossi.test"])
    assert ticket.cc_entries.get(email=colleague.email).user == colleague
    assert [node["name"] for node in body["category_path"]] == [category.name, "Invoices"]
    assert body["service_team"] == category.service_team.name and body["status"] == "open"


def test_create_with_attachments_in_multipart(api, customer, category):
    CategoryFieldFactory(category=category, key="version", label="Version")
    response = api(customer).post("/api/v1/tickets/", {
        "title": "Screenshot attached", "category": category.pk, "field_values": '{"version": "7"}',
        "attachments": [SimpleUploadedFile("shot.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png"),
                        SimpleUploadedFile("log.txt", b"error 42", content_type="text/plain")],
    }, format="multipart")
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert sorted(ticket.attachments.values_list("original_name", flat=True)) == ["log.txt", "shot.png"]
    assert ticket.field_values == {"version": "7"}


def test_create_refuses_a_required_field_left_empty_and_a_restricted_user(api, customer, restricted_user, category):
    CategoryFieldFactory(category=category, key="version", label="Version", required=True)
    response = api(customer).post("/api/v1/tickets/", {"title": "x", "category": category.pk}, format="json")
    assert response.status_code == 400 and "version" in response.json()["errors"]
    response = api(restricted_user).post("/api/v1/tickets/", {"title": "x", "category": category.pk}, format="json")
    assert response.status_code == 403
    assert not Ticket.objects.exists()


def test_staff_name_the_organization_by_customer_code(api, agent, organization, category):
    client = api(agent)
    response = client.post("/api/v1/tickets/", {"title": "By phone", "category": category.pk}, format="json")
    assert response.json()["errors"] == {"organization": ["Give the customer code of an existing organization."]}
    response = client.post("/api/v1/tickets/", {"title": "By phone", "category": category.pk,
                                                "organization": organization.customer_code}, format="json")
    assert response.status_code == 201 and response.json()["organization"]["customer_code"] == "100001"


def test_detail_is_404_for_whoever_may_not_see_it(api, customer, colleague, outsider, category):
    ticket = _ticket(customer, category)
    assert api(customer).get(f"/api/v1/tickets/{ticket.number}/").json()["title"] == "Printer broken"
    for other in (colleague, outsider):
        response = api(other).get(f"/api/v1/tickets/{ticket.number}/")
        assert response.status_code == 404 and "Printer" not in response.content.decode()


def test_comments_hide_internal_notes_from_customers(api, customer, agent, category):
    ticket = _ticket(customer, category)
    comment_add(ticket=ticket, author=agent, body="Customer may read this")
    comment_add(ticket=ticket, author=agent, body="Internal only", is_internal=True)
    bodies = [c["body"] for c in api(customer).get(f"/api/v1/tickets/{ticket.number}/comments/").json()]
    assert bodies == ["Customer may read this"]
    staff = [c["body"] for c in api(agent).get(f"/api/v1/tickets/{ticket.number}/comments/").json()]
    assert staff == ["Customer may read this", "Internal only"]


def test_a_customer_comments_with_a_file(api, customer, category):
    ticket = _ticket(customer, category)
    response = api(customer).post(f"/api/v1/tickets/{ticket.number}/comments/", {
        "body": "Here is the log", "attachments": [SimpleUploadedFile("log.txt", b"trace")]}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["attachments"][0]["name"] == "log.txt"
    assert Comment.objects.get(ticket=ticket).source == Source.API
    empty = api(customer).post(f"/api/v1/tickets/{ticket.number}/comments/", {"body": ""}, format="json")
    assert empty.json()["errors"] == {"body": ["Write a comment or attach a file."]}


def test_attachments_download_through_the_policy_and_audited(api, customer, colleague, agent, category):
    ticket = _ticket(customer, category, attachments=[SimpleUploadedFile("a.txt", b"secret bytes")])
    note = comment_add(ticket=ticket, author=agent, body="x", is_internal=True,
                       attachments=[SimpleUploadedFile("internal.txt", b"internal bytes")])
    public = Attachment.objects.get(comment=None)
    internal = Attachment.objects.get(comment=note)
    listed = api(customer).get(f"/api/v1/tickets/{ticket.number}/attachments/").json()
    assert [a["name"] for a in listed] == ["a.txt"]
    response = api(customer).get(listed[0]["download_url"])
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"secret bytes"
    assert response["Content-Disposition"].startswith("attachment")
    assert AuditEntry.objects.filter(action=AuditAction.ATTACHMENT_DOWNLOAD, actor=customer).count() == 1
    url = f"/api/v1/tickets/{ticket.number}/attachments/"
    assert api(customer).get(f"{url}{internal.pk}/").status_code == 404
    assert api(colleague).get(f"{url}{public.pk}/").status_code == 404
    assert api(agent).get(f"{url}{internal.pk}/").status_code == 200


def test_attach_a_file_to_an_open_ticket_only(api, customer, category):
    ticket = _ticket(customer, category)
    url = f"/api/v1/tickets/{ticket.number}/attachments/"
    response = api(customer).post(url, {"file": SimpleUploadedFile("b.txt", b"more")}, format="multipart")
    assert response.status_code == 201 and response.json()["name"] == "b.txt"
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.CANCELED)
    response = api(customer).post(url, {"file": SimpleUploadedFile("c.txt", b"more")}, format="multipart")
    assert response.status_code == 403
    assert ticket.attachments.count() == 1


def test_close_accept_and_reject(api, customer, agent, category, no_hourly_limits):
    to_close = _ticket(customer, category, "Close me")
    response = api(customer).post(f"/api/v1/tickets/{to_close.number}/close/", {"message": "Solved it myself"},
                                  format="json")
    assert response.status_code == 200 and response.json()["status"] == Status.CANCELED
    again = api(customer).post(f"/api/v1/tickets/{to_close.number}/close/", {}, format="json")
    assert again.status_code == 403

    solved = _ticket(customer, category, "Accept me")
    Ticket.objects.filter(pk=solved.pk).update(status=Status.SOLUTION_PROVIDED)
    assert api(customer).post(f"/api/v1/tickets/{solved.number}/accept/").json()["status"] == Status.COMPLETED

    rejected = _ticket(customer, category, "Reject me")
    Ticket.objects.filter(pk=rejected.pk).update(status=Status.SOLUTION_PROVIDED)
    url = f"/api/v1/tickets/{rejected.number}/reject/"
    assert api(customer).post(url, {}, format="json").json()["errors"] == {"message": ["This field is required."]}
    response = api(customer).post(url, {"message": "Still broken"}, format="json")
    assert response.status_code == 200
    rejected.refresh_from_db()
    assert response.json()["status"] == rejected.status != Status.SOLUTION_PROVIDED
    # accepting what is no longer provided is refused, with the reason
    refused = api(customer).post(f"/api/v1/tickets/{rejected.number}/accept/")
    assert refused.status_code == 409 and rejected.status in refused.json()["detail"]


def test_the_category_tree_with_its_fields(api, customer, category):
    child = CategoryFactory(parent=category, name="Child", service_team=None)
    CategoryFactory(name="Retired", is_active=False)
    CategoryFieldFactory(category=child, key="os", label="OS", kind=CategoryField.Kind.CHOICE,
                         choices="Windows\nmacOS")
    nodes = api(customer).get("/api/v1/categories/").json()
    assert [(n["name"], n["parent"], n["depth"]) for n in nodes] == [(category.name, None, 1),
                                                                   ("Child", category.pk, 2)]
    assert nodes[1]["fields"] == [{"key": "os", "label": "OS", "kind": "choice", "required": False,
                                   "choices": ["Windows", "macOS"], "help_text": ""}]
