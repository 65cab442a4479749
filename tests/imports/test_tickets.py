"""Tickets from the old portal: numbers kept, statuses mapped, comments and attachments, idempotent, no e-mail."""

import json
import threading
import zipfile
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from tessera.imports.report import ImportFileError
from tessera.imports.tickets import import_tickets, open_source, status_map
from tessera.notifications.models import OutgoingEmail
from tessera.tickets.models import Attachment, Comment, Ticket, TicketEvent
from tessera.tickets.numbering import draw_ticket_number, format_number
from tessera.tickets.services import ticket_create
from tessera.tickets.workflow import Status
from tests.factories import CategoryFactory, TicketNumberCounterFactory

from .helpers import write_tickets

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def printing(category):
    return CategoryFactory(name="Printing", parent=category, service_team=None)


@pytest.fixture
def history(customer, manager, agent, printing, organization):
    """Three tickets of the old portal, the way docs/import.md shows them."""
    return [
        {
            "number": "1234", "title": "Printer prints blank pages", "description": "Since the update.",
            "status": "Closed", "priority": 2, "customer_code": organization.customer_code,
            "requester": customer.email, "category": ["Practice management", "Printing"],
            "created_at": "2023-03-01T09:15:00+01:00", "closed_at": "2023-03-03T17:00:00+01:00",
            "assignee": agent.email, "external_reference": "OLD-1234",
            "comments": [
                {"author": agent.email, "created_at": "2023-03-02T10:00:00+01:00", "body": "Please send a log.",
                 "internal": False},
                {"author": customer.email, "created_at": "2023-03-02T11:30:00+01:00", "body": "Here it is.",
                 "attachments": [{"file": "files/1234/print.log", "name": "print.log"}]},
                {"author": agent.email, "created_at": "2023-03-03T08:00:00+01:00", "body": "Driver issue.",
                 "internal": True},
            ],
            "attachments": [{"file": "files/1234/screen.png", "name": "screen.png"}],
        },
        {
            "number": "1300", "title": "Cannot log in", "status": "Pending",
            "customer_code": organization.customer_code,
            "requester": manager.email, "category": "Practice management > Printing",
            "created_at": "2023-06-10T08:00:00Z", "updated_at": "2023-06-11T08:00:00Z",
        },
        {
            "number": "0000001250", "title": "Slow start", "status": "in_process",
            "customer_code": organization.customer_code, "requester": customer.email,
            "category": ["practice management"], "created_at": "2023-05-01",
        },
    ]


FILES = {"files/1234/print.log": b"2023-03-02 printer offline\n", "files/1234/screen.png": PNG}


def run(path, *, commit=True, **kwargs):
    return import_tickets(open_source(path, max_file_bytes=5 * 1024 * 1024), commit_changes=commit, **kwargs)


@pytest.mark.django_db
def test_tickets_keep_their_numbers_statuses_dates_comments_and_files(tmp_path, history, customer, agent,
                                                                      organization, printing, category):
    report = run(write_tickets(tmp_path, history, FILES))
    assert [(row.line, row.key, row.outcome) for row in report.rows] == [
        (1, "0000001234", "created"), (2, "0000001300", "created"), (3, "0000001250", "created")
    ]
    assert report.summary()["comments"] == 3 and report.summary()["attachments"] == 2

    ticket = Ticket.objects.get(number="0000001234")
    assert (ticket.organization, ticket.created_by, ticket.title, ticket.priority, ticket.status) == (
        organization, customer, "Printer prints blank pages", 2, Status.COMPLETED
    )
    assert (ticket.category, ticket.service_team, ticket.assignee, ticket.external_reference) == (
        printing, category.service_team, agent, "OLD-1234"
    )
    assert ticket.created_at == datetime(2023, 3, 1, 8, 15, tzinfo=UTC)
    assert ticket.closed_at == datetime(2023, 3, 3, 16, 0, tzinfo=UTC)
    assert ticket.updated_at == ticket.closed_at
    comments = list(Comment.objects.filter(ticket=ticket).order_by("created_at"))
    assert [(c.author, c.body, c.is_internal, c.created_at) for c in comments] == [
        (agent, "Please send a log.", False, datetime(2023, 3, 2, 9, 0, tzinfo=UTC)),
        (customer, "Here it is.", False, datetime(2023, 3, 2, 10, 30, tzinfo=UTC)),
        (agent, "Driver issue.", True, datetime(2023, 3, 3, 7, 0, tzinfo=UTC)),
    ]
    files = {a.original_name: a for a in Attachment.objects.filter(ticket=ticket)}
    assert files["print.log"].comment == comments[1] and files["print.log"].file.read() == FILES["files/1234/print.log"]
    assert (files["screen.png"].comment, files["screen.png"].content_type, files["screen.png"].size) == (
        None, "image/png", len(PNG)
    )
    assert TicketEvent.objects.get(ticket=ticket).data == {"status": "completed", "source": "portal", "imported": True}

    assert Ticket.objects.get(number="0000001300").status == Status.CUSTOMER_ACTION  # "Pending"
    slow = Ticket.objects.get(number="0000001250")
    assert (slow.status, slow.category, slow.closed_at) == (Status.IN_PROCESS, category, None)
    assert not OutgoingEmail.objects.exists()  # history sends no e-mail


