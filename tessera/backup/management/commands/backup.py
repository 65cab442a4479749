import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from tessera.backup.archive import BACKUPS_DIR, BackupError, archive_to_storage, backup


class Command(BaseCommand):
    help = (
        "Write one .tar.gz archive with the whole database (as JSON lines, portable between SQLite and "
        "PostgreSQL), every stored file the database refers to (attachments), and a manifest with "
        "versions, migration state, row counts and SHA-256 checksums. The portal may keep running: the "
        "database is read in one consistent snapshot. Restore with 'manage.py restore'."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", default=None,
            help="Archive to write (must not exist). Default: tessera-backup-<date>-<time>.tar.gz here.",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: default).")
        parser.add_argument(
            "--to-storage", action="store_true",
            help=f"Also keep the archive in the file storage (the S3 bucket when one is configured), under "
                 f"{BACKUPS_DIR}/; restore it with 'manage.py restore --from-storage NAME'.",
        )

    def handle(self, *args, output=None, database=DEFAULT_DB_ALIAS, verbosity=1, to_storage=False, **options):
        started = time.monotonic()
        if output is None:
            output = f"tessera-backup-{timezone.now():%Y%m%d-%H%M%S}.tar.gz"
        log = self._progress if verbosity >= 2 else (lambda message: None)
        try:
            result = backup(Path(output), using=database, log=log)
        except BackupError as error:
            raise CommandError(str(error)) from None
        for name in result.missing_files:
            self.stderr.write(
                self.style.WARNING(f"Missing from the storage, not in the backup: {name}")
            )
        self.stdout.write(self.style.SUCCESS(
            f"Backup written to {result.path}: {result.rows:,} rows of {result.tables} tables and "
            f"{result.files:,} files ({result.file_bytes:,} bytes) in {time.monotonic() - started:.1f} s."
        ))
        if result.missing_files:
            self.stderr.write(self.style.WARNING(
                f"{len(result.missing_files)} files the database refers to were missing from the storage."
            ))
        if to_storage:
            try:
                name = archive_to_storage(result.path)
            except OSError as error:
                raise CommandError(f"The archive could not be copied to the storage: {error}") from None
            self.stdout.write(self.style.SUCCESS(f"Archive kept in the storage as {name}."))

    def _progress(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()
