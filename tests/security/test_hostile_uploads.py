"""Hostile uploads (issue 8, item 2): file names, polyglots, empty and oversized files, broken multipart.

No input yields a 500; a stored attachment's name has no path, NUL or backslash and its file stays
under MEDIA_ROOT/attachments; files are served as downloads with nosniff. Run with -s for the count.
"""

from collections import Counter
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tessera.tickets.models import Attachment
from tessera.tickets.workflow import Status

from ..factories import TicketFactory
from .hostile import PROPERTY, chars

TRIED: Counter = Counter()
STORED: set = set()

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<html><script>alert(7331)</script></html>"
NAMES = (
    "../../etc/passwd", "..\\..\\boot.ini", "CON.txt", "con", "NUL.png", "aux.tar.gz", "LPT1.txt", "a\x00.png",
    "a\x00.txt", "x" * 300 + ".txt", "x" * 300, ".htaccess", "...", " ", "", "/", "\\", "C:\\Windows\\x.txt",
    "\u202egnp.txt", "report\u202etxt.exe", "<script>alert(7331)</script>.txt", '"; filename="evil.html',
    "a\r\nContent-Type: text/html.txt", "résumé ｔｅｓｔ.txt", "%2e%2e%2fetc%2fpasswd.txt", "file.txt.",
    "file.TXT", "file.php.txt", "file.html", "file.svg", "file.exe", "\t.txt",
)
names = st.one_of(
    st.sampled_from(NAMES),
    st.builds(lambda a, b: a + b, st.text(chars, max_size=80), st.sampled_from([".txt", ".png", ".pdf", ""])),
)
contents = st.sampled_from([b"plain text\n", PNG, PDF, HTML, b"\x00\x01\x02binary", b"A" * 5000, b""])


@pytest.fixture(scope="module", autouse=True)
def _report_count():
    yield
    print(f"\nHOSTILE UPLOADS TRIED: {sum(TRIED.values())} {dict(TRIED)}; attachment ids stored: {len(STORED)}")


def check(response, name):
    TRIED[name] += 1
    assert response.status_code < 500, (name, response.status_code)
    if "html" in response.get("Content-Type", "") and not getattr(response, "streaming", False):
        assert "<script>alert(7331)</script>" not in response.content.decode("utf-8", "replace")
    return response


BOUNDARY = "HostileBoundary7331"