@pytest.mark.django_db
def test_running_the_import_again_changes_nothing(tmp_path, history):
    path = write_tickets(tmp_path, history, FILES)
    run(path)
    counts = (Ticket.objects.count(), Comment.objects.count(), Attachment.objects.count(), TicketEvent.objects.count())
    again = run(path)
    assert {row.outcome for row in again.rows} == {"unchanged"}
    assert (Ticket.objects.count(), Comment.objects.count(), Attachment.objects.count(),
            TicketEvent.objects.count()) == counts


@pytest.mark.django_db
def test_a_dry_run_writes_nothing_and_reports_every_line(tmp_path, history):
    report = run(write_tickets(tmp_path, history, FILES), commit=False)
    assert [row.outcome for row in report.rows] == ["created"] * 3
    assert not Ticket.objects.exists() and not Attachment.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("no_hourly_limits")
def test_new_tickets_continue_after_the_highest_imported_number(tmp_path, history, customer, category):
    run(write_tickets(tmp_path, history, FILES))
    assert ticket_create(author=customer, title="New", category=category).number == "0000001301"


@pytest.mark.django_db
@pytest.mark.usefixtures("no_hourly_limits")
def test_a_counter_already_further_is_never_moved_back(tmp_path, history, customer, category):
    TicketNumberCounterFactory(last_value=800_000_000)
    run(write_tickets(tmp_path, history, FILES))
    assert ticket_create(author=customer, title="New", category=category).number == "0800000001"


@pytest.mark.django_db
def test_a_number_taken_by_another_ticket_is_an_error(tmp_path, history, customer, category):
    TicketNumberCounterFactory(last_value=1233)
    taken = draw_ticket_number()
    Ticket.objects.create(number=taken, organization=customer.membership.organization, created_by=customer,
                          title="Something else", category=category)
    report = run(write_tickets(tmp_path, history, FILES))
    assert report.rows[0].outcome == "error"
    assert report.rows[0].messages == ["Ticket 0000001234 exists already and is another ticket."]
    assert [row.outcome for row in report.rows[1:]] == ["created", "created"]


@pytest.mark.django_db
def test_bad_lines_are_reported_with_their_line_and_the_rest_is_imported(tmp_path, history, outsider, agent):
    bad = [
        "{not json",
        json.dumps([1, 2]),
        json.dumps({**history[1], "number": "12a"}),
        json.dumps({**history[1], "number": "1301", "status": "Frozen"}),
        json.dumps({**history[1], "number": "1302", "customer_code": "999999"}),
        json.dumps({**history[1], "number": "1303", "requester": outsider.email}),
        json.dumps({**history[1], "number": "1304", "category": ["Nowhere"]}),
        json.dumps({**history[1], "number": "1305", "created_at": "yesterday"}),
        json.dumps({**history[1], "number": "1306", "comments": [{"author": outsider.email, "body": "Hi",
                                                                    "created_at": "2023-06-10"}]}),
        json.dumps({**history[1], "number": "1307", "attachments": [{"file": "../../etc/passwd"}]}),
        json.dumps({**history[1], "number": "1308", "attachments": [{"file": "files/fake.png"}]}),
        json.dumps({**history[1], "number": "1309", "priority": 9, "colour": "red"}),
    ]
    path = write_tickets(tmp_path, [*bad, history[1]], {"files/fake.png": b"not a picture"})
    report = run(path)
    by_line = {row.line: row for row in report.rows}
    assert by_line[13].outcome == "created"
    assert [line for line, row in by_line.items() if row.outcome == "error"] == list(range(1, 13))
    messages = {line: " ".join(row.messages) for line, row in by_line.items()}
    assert "not valid JSON" in messages[1]
    assert "one JSON object" in messages[2]
    assert "digits only" in messages[3]
    assert "“frozen” has no counterpart" in messages[4]
    assert "No organization has the customer code 999999" in messages[5]
    assert f"requester {outsider.email} is not a contact of organization 100001" in messages[6]
    assert "no category “Nowhere”" in messages[7]
    assert "not a date in ISO 8601" in messages[8]
    assert "neither an agent nor a contact" in messages[9]
    assert "../../etc/passwd is not there" in messages[10]
    assert "does not match its type" in messages[11]
    assert "priority must be 1" in messages[12] and "Unknown fields: colour" in messages[12]
    assert list(Ticket.objects.values_list("number", flat=True)) == ["0000001300"]


