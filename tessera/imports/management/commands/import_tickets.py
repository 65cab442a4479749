"""``manage.py import_tickets FILE``: the old portal's tickets from a JSON lines file or zip (docs/import.md)."""

import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tessera.imports import services
from tessera.imports.models import ImportRun
from tessera.imports.report import ERROR, ImportFileError
from tessera.imports.tickets import BATCH_SIZE, import_tickets, open_source, status_map


class Command(BaseCommand):
    help = ("Import tickets with comments and attachments from a JSON lines file (files beside it) or a zip "
            "archive. Without --commit only a dry run reports. No e-mail is sent.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--dry-run", action="store_true", help="report what would change (the default)")
        mode.add_argument("--commit", action="store_true", help="write the tickets")
        parser.add_argument("--status-map", type=Path, help="JSON object: old status → Tessera status code")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        parser.add_argument("--errors-only", action="store_true", help="list only the rows in error")

    def handle(self, *args, file: Path, commit: bool, status_map: Path | None, batch_size: int, errors_only: bool,
               **options):
        started = time.monotonic()
        try:
            statuses = _statuses(status_map)
            source = open_source(file, max_file_bytes=settings.TESSERA_ATTACHMENT_MAX_BYTES)
        except ImportFileError as error:
            raise CommandError(error.message)

        def progress(done: int) -> None:
            if options["verbosity"] >= 2:
                self.stdout.write(f"  {done:,} lines, {time.monotonic() - started:.0f} s")

        report = import_tickets(source, commit_changes=commit, statuses=statuses, batch_size=batch_size,
                                progress=progress)
        services.record(kind=ImportRun.Kind.TICKETS, name=file.name, report=report, committed=commit)
        for row in report.rows:
            if errors_only and row.outcome != ERROR:
                continue
            if options["verbosity"] >= 1 and row.outcome == ERROR:
                self.stdout.write(f"line {row.line}: {row.outcome}: {row.key}: {' '.join(row.messages)}")
        summary = report.summary()
        label = "Imported" if commit else "Dry run (nothing written; --commit writes)"
        self.stdout.write(f"{label}: " + ", ".join(f"{key} {value}" for key, value in summary.items())
                          + f" in {time.monotonic() - started:.1f} s")
        if summary[ERROR]:
            self.stderr.write(f"{summary[ERROR]} tickets in error were skipped.")


def _statuses(path: Path | None):
    if path is None:
        return status_map()
    try:
        extra = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ImportFileError(f"The status map {path} cannot be read: {error}")
    if not isinstance(extra, dict):
        raise ImportFileError("The status map must be one JSON object: old status → Tessera status code.")
    return status_map(extra)
