"""manage.py backup / restore: a backup restored into an empty database holds every row and file as it was."""

import io
import json
import os
import stat
import tarfile
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db.models import Max

from tessera.accounts.models import User
from tessera.backup import archive as backup_module
from tessera.backup.archive import backed_up_models
from tessera.organizations.models import Membership, Organization, Role
from tessera.tickets.models import (
    Attachment,
    Category,
    Comment,
    ServiceTeam,
    Ticket,
    TicketEvent,
    TicketNumberCounter,
)
from tessera.tickets.services import comment_add, ticket_create

pytestmark = pytest.mark.django_db(transaction=True)

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40 + b"\x00\xff\xfe\x00"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + bytes(reversed(range(256))) * 64 + b"\n%%EOF\n"
SECOND_PNG = PNG[:16] + bytes(range(255, -1, -1)) * 10 + b"\x00\x00\x01"
TEXT = "Fehlerprotokoll – Praxis Müller\nZeile 2: ✓ ok\r\nNo NUL here\n".encode()


def _customer() -> User:
    membership = (
        Membership.objects.select_related("user")
        .filter(is_active=True, user__is_active=True, role__in=[Role.BASIC, Role.MANAGER, Role.ADMIN])
        .order_by("pk")
        .first()
    )
    return membership.user


def _plain_category() -> Category:
    """An active category that asks for no required extra field."""
    for category in Category.objects.filter(is_active=True).order_by("pk"):
        if not any(field.required for field in category.all_fields()):
            return category
    raise AssertionError("the demo has no category without required fields")


@pytest.fixture
def dataset():
    """The demo data plus tickets and comments with attachments (binary and text)."""
    call_command("seed_demo", stdout=StringIO())
    author = _customer()
    category = _plain_category()
    first = ticket_create(
        author=author, title="Scanner stops after the first page", category=category,
        description="Binary attachments follow.\nZweite Zeile mit Umlauten: äöü ß.",
        attachments=[
            SimpleUploadedFile("scan.png", PNG, content_type="image/png"),
            SimpleUploadedFile("befund.pdf", PDF, content_type="application/pdf"),
        ],
    )
    second = ticket_create(
        author=author, title="Log file of the reception PC", category=category,
        attachments=[SimpleUploadedFile("fehler.log", TEXT, content_type="text/plain")],
    )
    comment_add(
        ticket=second, author=author, body="One more screenshot.",
        attachments=[SimpleUploadedFile("zweites.png", SECOND_PNG, content_type="image/png")],
    )
    assert Attachment.objects.count() == 4
    return first, second


def _snapshot() -> dict:
    """Every row of every backed-up table (all fields), and every stored attachment's bytes."""
    rows = {
        model._meta.label_lower: list(model._base_manager.order_by("pk").values())
        for model in backed_up_models()
    }
    files = {}
    for attachment in Attachment.objects.order_by("pk"):
        with default_storage.open(attachment.file.name, "rb") as stored:
            files[attachment.file.name] = stored.read()
    return {"rows": rows, "files": files}


def _backup(tmp_path, name="backup.tar.gz") -> str:
    path = tmp_path / name
    call_command("backup", "--output", str(path), stdout=StringIO(), stderr=StringIO())
    return str(path)


