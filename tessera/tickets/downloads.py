"""How an attachment leaves Tessera, for every interface: audited; the interface sends it as a download."""

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.http.response import HttpResponseBase

from tessera.audit.models import AuditAction
from tessera.audit.services import audit_record
from tessera.core.http import file_download
from tessera.core.storage import is_object_storage

from .models import Attachment, Ticket


def _audit(ticket: Ticket, attachment: Attachment) -> None:
    audit_record(action=AuditAction.ATTACHMENT_DOWNLOAD, target=attachment, organization=ticket.organization,
                 ticket=ticket.number, file_name=attachment.original_name)


def attachment_response(*, ticket: Ticket, attachment: Attachment) -> HttpResponseBase:
    """The file as a download, audited; the caller has checked that the user may see both.

    A file missing from the storage is a 404, and nothing is audited. On object storage the file either
    streams through this process or, with ``TESSERA_S3_DOWNLOADS=redirect``, the browser is sent to a link
    signed for a short while (docs/deploy.md, "Object storage"). A store that cannot be reached raises
    ``StorageUnavailable``: a 503 page.
    """
    storage, name = attachment.file.storage, attachment.file.name or ""
    if is_object_storage(storage):
        if settings.TESSERA_S3_DOWNLOADS == "redirect":
            if not storage.exists(name):  # one HEAD: a missing file is a 404 here, not at the store
                raise Http404
            _audit(ticket, attachment)
            url = storage.presigned_url(  # type: ignore[attr-defined]
                name, filename=attachment.original_name, content_type=attachment.content_type,
            )
            response = HttpResponseRedirect(url)
            response["Cache-Control"] = "no-store"  # the link is the user's alone, and short-lived
            response["Referrer-Policy"] = "no-referrer"
            return response
        try:
            body, length = storage.open_stream(name)  # type: ignore[attr-defined]
        except FileNotFoundError:
            raise Http404 from None
        _audit(ticket, attachment)
        download = file_download(body, filename=attachment.original_name, content_type=attachment.content_type)
        download["Content-Length"] = str(length)
        return download
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    _audit(ticket, attachment)
    return file_download(handle, filename=attachment.original_name, content_type=attachment.content_type)
