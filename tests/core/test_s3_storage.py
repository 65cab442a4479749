"""Attachments and backups on S3-compatible object storage, against a real S3 server (moto's, tests/s3.py)."""

import socket
import urllib.request
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse

from tessera.audit.models import AuditAction, AuditEntry
from tessera.core.operations import operation
from tessera.notifications.inbound import Outcome, process_inbound_message
from tessera.notifications.reply_tokens import reply_to_address
from tessera.tickets.models import ATTACHMENTS_DIR, Attachment, Ticket
from tessera.tickets.services import attachment_add, comment_add, ticket_create
from tests.factories import TicketFactory, email_message
from tests.s3 import storages_setting

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png(name="screen.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="image/png")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def s3_down(s3_storage, settings):
    """The same settings, but the object store does not answer (nothing listens on its port)."""
    environment = s3_storage.environment()
    environment["TESSERA_S3_ENDPOINT_URL"] = f"http://127.0.0.1:{_closed_port()}"
    environment["TESSERA_S3_TIMEOUT_SECONDS"] = "1"
    settings.STORAGES = storages_setting(environment)
    return s3_storage


def test_a_customers_upload_lands_in_the_bucket_and_downloads_through_the_portal(client, customer, category,
                                                                                  s3_storage):
    client.force_login(customer)
    ticket = ticket_create(author=customer, title="Printer", category=category)
    response = client.post(reverse("portal:ticket_comment", args=[ticket.number]),
                           {"body": "Here is the log", "attachments": [SimpleUploadedFile("log.txt", b"line one\n")]})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert s3_storage.objects() == [attachment.file.name]
    assert attachment.file.name.startswith(f"{ATTACHMENTS_DIR}/")
    assert s3_storage.read(attachment.file.name) == b"line one\n"

    download = client.get(reverse("portal:attachment_download", args=[ticket.number, attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"line one\n"
    assert download["Content-Length"] == "9"
    assert download["Content-Disposition"] == 'attachment; filename="log.txt"'
    assert AuditEntry.objects.filter(action=AuditAction.ATTACHMENT_DOWNLOAD).count() == 1


def test_a_new_ticket_with_files_from_the_portal_form(client, customer, category, s3_storage):
    client.force_login(customer)
    response = client.post(reverse("portal:ticket_create"), {
        "title": "Scanner", "priority": "3", "category_1": category.pk, "description": "See the screenshot.",
        "attachments": [png()],
    })
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert s3_storage.objects() == [ticket.attachments.get().file.name]


def test_an_agents_reply_with_a_file_from_the_desk(client, agent, customer, category, s3_storage):
    ticket = ticket_create(author=customer, title="Printer", category=category)
    client.force_login(agent)
    response = client.post(reverse("desk:ticket_reply", args=[ticket.number]),
                           {"body": "Please restart.", "send": "public", "attachments": [png()]})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert s3_storage.read(attachment.file.name) == PNG
    download = client.get(reverse("desk:ticket_attachment", args=[ticket.number, attachment.pk]))
    assert b"".join(download.streaming_content) == PNG


def test_a_file_that_came_by_mail_lands_in_the_bucket(customer, category, s3_storage):
    ticket = TicketFactory(created_by=customer, category=category, title="Printer driver crashes")
    message = email_message(
        sender=customer.email, to=reply_to_address(ticket_id=ticket.pk, user_id=customer.pk),
        subject=f"Re: [#{ticket.number}] {ticket.title}", body="The scan.",
        attachments=[("scan.pdf", PDF, "application/pdf")],
    )
    process_inbound_message(message.as_bytes())
    attachment = ticket.attachments.get()
    assert attachment.original_name == "scan.pdf"
    assert s3_storage.read(attachment.file.name) == PDF


def test_an_oversized_upload_is_refused_while_streaming_and_never_reaches_the_bucket(client, customer, category,
                                                                                      s3_storage, settings):
    settings.TESSERA_ATTACHMENT_MAX_BYTES = 1024
    client.force_login(customer)
    ticket = ticket_create(author=customer, title="Printer", category=category)
    response = client.post(reverse("portal:ticket_comment", args=[ticket.number]),
                           {"body": "Big", "attachments": [png("big.png", PNG + b"\x00" * 5000)]})
    assert "The file big.png is larger than" in response.content.decode()
    assert s3_storage.objects() == []
    assert not Attachment.objects.exists()


def test_redirect_mode_sends_the_browser_to_a_short_lived_signed_link(client, customer, category, s3_storage,
                                                                       settings):
    settings.TESSERA_S3_DOWNLOADS = "redirect"
    settings.TESSERA_S3_PRESIGNED_SECONDS = 30
    ticket = ticket_create(author=customer, title="Printer", category=category, attachments=[png("bild ä.png")])
    attachment = ticket.attachments.get()
    client.force_login(customer)

    response = client.get(reverse("portal:attachment_download", args=[ticket.number, attachment.pk]))
    assert response.status_code == 302
    link = response["Location"]
    assert link.startswith(f"{s3_storage.endpoint}/{s3_storage.name}/{attachment.file.name}?")
    assert "X-Amz-Expires=30" in link and "X-Amz-Signature=" in link
    assert response["Cache-Control"] == "no-store"
    with urllib.request.urlopen(link) as answer:  # noqa: S310 (the test's own server)
        assert answer.read() == PNG
        assert answer.headers["Content-Disposition"].startswith("attachment;")
        assert "bild" in answer.headers["Content-Disposition"]
    assert AuditEntry.objects.filter(action=AuditAction.ATTACHMENT_DOWNLOAD).count() == 1

    # The policy check comes first: another organization's user gets no link.
    client.logout()
    from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

    outsider = MembershipFactory(organization=OrganizationFactory(), user=UserFactory()).user
    client.force_login(outsider)
    assert client.get(reverse("portal:attachment_download", args=[ticket.number, attachment.pk])).status_code == 404


def test_a_file_missing_from_the_bucket_is_a_404(client, customer, category, s3_storage):
    ticket = ticket_create(author=customer, title="Printer", category=category, attachments=[png()])
    attachment = ticket.attachments.get()
    s3_storage.client.delete_object(Bucket=s3_storage.name, Key=attachment.file.name)
    client.force_login(customer)
    assert client.get(reverse("portal:attachment_download", args=[ticket.number, attachment.pk])).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditAction.ATTACHMENT_DOWNLOAD).exists()


def test_an_unreachable_store_gives_a_clear_503_page_not_a_500(client, customer, category, s3_storage, settings):
    ticket = ticket_create(author=customer, title="Printer", category=category, attachments=[png()])
    attachment = ticket.attachments.get()
    settings.STORAGES = storages_setting({**s3_storage.environment(), "TESSERA_S3_TIMEOUT_SECONDS": "1",
                                          "TESSERA_S3_ENDPOINT_URL": f"http://127.0.0.1:{_closed_port()}"})
    client.force_login(customer)
    for mode in ("stream", "redirect"):
        settings.TESSERA_S3_DOWNLOADS = mode
        response = client.get(reverse("portal:attachment_download", args=[ticket.number, attachment.pk]))
        assert response.status_code == 503, mode
        page = response.content.decode()
        assert "Files are unavailable right now" in page
        assert "cannot be reached at the moment" in page
        assert response["Retry-After"] == "60"
    assert not AuditEntry.objects.filter(action=AuditAction.ATTACHMENT_DOWNLOAD).exists()


def test_an_upload_while_the_store_is_down_says_so_and_keeps_nothing(client, customer, category, s3_down):
    ticket = ticket_create(author=customer, title="Printer", category=category)
    client.force_login(customer)
    response = client.post(reverse("portal:ticket_comment", args=[ticket.number]),
                           {"body": "With a file", "attachments": [png()]})
    assert response.status_code in (200, 400)
    assert "screen.png could not be stored. Nothing was saved; please try again later." in response.content.decode()
    assert not Attachment.objects.exists()
    assert s3_down.objects() == []


def test_a_later_failure_in_the_same_unit_of_work_removes_the_files_already_stored(customer, category,
                                                                                   s3_storage):
    ticket = ticket_create(author=customer, title="Printer", category=category)
    with pytest.raises(RuntimeError, match="a later step"), operation():
        attachment_add(ticket=ticket, uploaded_by=customer, upload=png("first.png"))
        with operation():  # a nested service that stored a file and returned
            attachment_add(ticket=ticket, uploaded_by=customer, upload=png("second.png"))
        assert len(s3_storage.objects()) == 2
        raise RuntimeError("a later step of the same unit of work fails")
    assert s3_storage.objects() == []
    assert not Attachment.objects.exists()


def test_a_nested_unit_of_work_rolled_back_alone_removes_only_its_own_files(customer, category, s3_storage):
    ticket = ticket_create(author=customer, title="Printer", category=category)
    with operation():
        kept = attachment_add(ticket=ticket, uploaded_by=customer, upload=png("kept.png"))
        with pytest.raises(RuntimeError), operation():
            attachment_add(ticket=ticket, uploaded_by=customer, upload=png("dropped.png"))
            raise RuntimeError("refused")
    assert s3_storage.objects() == [kept.file.name]
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["kept.png"]


@pytest.mark.django_db(transaction=True)
def test_no_file_is_left_when_the_database_refuses_the_commit(customer, category, s3_storage):
    """The rows are written, the file stored, then the commit fails (a foreign key checked at commit): the
    file is deleted with the rolled-back rows."""
    ticket = ticket_create(author=customer, title="Printer", category=category)
    gone = Ticket.objects.get(pk=ticket.pk)
    Ticket.objects.filter(pk=ticket.pk).delete()  # another request deleted it meanwhile (merge, cleanup)
    with pytest.raises(IntegrityError):
        attachment_add(ticket=gone, uploaded_by=customer, upload=png())
    assert s3_storage.objects() == []
    assert not Attachment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_backup_round_trip_through_the_bucket(customer, category, s3_storage, s3_bucket_factory, settings,
                                                 tmp_path):
    ticket = ticket_create(author=customer, title="Printer", category=category, attachments=[png()])
    comment_add(ticket=ticket, author=customer, body="And the scan",
                attachments=[SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")])
    names = sorted(Attachment.objects.values_list("file", flat=True))
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", "--output", str(archive), stdout=StringIO(), stderr=StringIO())

    call_command("flush", interactive=False, verbosity=0)
    empty = s3_bucket_factory()
    settings.STORAGES = storages_setting(empty.environment())
    output = StringIO()
    call_command("restore", str(archive), stdout=output, stderr=StringIO())

    assert "and 2 files" in output.getvalue()
    assert empty.objects() == names
    assert sorted(empty.read(name) for name in names) == sorted([PNG, PDF])
    assert sorted(Attachment.objects.values_list("file", flat=True)) == names


def test_sweep_attachments_removes_orphans_from_the_bucket_and_keeps_the_rest(customer, category, s3_storage):
    ticket = ticket_create(author=customer, title="Printer", category=category, attachments=[png()])
    kept = ticket.attachments.get().file.name
    s3_storage.put(f"{ATTACHMENTS_DIR}/2026/01/orphan.png", PNG)
    s3_storage.put("branding/logo-0123.png", PNG)  # a logo whose row was never written
    s3_storage.put("exports/report.csv", b"x")  # outside every folder of stored files: never looked at

    out = StringIO()
    call_command("sweep_attachments", "--older-than", "0", "--delete", stdout=out)
    assert f"{ATTACHMENTS_DIR}/2026/01/orphan.png" in out.getvalue() and "branding/logo-0123.png" in out.getvalue()
    assert s3_storage.objects() == sorted([kept, "exports/report.csv"])


def test_a_mail_with_a_file_while_the_store_is_down_is_deferred_and_keeps_nothing(customer, category, s3_down):
    ticket = TicketFactory(created_by=customer, category=category, title="Printer driver crashes")
    message = email_message(
        sender=customer.email, to=reply_to_address(ticket_id=ticket.pk, user_id=customer.pk),
        subject=f"Re: [#{ticket.number}] {ticket.title}", body="The scan.",
        attachments=[("scan.pdf", PDF, "application/pdf")],
    )
    result = process_inbound_message(message.as_bytes())
    assert result.outcome == Outcome.TEMPORARY_FAILURE  # the SMTP receiver answers 451: the sender retries
    assert not ticket.comments.exists() and not Attachment.objects.exists()
    assert s3_down.objects() == []


def test_the_embedded_default_keeps_files_on_the_local_disk_without_loading_boto3():
    """`make run` needs nothing beyond the local default: no bucket set, no S3 client loaded."""
    import os
    import subprocess
    import sys

    code = ("import sys, django; django.setup(); from django.core.files.storage import default_storage as s; "
            "s._setup(); print(type(s._wrapped).__name__, 'boto3' in sys.modules, 'storages' in sys.modules)")
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("TESSERA_S3_", "AWS_"))} | {"DJANGO_SETTINGS_MODULE": "tessera.settings"}
    done = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True,
                          cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert done.stdout.split() == ["FileSystemStorage", "False", "False"]


def test_the_ticket_page_lists_attachments_without_asking_the_store(client, customer, category, s3_storage,
                                                                      settings):
    """The store is not asked while the page is drawn: with it unreachable, the page still lists every file."""
    ticket = ticket_create(author=customer, title="Printer", category=category,
                           attachments=[png("one.png"), png("two.png")])
    settings.STORAGES = storages_setting({**s3_storage.environment(), "TESSERA_S3_TIMEOUT_SECONDS": "1",
                                          "TESSERA_S3_ENDPOINT_URL": f"http://127.0.0.1:{_closed_port()}"})
    client.force_login(customer)
    response = client.get(reverse("portal:ticket_detail", args=[ticket.number]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "one.png" in page and "two.png" in page


@pytest.mark.django_db(transaction=True)
def test_a_backup_kept_in_the_bucket_restores_from_there(customer, category, s3_storage, settings, tmp_path):
    ticket = ticket_create(author=customer, title="Printer", category=category, attachments=[png()])
    attachment = ticket.attachments.get().file.name
    archive = tmp_path / "nightly.tar.gz"
    out = StringIO()
    call_command("backup", "--output", str(archive), "--to-storage", stdout=out, stderr=StringIO())
    assert "Archive kept in the storage as backups/nightly.tar.gz." in out.getvalue()
    assert s3_storage.read("backups/nightly.tar.gz") == archive.read_bytes()

    archive.unlink()  # the machine is gone; the bucket is not
    call_command("flush", interactive=False, verbosity=0)
    s3_storage.client.delete_object(Bucket=s3_storage.name, Key=attachment)
    output = StringIO()
    call_command("restore", "--from-storage", "backups/nightly.tar.gz", stdout=output, stderr=StringIO())
    assert "and 1 files" in output.getvalue()
    assert Ticket.objects.get().title == "Printer"
    assert s3_storage.read(attachment) == PNG

    # The sweep never takes the archives for orphaned attachments.
    call_command("sweep_attachments", "--older-than", "0", "--delete", stdout=StringIO())
    assert "backups/nightly.tar.gz" in s3_storage.objects()


@pytest.mark.django_db(transaction=True)
def test_restoring_an_archive_the_bucket_does_not_hold_says_so(s3_storage):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="The storage holds no archive backups/none.tar.gz."):
        call_command("restore", "--from-storage", "backups/none.tar.gz", stdout=StringIO(), stderr=StringIO())
