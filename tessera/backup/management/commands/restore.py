import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from tessera.backup.archive import BackupError, archive_from_storage, restore, verify_archive


class Command(BaseCommand):
    help = (
        "Restore an archive written by 'manage.py backup': verify every checksum, then, in one "
        "transaction, load all rows, reset the id sequences and write the files back to the storage "
        "(each read back and checked). The database must be migrated to the backup's migration state "
        "and be empty (no users, no tickets), unless --force is given: then its content is replaced. "
        "Stop the web server and the task worker first."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The .tar.gz archive written by 'manage.py backup'.")
        parser.add_argument(
            "--from-storage", action="store_true",
            help="ARCHIVE names an archive 'manage.py backup --to-storage' kept in the file storage (the S3 "
                 "bucket when one is configured), e.g. backups/tessera-backup-20261205-030000.tar.gz.",
        )
        parser.add_argument(
            "--force", action="store_true",
            help="Restore even if the database holds data: everything in it is deleted first.",
        )
        parser.add_argument(
            "--check", action="store_true",
            help="Only verify the archive's checksums and print its manifest summary; change nothing.",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: default).")

    def handle(self, *args, archive, from_storage=False, **options):
        if not from_storage:
            return self._restore(archive=archive, **options)
        try:
            with archive_from_storage(archive) as local:
                return self._restore(archive=str(local), **options)
        except FileNotFoundError:
            raise CommandError(f"The storage holds no archive {archive}.") from None
        except OSError as error:
            raise CommandError(f"The archive could not be read from the storage: {error}") from None

    def _restore(self, *, archive, force=False, check=False, database=DEFAULT_DB_ALIAS, verbosity=1, **options):
        started = time.monotonic()
        try:
            if check:
                manifest = verify_archive(archive)
                rows = sum(entry["count"] for entry in manifest["models"])
                self.stdout.write(self.style.SUCCESS(
                    f"{archive} is intact: Tessera {manifest['tessera_version']}, made "
                    f"{manifest['created_at']} on {manifest['database']['vendor']}, {rows:,} rows, "
                    f"{len(manifest['files']):,} files."
                ))
                return
            result = restore(
                archive, force=force, using=database,
                log=self._progress if verbosity >= 1 else (lambda message: None),
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = result.manifest
        if manifest.get("missing_files"):
            self.stderr.write(self.style.WARNING(
                f"{len(manifest['missing_files'])} files were already missing when the backup was made: "
                + ", ".join(manifest["missing_files"][:10])
            ))
        if result.requeued_tasks:
            self.stdout.write(f"{result.requeued_tasks} tasks that were running at backup time are queued again.")
        self.stdout.write(self.style.SUCCESS(
            f"Restored {result.rows:,} rows of {result.tables} tables and {result.files:,} files "
            f"({result.files_already_present:,} already present) from the backup of "
            f"{manifest['created_at']} in {time.monotonic() - started:.1f} s."
        ))

    def _progress(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()
