"""Organizations and contacts from CSV and XLSX: dry run, commit, idempotency, bad rows, bad files, invitations."""

import pytest
from django.core.management import CommandError, call_command

from tessera.accounts.models import AccountToken, TokenPurpose, User
from tessera.imports.organizations import import_organizations
from tessera.imports.readers import read_table
from tessera.imports.report import ImportFileError
from tessera.notifications.models import OutgoingEmail
from tessera.organizations.models import Membership, Organization, Role

from .helpers import HEADER, ROWS, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

FILES = {"csv": ("customers.csv", csv_bytes), "xlsx": ("customers.xlsx", xlsx_bytes)}


def run(data: bytes, name: str = "customers.csv", *, commit: bool, **kwargs):
    return import_organizations(read_table(data, name), commit_changes=commit, **kwargs)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_dry_run_reports_every_row_and_writes_nothing(kind):
    name, make = FILES[kind]
    report = run(make(), name, commit=False)
    assert [(row.line, row.outcome) for row in report.rows] == [
        (2, "created"), (3, "created"), (4, "created"), (5, "created")
    ]
    assert "New organization Praxis Bianchi." in report.rows[0].messages
    assert "New contact anna@bianchi.test (Administrator)." in report.rows[0].messages
    assert report.summary()["created"] == 4
    assert not Organization.objects.exists() and not User.objects.exists()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_commit_creates_then_a_second_commit_changes_nothing(kind):
    name, make = FILES[kind]
    run(make(), name, commit=True)

    bianchi = Organization.objects.get(customer_code="5001")
    assert (bianchi.name, bianchi.postal_code, bianchi.city, bianchi.country, bianchi.language) == (
        "Praxis Bianchi", "20121", "Milano", "IT", "it"
    )
    assert Organization.objects.get(customer_code="5003").language == "de"  # "German"
    anna = User.objects.get(email="anna@bianchi.test")
    assert (anna.first_name, anna.last_name, anna.language, anna.is_active, anna.has_usable_password()) == (
        "Anna", "Bianchi", "it", False, False
    )
    assert (anna.membership.organization, anna.membership.role, anna.membership.is_active) == (
        bianchi, Role.ADMIN, False
    )
    assert Membership.objects.get(user__email="eva@huber.test").role == Role.MANAGER
    counts = (Organization.objects.count(), User.objects.count(), Membership.objects.count())
    stamps = list(Organization.objects.order_by("pk").values_list("updated_at", flat=True))

    again = run(make(), name, commit=True)
    assert {row.outcome for row in again.rows} == {"unchanged"}
    assert (Organization.objects.count(), User.objects.count(), Membership.objects.count()) == counts
    assert list(Organization.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps


def test_changed_master_data_and_roles_are_updated():
    run(csv_bytes(), commit=True)
    rows = [list(row) for row in ROWS]
    rows[0][3], rows[1][3] = "Milano Centro", "Milano Centro"
    rows[1][9] = "manager"
    report = run(csv_bytes(rows), commit=True)
    assert report.rows[0].outcome == "updated" and "Organization changes: city." in report.rows[0].messages
    assert report.rows[1].outcome == "updated" and "Role: Basic user → Manager." in report.rows[1].messages
    assert Organization.objects.get(customer_code="5001").city == "Milano Centro"
    assert Membership.objects.get(user__email="marco@bianchi.test").role == Role.MANAGER


def test_the_role_of_someone_who_already_uses_the_portal_is_left_to_their_administrator(customer, organization):
    rows = [[organization.customer_code, organization.name, organization.postal_code, "", "", "",
             customer.email, "", "", "admin"]]
    report = run(csv_bytes(rows), commit=True)
    assert report.rows[0].outcome == "unchanged"
    assert "already uses the portal" in report.rows[0].messages[0]
    assert Membership.objects.get(user=customer).role == Role.BASIC


def test_bad_rows_are_reported_with_their_line_and_the_rest_is_imported(outsider, agent):
    rows = [
        ["6001", "Good Practice", "10115", "Berlin", "DE", "de", "ok@good.test", "O", "K", "basic"],
        ["", "No Code", "10115", "", "", "", "", "", "", ""],
        ["6002", "Bad Country", "10115", "", "Germany", "", "", "", "", ""],
        ["6003", "Bad Mail", "10115", "", "", "", "not-an-address", "", "", ""],
        ["6004", "Bad Role", "10115", "", "", "", "x@bad.test", "", "", "emperor"],
        ["6001", "Other Name", "10115", "", "", "", "", "", "", ""],
        ["6005", "Taken", "10115", "", "", "", outsider.email, "", "", ""],
        ["6006", "Staff", "10115", "", "", "", agent.email, "", "", ""],
        ["6007", "Twice", "10115", "", "", "", "ok@good.test", "", "", ""],
        ["6008", "Bad language", "10115", "", "", "klingon", "", "", "", ""],
    ]
    report = run(csv_bytes(rows), commit=True)
    by_line = {row.line: row for row in report.rows}
    assert by_line[2].outcome == "created"
    assert [line for line, row in by_line.items() if row.outcome == "error"] == list(range(3, 12))
    assert by_line[3].messages == ["The customer code is missing."]
    assert "two-letter code" in by_line[4].messages[0]
    assert "not a valid e-mail address" in by_line[5].messages[0]
    assert "Unknown role" in by_line[6].messages[0]
    assert by_line[7].messages == ["The organization's name differ from line 2."]
    assert "contact of another organization (200002)" in by_line[8].messages[0]
    assert "vendor's staff" in by_line[9].messages[0]
    assert "already on line 2" in by_line[10].messages[0]
    assert "Unknown language" in by_line[11].messages[0]
    assert list(Organization.objects.filter(customer_code__startswith="600").values_list("customer_code", flat=True)) \
        == ["6001"]
    assert User.objects.filter(email="ok@good.test").exists()


def test_semicolons_and_a_byte_order_mark_as_excel_writes_them():
    data = b"\xef\xbb\xbf" + csv_bytes(delimiter=";")
    assert run(data, commit=False).summary()["created"] == 4


@pytest.mark.parametrize(("data", "name", "message"), [
    (csv_bytes(encoding="cp1252"), "c.csv", "The file is not in UTF-8 (line 4)."),
    (b"\x00\x01\x02binary" * 10, "c.csv", "This is not a CSV file or spreadsheet."),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "c.xls", "old Excel (.xls) file"),
    (b"just text", "c.xlsx", "not an Excel workbook"),
    (b"PK\x03\x04broken", "c.xlsx", "The workbook is damaged"),
    (b"", "c.csv", "The file is empty."),
    (csv_bytes(header=["code", "title", *HEADER[2:]]), "c.csv", "Missing columns: name. Unknown columns: title."),
])
def test_bad_files_get_a_clear_message(data, name, message):
    with pytest.raises(ImportFileError) as raised:
        run(data, name, commit=False)
    assert message in raised.value.message


