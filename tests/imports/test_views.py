"""The vendor administrator's import pages: upload, the dry run's report, confirm, the report as CSV."""

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from tessera.imports.models import ImportRun
from tessera.notifications.models import OutgoingEmail
from tessera.organizations.models import Organization

from .helpers import ROWS, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, vendor_admin):
    client.force_login(vendor_admin)
    return client


def upload(client, data: bytes, name: str = "customers.csv", **fields):
    return client.post(reverse("imports:organizations"), {"file": SimpleUploadedFile(name, data), **fields})


@pytest.mark.parametrize(("data", "name"), [(csv_bytes(), "customers.csv"), (xlsx_bytes(), "customers.xlsx")])
def test_upload_shows_the_dry_run_then_confirm_imports_once(admin_client, data, name):
    response = upload(admin_client, data, name)
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:run", args=[run.pk])
    assert not Organization.objects.exists()

    page = admin_client.get(response["Location"]).content.decode()
    assert "This is a dry run: nothing has been written yet." in page
    assert "New organization Praxis Bianchi." in page and 'data-testid="row-5"' in page
    assert 'data-testid="commit"' in page

    commit = admin_client.post(reverse("imports:run_commit", args=[run.pk]), follow=True)
    assert "Imported: 4 new, 0 changed, 0 unchanged rows; 0 rows in error were skipped." in commit.content.decode()
    assert Organization.objects.count() == 3
    run.refresh_from_db()
    assert run.state == ImportRun.State.COMMITTED and not run.file  # the upload is not kept once imported

    again = admin_client.post(reverse("imports:run_commit", args=[run.pk]), follow=True)
    assert "This file has already been imported." in again.content.decode()
    assert 'data-testid="commit"' not in again.content.decode()
    assert Organization.objects.count() == 3


def test_invitations_from_the_desk_are_sent_by_the_task_worker(admin_client, deliver, mailoutbox):
    upload(admin_client, csv_bytes(), invite="on")
    run = ImportRun.objects.get()
    assert run.invite and "An invitation is sent to anna@bianchi.test." in run.rows[0]["messages"]
    page = admin_client.post(reverse("imports:run_commit", args=[run.pk]), follow=True).content.decode()
    assert 'data-testid="invitations-queued">3<' in page
    # The request wrote the contacts and queued the invitations; it did not wait for them.
    assert not OutgoingEmail.objects.exists()
    assert DBTaskResult.objects.filter(task_path="tessera.imports.tasks.import_invitations_send").count() == 1
    with deliver():
        pass
    assert sorted(OutgoingEmail.objects.filter(template="account_invitation").values_list("to", flat=True)) == [
        "anna@bianchi.test", "eva@huber.test", "marco@bianchi.test"
    ]
    assert sorted(message.to[0] for message in mailoutbox) == [
        "anna@bianchi.test", "eva@huber.test", "marco@bianchi.test"
    ]


def test_the_invitation_task_invites_nobody_twice(vendor_admin, deliver):
    from tessera.imports.tasks import import_invitations_send

    upload_and_commit = run_organizations_commit(vendor_admin)
    assert upload_and_commit == 3
    with deliver():
        import_invitations_send.enqueue(emails=["anna@bianchi.test"], invited_by_id=vendor_admin.pk)
    assert OutgoingEmail.objects.filter(template="account_invitation").count() == 3


def run_organizations_commit(vendor_admin) -> int:
    from tessera.imports.organizations import import_organizations
    from tessera.imports.readers import read_table

    report = import_organizations(read_table(csv_bytes(), "c.csv"), commit_changes=True, invite=True,
                                  invited_by=vendor_admin)
    return report.summary()["invited"]


@pytest.mark.parametrize(("data", "name", "message"), [
    (csv_bytes(encoding="cp1252"), "customers.csv", "The file is not in UTF-8 (line 4)."),
    (b"%PDF-1.4\x00\x00binary", "customers.pdf", "This is not a CSV file or spreadsheet."),
    (b"a,b\n1,2\n", "customers.csv", "Missing columns: customer_code, name, postal_code."),
])
def test_a_bad_file_is_explained_next_to_the_field(admin_client, data, name, message):
    response = upload(admin_client, data, name, invite="on")
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'data-testid="error-summary"' in page and 'id="id_file_error"' in page
    assert re.search(r'<input type="checkbox" name="invite"[^>]* checked', page)  # what was chosen stays
    assert not ImportRun.objects.exists()


def test_a_file_too_large_for_an_upload_is_explained(admin_client, settings):
    settings.TESSERA_ATTACHMENT_MAX_BYTES = 100
    response = upload(admin_client, csv_bytes())
    assert response.status_code == 200
    assert "The file is larger than 100\xa0bytes. Import it with manage.py import_organizations instead." in (
        response.content.decode()
    )


