"""Find, and with --delete remove, attachment files that no Attachment row refers to.

Such orphans are left when a process dies between writing a file and committing
its row (killed, out of memory, the database gone at commit). The services
already remove the files of a transaction they see fail; this sweep catches the
rest.

Only files under ``ATTACHMENTS_DIR`` of the attachments' storage are looked at,
through the Storage API (``listdir``, ``get_modified_time``, ``delete``), so it
works for local disks and S3 alike. A file younger than the grace period is
never touched: its upload may still be in flight, its row not yet committed.
Rows are checked a directory at a time, in chunks, so memory stays bounded by
the largest directory, not by the number of attachments.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.files.storage import Storage
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tessera.tickets.models import ATTACHMENTS_DIR, Attachment

#: Names checked against the database per query.
CHUNK_SIZE = 500
DEFAULT_GRACE_HOURS = 24


@dataclass
class Orphan:
    name: str
    modified: datetime


@dataclass
class SweepCounts:
    files: int = 0
    referenced: int = 0
    too_recent: int = 0
    orphans: int = 0
    deleted: int = 0
    failed: int = 0


def storage_files(storage: Storage, directory: str) -> Iterator[list[str]]:
    """The names of the files of ``directory`` and of each directory below it, one list per directory."""
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return  # nothing was ever stored
    yield [f"{directory}/{name}" for name in sorted(files)]
    for name in sorted(directories):
        yield from storage_files(storage, f"{directory}/{name}")


def _referenced(names: list[str]) -> set[str]:
    return set(Attachment.objects.filter(file__in=names).values_list("file", flat=True))


def find_orphans(storage: Storage, *, older_than: datetime, counts: SweepCounts) -> Iterator[Orphan]:
    """Files under ATTACHMENTS_DIR that no Attachment names and that were last written before ``older_than``."""
    for names in storage_files(storage, ATTACHMENTS_DIR):
        for start in range(0, len(names), CHUNK_SIZE):
            chunk = names[start:start + CHUNK_SIZE]
            counts.files += len(chunk)
            referenced = _referenced(chunk)
            counts.referenced += len(referenced)
            for name in chunk:
                if name in referenced:
                    continue
                # Asked only of unreferenced files: on S3 each answer is a request of its own.
                try:
                    modified = storage.get_modified_time(name)
                except FileNotFoundError:
                    continue  # deleted since it was listed (another sweep, a restore)
                if modified >= older_than:
                    counts.too_recent += 1
                    continue
                counts.orphans += 1
                yield Orphan(name, modified)


class Command(BaseCommand):
    help = (
        f"List attachment files (under {ATTACHMENTS_DIR}/ of the default storage) that no attachment refers to "
        "and that are older than --older-than hours; remove them with --delete. Files still being uploaded are "
        "younger than the grace period and never touched. Run it daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than", type=float, default=DEFAULT_GRACE_HOURS, metavar="HOURS",
            help=f"Grace period: only files last written more than HOURS ago (default {DEFAULT_GRACE_HOURS}).",
        )
        parser.add_argument("--delete", action="store_true", help="Delete the files listed (default: only list).")

    def handle(self, *args, older_than, delete, **options):
        if older_than < 0:
            raise CommandError("--older-than must be zero or more hours.")
        storage = Attachment._meta.get_field("file").storage
        cutoff = timezone.now() - timedelta(hours=older_than)
        counts = SweepCounts()
        try:
            for orphan in find_orphans(storage, older_than=cutoff, counts=counts):
                self.stdout.write(f"{orphan.name}\t{timezone.localtime(orphan.modified):%Y-%m-%d %H:%M}")
                if not delete:
                    continue
                try:
                    storage.delete(orphan.name)
                except OSError as error:
                    counts.failed += 1
                    self.stderr.write(f"{orphan.name} could not be deleted: {error}")
                else:
                    counts.deleted += 1
        except NotImplementedError:
            raise CommandError("The storage cannot tell when a file was written; nothing was deleted.") from None
        self.stdout.write(self._summary(counts, older_than, delete))
        if counts.failed:
            raise CommandError(f"{counts.failed} orphaned file(s) could not be deleted.")

    @staticmethod
    def _summary(counts: SweepCounts, older_than: float, delete: bool) -> str:
        summary = (
            f"{counts.files} file(s) under {ATTACHMENTS_DIR}/: {counts.referenced} referenced, "
            f"{counts.orphans} orphaned and older than {older_than:g} h, "
            f"{counts.too_recent} orphaned but more recent (kept). "
        )
        if delete:
            return summary + f"{counts.deleted} deleted."
        return summary + ("Nothing deleted (dry run); add --delete to remove them." if counts.orphans else
                          "Nothing to delete.")
