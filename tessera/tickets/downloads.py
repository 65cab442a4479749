"""How an attachment leaves Tessera, for every interface: audited, never rendered inline."""

from django.http import FileResponse, Http404

from tessera.audit.models import AuditAction
from tessera.audit.services import audit_record

from .models import Attachment, Ticket


def attachment_response(*, ticket: Ticket, attachment: Attachment) -> FileResponse:
    """The file as a download; the caller has checked that the user may see ``ticket`` and ``attachment``."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    audit_record(action=AuditAction.ATTACHMENT_DOWNLOAD, target=attachment, organization=ticket.organization,
                 ticket=ticket.number, file_name=attachment.original_name)
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