def test_too_large_and_too_many_rows(settings):
    settings.TESSERA_IMPORT_MAX_BYTES = 100
    with pytest.raises(ImportFileError, match="too large: at most"):
        run(csv_bytes(), commit=False)
    settings.TESSERA_IMPORT_MAX_BYTES = 10**6
    settings.TESSERA_IMPORT_MAX_ROWS = 3
    with pytest.raises(ImportFileError, match="The file has 4 rows; at most 3"):
        run(csv_bytes(), commit=False)


def test_contacts_are_invited_through_the_task_queue_once(vendor_admin, deliver, mailoutbox):
    with deliver():
        report = run(csv_bytes(), commit=True, invite=True, invited_by=vendor_admin)
    assert report.summary()["invited"] == 3
    assert sorted(mailoutbox[i].to[0] for i in range(3)) == [
        "anna@bianchi.test", "eva@huber.test", "marco@bianchi.test"
    ]
    assert OutgoingEmail.objects.filter(template="account_invitation").count() == 3
    assert AccountToken.objects.filter(purpose=TokenPurpose.INVITATION).count() == 3
    # The role of the file stays; the invitation makes them active members when they accept it.
    assert Membership.objects.get(user__email="anna@bianchi.test").role == Role.ADMIN

    with deliver():
        again = run(csv_bytes(), commit=True, invite=True, invited_by=vendor_admin)
    assert {row.outcome for row in again.rows} == {"unchanged"}
    assert OutgoingEmail.objects.filter(template="account_invitation").count() == 3


def test_contacts_imported_first_can_be_invited_later(vendor_admin, deliver, mailoutbox):
    run(csv_bytes(), commit=True)
    assert not OutgoingEmail.objects.exists()
    preview = run(csv_bytes(), commit=False, invite=True)
    assert "An invitation is sent to anna@bianchi.test." in preview.rows[0].messages
    with deliver():
        run(csv_bytes(), commit=True, invite=True, invited_by=vendor_admin)
    assert len(mailoutbox) == 3


def test_the_command_dry_runs_by_default_and_commits_on_request(tmp_path, vendor_admin, capsys):
    path = tmp_path / "customers.csv"
    path.write_bytes(csv_bytes())
    call_command("import_organizations", str(path))
    assert "Dry run" in capsys.readouterr().out and not Organization.objects.exists()
    call_command("import_organizations", str(path), "--commit", "--invite")
    out = capsys.readouterr().out
    assert "Imported: created 4" in out and "invited 3" in out
    assert Organization.objects.count() == 3


def test_the_command_explains_a_bad_file(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_bytes(csv_bytes(encoding="cp1252"))
    with pytest.raises(CommandError, match="not in UTF-8"):
        call_command("import_organizations", str(path))
    with pytest.raises(CommandError, match="There is no file"):
        call_command("import_organizations", str(tmp_path / "missing.csv"))


def test_contacts_of_existing_organizations_need_only_the_customer_code(organization):
    rows = [[organization.customer_code, "", "", "", "", "", "new@rossi.test", "Nina", "Nuova", "basic"],
            ["9999", "", "", "", "", "", "x@new.test", "", "", ""],
            ["9998", "", "", "", "", "", "", "", "", ""],
            ["9998", "Filled Later", "12345", "", "", "", "", "", "", ""]]
    report = run(csv_bytes(rows), commit=True)
    assert [row.outcome for row in report.rows] == ["created", "error", "created", "unchanged"]
    assert report.rows[1].messages == ["The organization 9999 is new: it needs a name and a postal code."]
    organization.refresh_from_db()
    assert (organization.name, organization.postal_code) == ("Praxis Rossi", "20121")  # empty cells keep them
    assert User.objects.get(email="new@rossi.test").membership.organization == organization
    assert Organization.objects.get(customer_code="9998").name == "Filled Later"
    assert not Organization.objects.filter(customer_code="9999").exists()