def post_multipart(client, url, fields: dict, file_name: str, content: bytes):
    """Post the file name exactly as given (the test client would refuse or clean some), UTF-8 encoded."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="attachments"; filename="{file_name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode("utf-8", "surrogatepass") + content + b"\r\n"
    )
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return client.generic("POST", url, data=b"".join(parts), content_type=f"multipart/form-data; boundary={BOUNDARY}")


def assert_attachments_safe(settings):
    root = (Path(settings.MEDIA_ROOT) / "attachments").resolve()
    STORED.update(Attachment.objects.values_list("pk", flat=True))
    for attachment in Attachment.objects.all():
        assert not set(attachment.original_name) & {"/", "\\", "\x00"}, attachment.original_name
        assert attachment.original_name.strip()
        assert len(attachment.original_name) <= 255
        stored = (Path(settings.MEDIA_ROOT) / attachment.file.name).resolve()
        assert stored.is_relative_to(root), stored
        assert stored.is_file()


@PROPERTY
@given(name=names, content=contents)
def test_comment_upload_names(client, customer, category, settings, name, content):
    ticket = TicketFactory(created_by=customer, category=category, status=Status.IN_PROCESS)
    client.force_login(customer)
    check(post_multipart(client, reverse("portal:ticket_comment", args=[ticket.number]), {"body": "see file"},
                         name, content), "comment_upload")
    check(client.get(reverse("portal:ticket_detail", args=[ticket.number])), "comment_upload")
    assert_attachments_safe(settings)


@PROPERTY
@given(name=names, content=contents, title=st.sampled_from(["Printer", "<script>alert(7331)</script>"]))
def test_report_problem_upload_names(client, customer, category, settings, name, content, title):
    client.force_login(customer)
    response = check(post_multipart(client, reverse("portal:ticket_create"), {
        "title": title, "priority": "3", "category_1": str(category.pk), "description": "d",
    }, name, content), "create_upload")
    if response.status_code == 302:
        check(client.get(response["Location"]), "create_upload")
    assert_attachments_safe(settings)


@PROPERTY
@given(name=names, content=contents, send=st.sampled_from(["public", "internal"]))
def test_desk_reply_upload_names(client, agent, customer, category, settings, name, content, send):
    ticket = TicketFactory(created_by=customer, category=category, status=Status.IN_PROCESS)
    client.force_login(agent)
    check(post_multipart(client, reverse("desk:ticket_reply", args=[ticket.number]), {"body": "x", "send": send},
                         name, content), "desk_upload")
    assert_attachments_safe(settings)


@pytest.mark.parametrize(("name", "content"), [
    ("report.png", PDF),  # a PDF header behind an image extension
    ("image.pdf", PNG),
    ("page.txt", HTML),  # HTML in a text file: fine as text, but never rendered
    ("page.txt", b"\xef\xbb\xbf<!DOCTYPE html><script>alert(7331)</script>"),
    ("polyglot.png", PNG + HTML),
    ("archive.zip", b"PK\x03\x04" + HTML),
])
def test_polyglots_are_refused_or_served_as_downloads(client, customer, agent, category, settings, name, content):
    ticket = TicketFactory(created_by=customer, category=category, status=Status.IN_PROCESS)
    client.force_login(customer)
    check(client.post(reverse("portal:ticket_comment", args=[ticket.number]),
                      {"body": "file", "attachments": [SimpleUploadedFile(name, content)]}), "polyglot")
    assert_attachments_safe(settings)
    for attachment in Attachment.objects.filter(ticket=ticket):
        for user, url in (
            (customer, reverse("portal:attachment_download", args=[ticket.number, attachment.pk])),
            (agent, reverse("desk:ticket_attachment", args=[ticket.number, attachment.pk])),
        ):
            client.force_login(user)
            response = client.get(url)
            assert response.status_code == 200
            assert response["X-Content-Type-Options"] == "nosniff"
            assert response["Content-Disposition"].startswith("attachment")
            assert "html" not in response["Content-Type"]
            assert b"".join(response.streaming_content) == content


@PROPERTY
@given(size=st.sampled_from([0, 1, 99, 100, 101, 5000, 70_000]), count=st.integers(1, 12))
def test_empty_oversized_and_too_many_files(client, customer, category, settings, size, count):
    settings.TESSERA_ATTACHMENT_MAX_BYTES = 100
    ticket = TicketFactory(created_by=customer, category=category, status=Status.IN_PROCESS)
    client.force_login(customer)
    files = [SimpleUploadedFile(f"f{i}.txt", b"a" * size) for i in range(count)]
    response = check(client.post(reverse("portal:ticket_comment", args=[ticket.number]),
                                 {"body": "files", "attachments": files}), "size")
    stored = Attachment.objects.filter(ticket=ticket)
    if size == 0 or size > 100 or count > settings.TESSERA_ATTACHMENTS_PER_MESSAGE:
        assert not stored.exists()
        assert response.status_code in (200, 400)
    else:
        assert all(a.size == size for a in stored)
    assert_attachments_safe(settings)


BROKEN_BODIES = (
    b"--broken\r\n",
    b"--broken\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\nhello",
    b"--broken\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"../../x.txt\"\r\n"
    b"Content-Type: text/plain\r\n\r\nabc\r\n--broken--\r\n",
    b"--broken\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"a\x00.txt\"\r\n\r\n"
    b"abc\r\n--broken--",
    b"--broken\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--broken--\r\n",
    b"--broken--\r\n",
    b"",
    b"\x00" * 1000,
    b"--broken\r\n" + b"Content-Disposition: form-data; name=\"body\"\r\n" * 2000,
)


@PROPERTY
@given(
    body=st.sampled_from(BROKEN_BODIES) | st.binary(max_size=2000)
    | st.builds(lambda a, b: a + b, st.sampled_from(BROKEN_BODIES), st.binary(max_size=200)),
    content_type=st.sampled_from([
        "multipart/form-data; boundary=broken", "multipart/form-data", "multipart/form-data; boundary=",
        "multipart/form-data; boundary=" + "b" * 5000, "multipart/form-data; boundary=\x00",
        "multipart/form-data; boundary=broken; charset=x-unknown", "application/x-www-form-urlencoded",
    ]),
    target=st.sampled_from(["create", "comment", "reply", "login", "register"]),
)
def test_malformed_multipart(client, customer, agent, category, settings, body, content_type, target):
    ticket = TicketFactory(created_by=customer, category=category, status=Status.IN_PROCESS)
    user, url = {
        "create": (customer, reverse("portal:ticket_create")),
        "comment": (customer, reverse("portal:ticket_comment", args=[ticket.number])),
        "reply": (agent, reverse("desk:ticket_reply", args=[ticket.number])),
        "login": (None, reverse("accounts:login")),
        "register": (None, reverse("accounts:register")),
    }[target]
    if user:
        client.force_login(user)
    check(client.generic("POST", url, data=body, content_type=content_type), "multipart")
    assert_attachments_safe(settings)
