"""Attachments: size enforced while the upload streams in, names sanitized, content sniffed."""

import re
import unicodedata
from pathlib import PurePosixPath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils.translation import gettext as _

RESERVED_NAMES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
#: Extensions whose content has no magic number; they must not look like a binary format.
TEXT_EXTENSIONS = {"txt", "log", "csv", "xml", "json", "ini", "cfg", "eml"}
#: Sniffed types that may stand behind another extension of the same family.
EQUIVALENT = {"jpeg": "jpg", "tif": "tiff", "docx": "zip", "xlsx": "zip", "pptx": "zip", "odt": "zip", "ods": "zip"}


class LimitedUploadHandler(FileUploadHandler):
    """Stop reading a file as soon as it passes the attachment limit.

    The part already received is thrown away (the temporary file is closed and
    deleted) and the file's name is noted on the request, so the form can say
    which file was too large. Nothing of it reaches memory or storage.
    """

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        self.received = 0
        self._oversized_uploads()  # the form reads the list, empty or not

    def _oversized_uploads(self) -> list[str]:
        """The names of the files refused for their size, noted on the request."""
        uploads: list[str] = vars(self.request).setdefault("oversized_uploads", [])
        return uploads

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.TESSERA_ATTACHMENT_MAX_BYTES:
            self._oversized_uploads().append(sanitize_filename(self.file_name or ""))
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def sanitize_filename(name: str) -> str:
    """A safe, readable file name: no path, no control characters, no reserved device names."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[<>:"|?*]', "_", name).strip(" .")
    stem = PurePosixPath(name).stem.split(".")[0].lower()
    if not name or stem in RESERVED_NAMES:
        name = f"attachment-{name}" if name else "attachment"
    if len(name) > 200:
        suffix = PurePosixPath(name).suffix[:20]
        name = name[: 200 - len(suffix)] + suffix
    return name


def max_size_text() -> str:
    return f"{settings.TESSERA_ATTACHMENT_MAX_BYTES / (1024 * 1024):g} MB"


def validate_upload(upload) -> tuple[str, str]:
    """Check an uploaded file; return its sanitized name and sniffed content type."""
    name = sanitize_filename(upload.name)
    if upload.size == 0:
        raise ValidationError(_("The file %(name)s is empty.") % {"name": name}, code="empty")
    if upload.size > settings.TESSERA_ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("The file %(name)s is larger than %(max)s.") % {"name": name, "max": max_size_text()}, code="too_large"
        )
    extension = PurePosixPath(name).suffix.lower().lstrip(".")
    allowed = {ext.lower() for ext in settings.TESSERA_ATTACHMENT_EXTENSIONS}
    if extension not in allowed:
        raise ValidationError(
            _("Files of type .%(ext)s cannot be attached. Allowed: %(allowed)s.")
            % {"ext": extension or "?", "allowed": ", ".join(sorted(allowed))},
            code="type",
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None:
        if extension not in TEXT_EXTENSIONS and extension not in {"doc", "xls", "rtf", "svg"}:
            raise ValidationError(
                _("The content of %(name)s does not match its type.") % {"name": name}, code="mismatch"
            )
        if b"\x00" in head and extension in TEXT_EXTENSIONS:
            raise ValidationError(
                _("The content of %(name)s does not match its type.") % {"name": name}, code="mismatch"
            )
        content_type = "text/plain" if extension in TEXT_EXTENSIONS else "application/octet-stream"
        return name, content_type
    sniffed = EQUIVALENT.get(kind.extension, kind.extension)
    if sniffed != EQUIVALENT.get(extension, extension):
        raise ValidationError(_("The content of %(name)s does not match its type.") % {"name": name}, code="mismatch")
    return name, kind.mime