def test_no_file_chosen(admin_client):
    response = admin_client.post(reverse("imports:organizations"), {})
    assert response.status_code == 200 and "This field is required." in response.content.decode()


def test_the_report_neutralizes_formulas(admin_client):
    rows = [["=1+2", "Formula Practice", "1000", "", "", "", "", "", "", ""],
            ["@SUM(A1)", "At", "1000", "", "Germany", "", "", "", "", ""],
            ["+cmd", "Plus", "1000", "", "", "", "-x@bad", "", "", ""]]
    upload(admin_client, csv_bytes(rows))
    run = ImportRun.objects.get()
    response = admin_client.get(reverse("imports:run_report", args=[run.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert table[0] == ["Line", "Key", "Result", "Messages"]
    assert [row[1] for row in table[1:]] == ["'=1+2", "'@SUM(A1)", "'+cmd -x@bad"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in table for cell in row)


def test_the_report_page_lists_errors_only_on_request_in_constant_queries(admin_client, django_assert_max_num_queries):
    rows = [[str(7000 + i), f"Practice {i}", "1000", "", "X1" if i % 2 else "", "", "", "", "", ""]
            for i in range(250)]
    upload(admin_client, csv_bytes(rows))
    run = ImportRun.objects.get()
    url = reverse("imports:run", args=[run.pk])
    with django_assert_max_num_queries(4):
        page = admin_client.get(url + "?show=errors").content.decode()
    assert page.count('data-testid="row-') == 100 and "badge-priority-1" in page
    with django_assert_max_num_queries(4):
        last = admin_client.get(url + "?page=3").content.decode()
    assert last.count('data-testid="row-') == 50


def test_the_import_pages_are_for_vendor_administrators_only(client, agent):
    client.force_login(agent)
    assert client.get(reverse("imports:organizations")).status_code == 404
    assert upload(client, csv_bytes()).status_code == 404
    assert not ImportRun.objects.exists()


def test_the_customers_page_links_to_the_import_for_administrators_only(client, agent, vendor_admin):
    client.force_login(agent)
    assert 'data-testid="import-customers"' not in client.get(reverse("desk:organizations")).content.decode()
    client.force_login(vendor_admin)
    assert 'data-testid="import-customers"' in client.get(reverse("desk:organizations")).content.decode()


def test_rows_of_the_example_all_show(admin_client):
    upload(admin_client, csv_bytes())
    page = admin_client.get(reverse("imports:run", args=[ImportRun.objects.get().pk])).content.decode()
    for row in ROWS:
        assert row[0] in page


def test_a_ticket_import_of_the_command_shows_in_the_desk(admin_client, tmp_path, customer, category):
    from django.core.management import call_command

    from .helpers import write_tickets

    path = write_tickets(tmp_path, [{"number": "77", "title": "=cmd|' /C calc'!A0", "status": "closed",
                                     "customer_code": "100001", "requester": customer.email,
                                     "category": [category.name], "created_at": "2022-02-02"}, "{broken"])
    call_command("import_tickets", str(path), "--commit")
    run = ImportRun.objects.get(kind=ImportRun.Kind.TICKETS)
    assert run.state == ImportRun.State.COMMITTED and run.summary["created"] == 1 and run.summary["error"] == 1
    page = admin_client.get(reverse("imports:run", args=[run.pk])).content.decode()
    assert "Ticket number" in page and "0000000077" in page and "The line is not valid JSON" in page
    assert 'data-testid="commit"' not in page
    report = admin_client.get(reverse("imports:run_report", args=[run.pk])).content.decode()
    assert report.replace("\r", "").splitlines()[1:] == [
        "1,0000000077,new,", "2,,error,The line is not valid JSON: Expecting property name enclosed in double quotes."
    ]


def test_the_upload_page_lists_recent_imports_in_constant_queries(admin_client, django_assert_max_num_queries):
    from tests.factories import ImportRunFactory

    ImportRunFactory.create_batch(12, original_name="erp-export.csv")
    with django_assert_max_num_queries(4):
        page = admin_client.get(reverse("imports:organizations")).content.decode()
    assert page.count("erp-export.csv") == 10  # the ten most recent


def test_a_file_checked_but_never_imported_is_deleted_after_a_week(admin_client,
                                                                   django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    upload(admin_client, csv_bytes())
    old = ImportRun.objects.get()
    stored = old.file.name
    assert old.file.storage.exists(stored)
    ImportRun.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the run's change is committed
        upload(admin_client, csv_bytes())
    old.refresh_from_db()
    assert not old.file and not old.file.storage.exists(stored)
    assert old.rows  # the report stays
    page = admin_client.get(reverse("imports:run", args=[old.pk])).content.decode()
    assert 'data-testid="commit"' not in page  # nothing left to import