@pytest.mark.django_db
def test_a_number_twice_in_the_file_is_reported_on_its_second_line(tmp_path, history):
    report = run(write_tickets(tmp_path, [history[1], history[1]]))
    assert [row.outcome for row in report.rows] == ["created", "error"]
    assert report.rows[1].messages == ["The number 0000001300 is already on line 1."]


@pytest.mark.django_db
def test_a_zip_with_the_tickets_and_their_files(tmp_path, history):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("export/tickets.jsonl", "".join(json.dumps(t) + "\n" for t in history))
        for name, content in FILES.items():
            out.writestr(f"export/{name}", content)
    report = run(archive)
    assert report.summary()["created"] == 3 and report.summary()["attachments"] == 2


@pytest.mark.django_db
def test_a_vendors_own_status_map(tmp_path, history):
    mapping = status_map({"pending": "on_hold"})
    run(write_tickets(tmp_path, history[1:2]), statuses=mapping)
    assert Ticket.objects.get().status == Status.ON_HOLD
    with pytest.raises(ImportFileError, match="not one of Tessera's statuses"):
        status_map({"x": "sending"})


def test_every_status_but_sending_can_be_imported_by_its_code():
    mapping = status_map()
    assert {mapping[s.value] for s in Status if s != Status.SENDING} == set(Status) - {Status.SENDING}
    assert "sending" not in mapping


@pytest.mark.django_db
def test_imported_tickets_are_seen_by_their_organization_only(tmp_path, history, client, customer, manager,
                                                              colleague, outsider, agent):
    run(write_tickets(tmp_path, history, FILES))
    ticket = Ticket.objects.get(number="0000001234")
    attachment = Attachment.objects.get(ticket=ticket, original_name="screen.png")
    detail = reverse("portal:ticket_detail", kwargs={"number": ticket.number})
    download = reverse("portal:attachment_download", kwargs={"number": ticket.number, "pk": attachment.pk})
    for user, status in ((customer, 200), (manager, 200), (colleague, 404), (outsider, 404)):
        client.force_login(user)
        assert client.get(detail).status_code == status, user
        assert client.get(download).status_code == status, user
    assert set(Ticket.objects.visible_to(outsider)) == set()
    assert set(Ticket.objects.visible_to(manager)) == set(Ticket.objects.all())
    client.force_login(customer)
    page = client.get(detail).content.decode()
    assert "Printer prints blank pages" in page and "Here it is." in page and "Driver issue." not in page
    client.force_login(agent)
    assert "Driver issue." in client.get(reverse("desk:ticket", kwargs={"number": ticket.number})).content.decode()


@pytest.mark.django_db
def test_the_command(tmp_path, history, capsys):
    path = write_tickets(tmp_path, history, FILES)
    call_command("import_tickets", str(path))
    assert "Dry run" in capsys.readouterr().out and not Ticket.objects.exists()
    call_command("import_tickets", str(path), "--commit")
    assert "Imported: created 3" in capsys.readouterr().out
    with pytest.raises(CommandError, match="There is no file"):
        call_command("import_tickets", str(tmp_path / "nothing.jsonl"))


@pytest.mark.postgres(reason="needs PostgreSQL row locking")
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("no_hourly_limits")
def test_tickets_created_during_an_import_get_numbers_above_it(tmp_path, customer, category, organization):
    tickets = [
        {"number": str(5000 + i), "title": f"Old {i}", "status": "completed", "customer_code": "100001",
         "requester": customer.email, "category": [category.name], "created_at": "2022-01-01T00:00:00Z"}
        for i in range(300)
    ]
    path = write_tickets(tmp_path, tickets)
    created, errors = [], []

    def create() -> None:
        try:
            for i in range(20):
                created.append(ticket_create(author=customer, title=f"New {i}", category=category).number)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=create)
    thread.start()
    report = run(path, batch_size=50)
    thread.join(timeout=120)
    assert errors == [] and report.summary()["created"] == 300
    numbers = list(Ticket.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 320
    # Every ticket made during the import drew a number no imported ticket has (above the file's highest once
    # the import had reserved them; below, drawn from the installation's counter, before it had).
    assert not set(created) & {format_number(5000 + i) for i in range(300)}
    assert int(ticket_create(author=customer, title="After", category=category).number) > 5299
