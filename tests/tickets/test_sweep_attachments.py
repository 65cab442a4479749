"""manage.py sweep_attachments: orphaned stored files (attachments, logos, import files) are listed, and
removed only with --delete."""

import os
from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from tessera.tickets.models import Attachment
from tessera.tickets.services import attachment_add

from ..factories import TicketFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def age(name: str, hours: float) -> str:
    """Make the stored file ``name`` look last written ``hours`` ago (local disk only)."""
    when = (timezone.now() - timedelta(hours=hours)).timestamp()
    os.utime(default_storage.path(name), (when, when))
    return name


def orphan(name: str, hours: float = 0) -> str:
    """A file written straight to the storage, as a process killed before its commit leaves it."""
    saved = default_storage.save(name, ContentFile(b"left behind"))
    return age(saved, hours) if hours else saved


@pytest.fixture
def referenced(customer, category):
    """A real attachment, stored through the service and written three days ago."""
    ticket = TicketFactory(created_by=customer, category=category)
    upload = SimpleUploadedFile("screen.png", PNG, content_type="image/png")
    attachment = attachment_add(ticket=ticket, uploaded_by=customer, upload=upload)
    return age(attachment.file.name, 72)


def sweep(*args) -> str:
    out = StringIO()
    call_command("sweep_attachments", *args, stdout=out)
    return out.getvalue()


def test_a_referenced_file_is_kept_however_old(referenced):
    output = sweep("--delete")

    assert default_storage.exists(referenced)
    assert referenced not in output
    assert "1 file(s) under attachments/: 1 referenced, 0 orphaned and older than 24 h" in output
    assert "0 deleted." in output


def test_a_fresh_orphan_is_kept_it_may_be_an_upload_in_flight(referenced):
    fresh = orphan("attachments/2026/11/0123456789abcdef.pdf", hours=2)

    output = sweep("--delete")

    assert default_storage.exists(fresh)
    assert fresh not in output
    assert "1 orphaned but more recent (kept)" in output


def test_an_old_orphan_is_listed_by_the_dry_run_and_nothing_is_deleted(referenced):
    old = orphan("attachments/2026/10/fedcba9876543210.pdf", hours=25)
    fresh = orphan("attachments/2026/11/0123456789abcdef.pdf", hours=1)

    output = sweep()

    assert old in output.splitlines()[0]
    assert fresh not in output
    assert "3 file(s) under attachments/: 1 referenced, 1 orphaned and older than 24 h, 1 orphaned but more " \
           "recent (kept). Nothing deleted (dry run); add --delete to remove them." in output
    assert all(default_storage.exists(name) for name in (old, fresh, referenced))


def test_delete_removes_only_the_old_orphans(referenced):
    old = orphan("attachments/2026/10/fedcba9876543210.pdf", hours=25)
    older = orphan("attachments/2025/01/aaaaaaaaaaaaaaaa.log", hours=24 * 400)
    fresh = orphan("attachments/2026/11/0123456789abcdef.pdf", hours=1)

    output = sweep("--delete")

    assert old in output and older in output
    assert "2 orphaned and older than 24 h" in output and "2 deleted." in output
    assert not default_storage.exists(old) and not default_storage.exists(older)
    assert default_storage.exists(fresh) and default_storage.exists(referenced)
    assert Attachment.objects.count() == 1

    again = sweep("--delete")
    assert "0 orphaned and older than 24 h" in again and "0 deleted." in again


def test_the_grace_period_is_an_option(referenced):
    three_hours = orphan("attachments/2026/11/0123456789abcdef.pdf", hours=3)

    assert three_hours not in sweep("--delete")
    assert default_storage.exists(three_hours)

    output = sweep("--older-than", "2", "--delete")
    assert three_hours in output and "older than 2 h" in output
    assert not default_storage.exists(three_hours)


def test_files_outside_the_attachments_folder_are_never_touched(referenced):
    elsewhere = orphan("exports/tickets.csv", hours=24 * 30)
    beside = orphan("attachments-old/scan.pdf", hours=24 * 30)

    output = sweep("--delete")

    assert default_storage.exists(elsewhere) and default_storage.exists(beside)
    assert elsewhere not in output and beside not in output


def test_orphaned_logos_and_import_files_are_swept_and_the_ones_in_use_kept(vendor_admin):
    from tessera.branding.models import Branding
    from tessera.imports.models import ImportRun

    logo = orphan("branding/logo-in-use", hours=72)
    Branding.objects.update_or_create(pk=Branding.SINGLETON_PK, defaults={"logo": logo})
    pending = orphan("imports/2026/11/previewed", hours=72)
    ImportRun.objects.create(kind=ImportRun.Kind.choices[0][0], original_name="contacts.csv", file=pending,
                             created_by=vendor_admin)
    lost_logo = orphan("branding/favicon-killed", hours=72)
    lost_import = orphan("imports/2026/10/killed", hours=72)

    output = sweep("--delete")

    assert default_storage.exists(logo) and default_storage.exists(pending)
    assert not default_storage.exists(lost_logo) and not default_storage.exists(lost_import)
    assert lost_logo in output and lost_import in output
    assert "2 file(s) under branding/: 1 referenced, 1 orphaned and older than 24 h" in output
    assert "2 file(s) under imports/: 1 referenced, 1 orphaned and older than 24 h" in output


def test_each_folder_swept_is_where_its_fields_store_their_files():
    from django.apps import apps

    from tessera.tickets.management.commands.sweep_attachments import swept_folders

    folders = {folder.directory: folder.fields for folder in swept_folders()}
    assert sorted(folders) == ["attachments", "branding", "imports"]
    for directory, fields in folders.items():
        for path in fields:
            app_label, model, name = path.split(".")
            model_class = apps.get_model(app_label, model)
            stored = model_class._meta.get_field(name).generate_filename(model_class(), "upload.png")
            assert stored.startswith(f"{directory}/"), (path, stored)


def test_nothing_stored_yet_is_nothing_to_do():
    assert "0 file(s) under attachments/" in sweep("--delete")


def test_a_negative_grace_period_is_refused():
    with pytest.raises(CommandError, match="zero or more hours"):
        sweep("--older-than", "-1")


def test_it_uses_only_the_storage_api(settings, customer, category):
    """Any storage that lists, dates and deletes will do (S3 too); here Django's in-memory storage, no disk."""
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    ticket = TicketFactory(created_by=customer, category=category)
    kept = attachment_add(ticket=ticket, uploaded_by=customer,
                          upload=SimpleUploadedFile("screen.png", PNG, content_type="image/png")).file.name
    lost = default_storage.save("attachments/2026/11/deadbeefdeadbeef.png", ContentFile(PNG))

    output = sweep("--older-than", "0", "--delete")

    assert lost in output and "1 deleted." in output
    assert default_storage.exists(kept) and not default_storage.exists(lost)


class RacingSweepStorage(FileSystemStorage):
    """Another sweep deletes each listed file right after this one has listed it."""

    def listdir(self, path):
        directories, files = super().listdir(path)
        for name in files:
            os.remove(self.path(f"{path}/{name}"))
        return directories, files


def test_a_file_deleted_by_another_sweep_meanwhile_is_skipped(settings):
    orphan("attachments/2026/10/fedcba9876543210.pdf", hours=48)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.RacingSweepStorage", "OPTIONS": {"location": str(settings.MEDIA_ROOT)}},
    }

    output = sweep("--delete")

    assert "1 file(s) under attachments/: 0 referenced, 0 orphaned" in output
