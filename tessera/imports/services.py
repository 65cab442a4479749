"""The imports the desk and the commands start, each recorded as an ``ImportRun``.

The uploaded file follows the attachments' rule: no file in storage that no run names, no run that names a
deleted file, whichever write fails.
"""

import logging
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.utils import timezone

from tessera.accounts.models import User
from tessera.core.operations import delete_file_on_rollback, operation

from . import organizations
from .models import ImportRun
from .readers import read_table
from .report import ImportFileError, Report

logger = logging.getLogger(__name__)

def _store(run: ImportRun, report: Report | None, error: str = "") -> ImportRun:
    run.summary = report.summary() if report else {}
    run.rows = [row.as_dict() for row in report.rows] if report else []
    run.file_error = error
    return run


def _delete_after_commit(storage: Storage, name: str) -> None:
    """Delete ``name`` once the transaction under way commits: a run whose write fails still names its file."""

    def delete() -> None:
        try:
            storage.delete(name)
        except OSError:  # the storage is down: the file stays until the upload is forgotten (UPLOAD_KEPT_FOR)
            logger.exception("Could not delete the imported file %s", name)

    transaction.on_commit(delete)


#: A checked file nobody imported is deleted after this long; its report stays.
UPLOAD_KEPT_FOR = timedelta(days=7)


def _forget_old_uploads() -> None:
    """The contacts' data of files checked but never imported does not stay in storage for ever."""
    stale = ImportRun.objects.filter(state=ImportRun.State.PREVIEWED, created_at__lt=timezone.now() - UPLOAD_KEPT_FOR)
    for run in stale.exclude(file="").only("pk", "file")[:100]:
        with operation():
            ImportRun.objects.filter(pk=run.pk).update(file="")
            _delete_after_commit(run.file.storage, run.file.name or "")


def organizations_check(*, data: bytes, name: str, invite: bool, user: User | None) -> ImportRun:
    """The dry run: read and judge every row, write nothing but the run with its report (and the file).

    A file that cannot be read raises ``ImportFileError`` and leaves nothing behind.
    """
    _forget_old_uploads()
    run = ImportRun(kind=ImportRun.Kind.ORGANIZATIONS, original_name=name[:255], invite=invite, created_by=user)
    report = organizations.import_organizations(read_table(data, name), commit_changes=False, invite=invite)
    _store(run, report)
    with operation():  # the file is stored first; the run that names it not committed, the file is deleted again
        run.file.save(name, ContentFile(data), save=False)
        delete_file_on_rollback(run.file.storage, run.file.name or "")
        run.save()
    return run


def organizations_commit(*, run: ImportRun, user: User) -> ImportRun:
    """Import the file a dry run checked; the run gets the commit's report. Nothing twice: see the caller's lock."""
    with run.file.open("rb") as handle:
        data = handle.read()
    try:
        report = organizations.import_organizations(
            read_table(data, run.original_name), commit_changes=True, invite=run.invite, invited_by=user,
            queue_invitations=True,
        )
    except ImportFileError as error:
        _store(run, None, error.message)
    else:
        _store(run, report)
    uploaded, storage = run.file.name or "", run.file.storage
    run.file = ""  # the contacts' data is in the database now; the upload is not kept
    run.state = ImportRun.State.COMMITTED
    run.committed_at = timezone.now()
    with operation():
        run.save()
        _delete_after_commit(storage, uploaded)
    return run


def record(*, kind: str, name: str, report: Report, committed: bool, user: User | None = None) -> ImportRun:
    """A run of a command, kept like those of the desk."""
    run = ImportRun(kind=kind, original_name=name[:255], created_by=user)
    _store(run, report)
    if committed:
        run.state, run.committed_at = ImportRun.State.COMMITTED, timezone.now()
    run.save()
    return run
