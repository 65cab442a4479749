"""Find, and with --delete remove, stored files that no row refers to: attachments, logos and import files.

Such orphans are left when a process dies between writing a file and committing
its row (killed, out of memory, the database gone at commit). The services
already remove the files of a transaction they see fail; this sweep catches the
rest.

Each app names its storage folders and the file fields that refer to their files
(``stored_files`` on its AppConfig: ``attachments/``, ``branding/``, ``imports/``).
Only files under those folders are looked at, through the Storage API (``listdir``,
``get_modified_time``, ``delete``), so it works for local disks and S3 alike. A file younger than the grace period is
never touched: its upload may still be in flight, its row not yet committed.
Rows are checked a directory at a time, in chunks, so memory stays bounded by
the largest directory, not by the number of attachments.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps
from django.core.files.storage import Storage
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

#: Names checked against the database per query.
CHUNK_SIZE = 500
DEFAULT_GRACE_HOURS = 24


@dataclass
class Orphan:
    name: str
    modified: datetime


@dataclass(frozen=True)
class Folder:
    """A storage folder and the file fields (``app_label.Model.field``) whose rows name its files."""

    directory: str
    fields: tuple[str, ...]

    @property
    def storage(self) -> Storage:
        app_label, model, name = self.fields[0].split(".")
        return apps.get_model(app_label, model)._meta.get_field(name).storage

    def referenced(self, names: list[str]) -> set[str]:
        found: set[str] = set()
        for path in self.fields:
            app_label, model, name = path.split(".")
            rows = apps.get_model(app_label, model)._default_manager.filter(**{f"{name}__in": names})
            found.update(rows.values_list(name, flat=True))
        return found


def swept_folders() -> list[Folder]:
    """Every app's ``stored_files``, by folder name."""
    folders = [
        Folder(directory, tuple(fields))
        for config in apps.get_app_configs()
        for directory, fields in getattr(config, "stored_files", {}).items()
    ]
    return sorted(folders, key=lambda folder: folder.directory)


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


def find_orphans(folder: Folder, *, older_than: datetime, counts: SweepCounts) -> Iterator[Orphan]:
    """Files under ``folder`` that no row names and that were last written before ``older_than``."""
    storage = folder.storage
    for names in storage_files(storage, folder.directory):
        for start in range(0, len(names), CHUNK_SIZE):
            chunk = names[start:start + CHUNK_SIZE]
            counts.files += len(chunk)
            referenced = folder.referenced(chunk)
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
        "List stored files (attachments, logos and favicons, import files: the folders each app names) that no "
        "row refers to and that are older than --older-than hours; remove them with --delete. Files still being "
        "uploaded are younger than the grace period and never touched. Run it daily from cron."
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
        cutoff = timezone.now() - timedelta(hours=older_than)
        failed = 0
        for folder in swept_folders():
            counts = self._sweep(folder, cutoff, delete)
            self.stdout.write(self._summary(folder, counts, older_than, delete))
            failed += counts.failed
        if failed:
            raise CommandError(f"{failed} orphaned file(s) could not be deleted.")

    def _sweep(self, folder: Folder, cutoff: datetime, delete: bool) -> SweepCounts:
        counts = SweepCounts()
        storage = folder.storage
        try:
            for orphan in find_orphans(folder, older_than=cutoff, counts=counts):
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
            raise CommandError(
                f"The storage cannot tell when a file was written; nothing more was deleted under {folder.directory}/."
            ) from None
        return counts

    @staticmethod
    def _summary(folder: Folder, counts: SweepCounts, older_than: float, delete: bool) -> str:
        summary = (
            f"{counts.files} file(s) under {folder.directory}/: {counts.referenced} referenced, "
            f"{counts.orphans} orphaned and older than {older_than:g} h, "
            f"{counts.too_recent} orphaned but more recent (kept). "
        )
        if delete:
            return summary + f"{counts.deleted} deleted."
        return summary + ("Nothing deleted (dry run); add --delete to remove them." if counts.orphans else
                          "Nothing to delete.")
