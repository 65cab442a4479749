"""An import's uploaded file follows the attachments' rule: never a file in storage that no run names, whichever
database write fails (a real refusal by the database: tests/db_refusal.py), on the disk and in a bucket."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import reverse

from tessera.imports.models import ImportRun
from tests.db_refusal import refused_writes

from .helpers import csv_bytes


def upload(client):
    return client.post(reverse("imports:organizations"), {"file": SimpleUploadedFile("customers.csv", csv_bytes())})


@pytest.mark.django_db
def test_a_checked_file_whose_run_the_database_refuses_is_not_kept(client, vendor_admin, stored_files):
    client.force_login(vendor_admin)
    with refused_writes("imports_importrun"), pytest.raises(DatabaseError, match="refused by the test"):
        upload(client)
    assert not ImportRun.objects.exists()
    assert stored_files() == []

    assert upload(client).status_code == 302  # the database takes it again: the file is kept with its run
    assert stored_files() == [ImportRun.objects.get().file.name]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_checked_file_is_not_kept_when_the_database_refuses_the_commit(client, vendor_admin, stored_files):
    client.force_login(vendor_admin)
    with refused_writes("imports_importrun", at_commit=True), pytest.raises(DatabaseError):
        upload(client)
    assert not ImportRun.objects.exists()
    assert stored_files() == []


@pytest.mark.django_db(transaction=True)  # the upload is deleted once the run's change is committed
def test_the_uploaded_file_is_deleted_once_its_import_is_committed(client, vendor_admin, stored_files):
    client.force_login(vendor_admin)
    upload(client)
    run = ImportRun.objects.get()
    assert stored_files() == [run.file.name]
    client.post(reverse("imports:run_commit", args=[run.pk]))
    run.refresh_from_db()
    assert run.state == ImportRun.State.COMMITTED and not run.file
    assert stored_files() == []
