"""How an attachment leaves Tessera, for every interface: audited; the interface sends it as a download."""

from typing import IO

from django.http import Http404

from tessera.audit.models import AuditAction
from tessera.audit.services import audit_record

from .models import Attachment, Ticket


def attachment_open(*, ticket: Ticket, attachment: Attachment) -> IO[bytes]:
    """The file, opened for reading, its download audited; the caller has checked that the user may see both.

    A file missing from the storage is a 404, and nothing is audited.
    """
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    audit_record(action=AuditAction.ATTACHMENT_DOWNLOAD, target=attachment, organization=ticket.organization,
                 ticket=ticket.number, file_name=attachment.original_name)
    return handle