def _restore(path, *args) -> str:
    out = StringIO()
    call_command("restore", path, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _empty_database_and_storage(settings, tmp_path, name="restored-media"):
    call_command("flush", interactive=False, verbosity=0)
    settings.MEDIA_ROOT = tmp_path / name
    assert not User.objects.exists() and not Ticket.objects.exists()


def _manifest(path) -> dict:
    with tarfile.open(path, "r:gz") as tar:
        return json.load(tar.extractfile("manifest.json"))


def test_restore_into_an_empty_database_finds_every_row_and_file_byte_for_byte(dataset, settings, tmp_path):
    before = _snapshot()
    tickets, users = Ticket.objects.count(), User.objects.count()
    archive = _backup(tmp_path)

    _empty_database_and_storage(settings, tmp_path)
    assert not any((tmp_path / "restored-media").rglob("*.*"))
    output = _restore(archive)

    after = _snapshot()
    for label in ("tickets.ticket", "tickets.comment", "tickets.ticketevent", "accounts.user",
                  "organizations.membership", "organizations.organization", "tickets.category",
                  "tickets.categoryfield", "tickets.attachment", "tickets.ticketcc",
                  "tickets.serviceteam_members", "tickets.ticketnumbercounter"):
        assert after["rows"][label] == before["rows"][label], label
        assert after["rows"][label], f"{label} should not be empty in this data set"
    assert after["rows"] == before["rows"]
    assert after["files"] == before["files"]
    assert len(after["files"]) == 4
    assert PNG in after["files"].values() and PDF in after["files"].values() and TEXT in after["files"].values()
    # The files are back where the storage keeps them, not just readable through it.
    for name, content in before["files"].items():
        assert (tmp_path / "restored-media" / name).read_bytes() == content
    # Password hashes came back: the demo users can still sign in.
    customer = _customer()
    assert customer.password == next(
        row["password"] for row in before["rows"]["accounts.user"] if row["id"] == customer.pk
    )
    assert f"Restored {sum(len(r) for r in before['rows'].values()):,} rows" in output
    assert "and 4 files" in output
    assert Ticket.objects.count() == tickets and User.objects.count() == users


def test_queued_tasks_survive_a_restore(dataset, settings, tmp_path):
    from django_tasks_db.models import DBTaskResult

    queued = list(DBTaskResult.objects.order_by("pk").values())
    archive = _backup(tmp_path)
    _empty_database_and_storage(settings, tmp_path)
    _restore(archive)

    assert list(DBTaskResult.objects.order_by("pk").values()) == queued


def test_manifest_records_versions_migrations_counts_and_checksums(dataset, tmp_path):
    archive = _backup(tmp_path)
    manifest = _manifest(archive)

    assert stat.S_IMODE(os.stat(archive).st_mode) == 0o600
    assert manifest["format"] == "tessera-backup"
    assert manifest["tessera_version"] and manifest["django_version"].startswith("5.2")
    assert manifest["database"]["vendor"] in ("sqlite", "postgresql")
    assert manifest["migrations"]["tickets"].startswith("00")
    counts = {entry["model"]: entry["count"] for entry in manifest["models"]}
    assert counts["tickets.ticket"] == Ticket.objects.count()
    assert counts["tickets.comment"] == Comment.objects.count()
    assert counts["tickets.ticketevent"] == TicketEvent.objects.count()
    assert "sessions.session" not in counts and "contenttypes.contenttype" not in counts
    assert "tickets.ticketpresence" not in counts  # who had a ticket open: gone within seconds
    names = {entry["name"] for entry in manifest["files"]}
    assert names == set(Attachment.objects.values_list("file", flat=True))
    assert all(len(entry["sha256"]) == 64 for entry in manifest["files"] + manifest["models"])
    # Models come after those they refer to.
    order = [entry["model"] for entry in manifest["models"]]
    assert order.index("accounts.user") < order.index("organizations.membership") < order.index("tickets.ticket")
    assert order.index("tickets.ticket") < order.index("tickets.comment") < order.index("tickets.attachment")


def test_backup_refuses_to_overwrite_a_file(tmp_path, db):
    (tmp_path / "taken.tar.gz").write_bytes(b"keep me")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", "--output", str(tmp_path / "taken.tar.gz"), stdout=StringIO())
    assert (tmp_path / "taken.tar.gz").read_bytes() == b"keep me"


def test_new_ticket_after_restore_gets_a_fresh_number_and_id(dataset, settings, tmp_path):
    last_number = TicketNumberCounter.objects.get().last_value
    max_ids = {model: model.objects.aggregate(m=Max("pk"))["m"] for model in (Ticket, Comment, TicketEvent, Attachment)}
    archive = _backup(tmp_path)
    _empty_database_and_storage(settings, tmp_path)
    _restore(archive)

    ticket = ticket_create(
        author=_customer(), title="After the restore", category=_plain_category(),
        attachments=[SimpleUploadedFile("neu.pdf", PDF, content_type="application/pdf")],
    )
    comment = comment_add(ticket=ticket, author=_customer(), body="Still works.")

    assert int(ticket.number) == last_number + 1
    assert not Ticket.objects.exclude(pk=ticket.pk).filter(number=ticket.number).exists()
    assert ticket.pk > max_ids[Ticket]
    assert comment.pk > max_ids[Comment]
    assert ticket.attachments.get().pk > max_ids[Attachment]
    assert TicketEvent.objects.filter(ticket=ticket).aggregate(m=Max("pk"))["m"] > max_ids[TicketEvent]


def test_restore_refuses_a_database_that_is_not_empty(dataset, tmp_path):
    archive = _backup(tmp_path)
    extra = ticket_create(author=_customer(), title="Written after the backup", category=_plain_category())
    count = Ticket.objects.count()

    with pytest.raises(CommandError, match=r"not empty.*--force"):
        _restore(archive)
    assert Ticket.objects.count() == count

    _restore(archive, "--force")
    assert Ticket.objects.count() == count - 1
    assert not Ticket.objects.filter(pk=extra.pk).exists()


def _corrupt(archive: str, target: str, member_prefix: str) -> None:
    """Rewrite the archive with some bytes of one member changed (same length, manifest untouched)."""
    with tarfile.open(archive, "r:gz") as tar:
        members = [(member, tar.extractfile(member).read()) for member in tar.getmembers()]
    with tarfile.open(target, "w:gz") as tar:
        for member, content in members:
            if member.name.startswith(member_prefix) and len(content) > 100:
                content = content[:50] + bytes(b ^ 0xFF for b in content[50:60]) + content[60:]
                member_prefix = "\0"  # only the first one
            tar.addfile(member, io.BytesIO(content))


def test_a_corrupted_file_fails_the_checksum_and_changes_nothing(dataset, settings, tmp_path):
    archive = _backup(tmp_path)
    damaged = str(tmp_path / "damaged.tar.gz")
    _corrupt(archive, damaged, "files/")
    before = _snapshot()

    # Into the database that holds data, forced: nothing is deleted.
    with pytest.raises(CommandError, match=r"damaged: the SHA-256 of files/attachments/.* Nothing was restored"):
        _restore(damaged, "--force")
    assert _snapshot() == before

    # Into an empty database: it stays empty, and no file is written.
    _empty_database_and_storage(settings, tmp_path)
    with pytest.raises(CommandError, match="damaged"):
        _restore(damaged)
    assert not User.objects.exists() and not Ticket.objects.exists()
    assert not any((tmp_path / "restored-media").rglob("*.*"))


def test_a_corrupted_data_member_fails_the_checksum(dataset, settings, tmp_path):
    archive = _backup(tmp_path)
    damaged = str(tmp_path / "damaged.tar.gz")
    _corrupt(archive, damaged, "data/")
    _empty_database_and_storage(settings, tmp_path)

    with pytest.raises(CommandError, match=r"damaged: the SHA-256 of data/"):
        _restore(damaged)
    assert not User.objects.exists()


def test_a_file_that_reads_back_wrong_rolls_the_whole_restore_back(dataset, settings, tmp_path, monkeypatch):
    """The last line of defence: rows already loaded are rolled back and the files written removed."""
    archive = _backup(tmp_path)
    _empty_database_and_storage(settings, tmp_path)
    monkeypatch.setattr(backup_module, "_stored_sha256", lambda name: "0" * 64)

    with pytest.raises(CommandError, match="reads back from the storage"):
        _restore(archive)
    assert not User.objects.exists() and not Ticket.objects.exists() and not Organization.objects.exists()
    assert not any((tmp_path / "restored-media").rglob("*.*"))


def test_restore_requires_the_backups_migration_state(dataset, settings, tmp_path, monkeypatch):
    archive = _backup(tmp_path)
    _empty_database_and_storage(settings, tmp_path)
    real = backup_module.migration_state
    monkeypatch.setattr(
        backup_module, "migration_state", lambda using="default": {**real(using), "tickets": "0001_initial"}
    )

    with pytest.raises(CommandError, match=r"(?s)migration state.*tickets: backup 00\d\d_\w+, database 0001_initial"
                       r".*manage.py migrate"):
        _restore(archive)
    assert not User.objects.exists()


def test_check_verifies_an_archive_without_changing_anything(dataset, tmp_path):
    archive = _backup(tmp_path)
    count = ServiceTeam.objects.count()
    output = _restore(archive, "--check")
    assert "is intact" in output and "4 files" in output
    assert ServiceTeam.objects.count() == count

    (tmp_path / "garbage.tar.gz").write_bytes(b"not an archive at all")
    with pytest.raises(CommandError, match="not a readable backup archive"):
        _restore(str(tmp_path / "garbage.tar.gz"), "--check")
