"""The object store down, in Chromium: a download shows a page that says so (503), readable and axe-clean."""

import socket

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tessera.tickets.services import ticket_create
from tests.s3 import storages_setting

from .conftest import log_in
from .test_accessibility import blocking_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_download_while_the_store_is_down_says_so(page, dental_support, s3_storage, settings):
    customer, category = dental_support.customer, dental_support.imaging
    ticket = ticket_create(author=customer, title="X-ray viewer freezes", category=category,
                           attachments=[SimpleUploadedFile("viewer.log", b"frozen at 10:02\n")])
    settings.STORAGES = storages_setting({**s3_storage.environment(), "TESSERA_S3_TIMEOUT_SECONDS": "1",
                                          "TESSERA_S3_ENDPOINT_URL": f"http://127.0.0.1:{_closed_port()}"})
    log_in(page, customer.email, f"/tickets/{ticket.number}/")
    href = page.get_by_role("link", name="viewer.log").get_attribute("href")
    response = page.goto(href)
    assert response.status == 503
    page.get_by_role("heading", name="Files are unavailable right now").wait_for()
    assert page.get_by_text("cannot be reached at the moment").is_visible()
    assert blocking_violations(page) == []
