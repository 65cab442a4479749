"""The logo and the favicon follow the attachments' rule: a file stored for a change the database refuses (at the
write or at the commit: a real refusal, tests/db_refusal.py) is deleted again, and a replaced or removed logo's
file goes once the change is committed; on the local disk and in a bucket."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import reverse

from tessera.branding.models import Branding
from tests.db_refusal import refused_writes

from .conftest import png_bytes
from .test_branding import ADD, CHANGE, admin_data


def logo(width: int = 2) -> SimpleUploadedFile:
    return SimpleUploadedFile("logo.png", png_bytes(width), content_type="image/png")


@pytest.mark.django_db
def test_a_logo_for_a_brand_the_database_refuses_is_not_kept(client, vendor_admin, stored_files):
    client.force_login(vendor_admin)
    with refused_writes("branding_branding"), pytest.raises(DatabaseError, match="refused by the test"):
        client.post(ADD, {**admin_data(), "logo": logo(), "favicon": logo()})
    assert not Branding.objects.exists()
    assert stored_files() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_logo_is_not_kept_when_the_database_refuses_the_commit(client, vendor_admin, stored_files):
    client.force_login(vendor_admin)
    with refused_writes("branding_branding", at_commit=True), pytest.raises(DatabaseError):
        client.post(ADD, {**admin_data(), "logo": logo()})
    assert not Branding.objects.exists()
    assert stored_files() == []


@pytest.mark.django_db
def test_a_refused_new_logo_leaves_the_old_one_in_place_and_served(client, vendor_admin, stored_files):
    client.force_login(vendor_admin)
    assert client.post(ADD, {**admin_data(), "logo": logo()}).status_code == 302
    old = Branding.objects.get().logo.name
    with refused_writes("branding_branding"), pytest.raises(DatabaseError):
        client.post(CHANGE, {**admin_data(), "logo": logo(width=3)})
    assert Branding.objects.get().logo.name == old
    assert stored_files() == [old]
    assert client.get(reverse("branding:logo")).status_code == 200


@pytest.mark.django_db(transaction=True)  # the old file goes once the change is committed
def test_a_replaced_or_removed_logo_s_file_is_deleted(client, vendor_admin, stored_files):
    client.force_login(vendor_admin)
    client.post(ADD, {**admin_data(), "logo": logo()})
    first = Branding.objects.get().logo.name
    assert client.post(CHANGE, {**admin_data(), "logo": logo(width=3)}).status_code == 302
    second = Branding.objects.get().logo.name
    assert second != first and stored_files() == [second]

    assert client.post(CHANGE, {**admin_data(), "logo-clear": "on"}).status_code == 302
    assert not Branding.objects.get().logo
    assert stored_files() == []
