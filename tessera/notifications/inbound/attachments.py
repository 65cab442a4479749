"""The files a mail brings, as uploads, with a note for each file left out."""

import mimetypes
from collections.abc import Callable
from email.message import EmailMessage

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils.translation import gettext as _


def _leaf_parts(part):
    """Every non-container part; an attached message (message/rfc822) is one part, not opened up."""
    if part.get_content_type() == "message/rfc822":
        yield part
    elif part.is_multipart():
        for sub in part.iter_parts():
            yield from _leaf_parts(sub)
    else:
        yield part


def _attachment_of(part) -> SimpleUploadedFile | None:
    content_type = part.get_content_type()
    filename = part.get_filename()
    if content_type == "message/rfc822":
        inner = part.get_payload(0) if isinstance(part.get_payload(), list) else None
        data = inner.as_bytes() if inner is not None else b""
        return SimpleUploadedFile(filename or "message.eml", data, content_type=content_type)
    if not filename and not part.is_attachment() and part.get_content_maintype() in {"text", "multipart"}:
        return None  # an alternative rendering of the body, not a file
    data = part.get_payload(decode=True) or b""
    if not filename:
        filename = "attachment" + (mimetypes.guess_extension(content_type) or "")
    return SimpleUploadedFile(filename, data, content_type=content_type)


def collect_attachments(
    message: EmailMessage, body_part: object, *, limit: int, validate: Callable[[UploadedFile], object]
) -> tuple[list[SimpleUploadedFile], list[str]]:
    """At most ``limit`` files that pass ``validate`` (it raises ``ValidationError``; what it returns is not
    used), and a note for each file left out; ``body_part`` is the part the text was taken from, not a file."""
    accepted: list[SimpleUploadedFile] = []
    notes: list[str] = []
    for part in _leaf_parts(message):
        if part is body_part:
            continue
        try:
            upload = _attachment_of(part)
        except (LookupError, ValueError, TypeError):
            notes.append(_attachment_note(part.get_filename() or "attachment", _("it could not be read")))
            continue
        if upload is None:
            continue
        if len(accepted) >= limit:
            reason = _("at most %(count)d files can be attached to one message") % {"count": limit}
            notes.append(_attachment_note(upload.name or "", reason))
            continue
        try:
            validate(upload)
        except ValidationError as error:
            notes.append(_attachment_note(upload.name or "", " ".join(error.messages)))
            continue
        accepted.append(upload)
    return accepted, notes


def _attachment_note(name: str, reason: str) -> str:
    return _("(attachment %(name)s was not accepted: %(reason)s)") % {"name": name, "reason": reason}
