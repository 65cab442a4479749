"""``manage.py import_organizations FILE``: organizations and contacts from a CSV or XLSX file (docs/import.md)."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tessera.accounts.models import User
from tessera.imports import services
from tessera.imports.models import ImportRun
from tessera.imports.organizations import import_organizations
from tessera.imports.readers import check_size, read_table
from tessera.imports.report import ERROR, ImportFileError


class Command(BaseCommand):
    help = "Import organizations and contacts from a CSV or XLSX file. Without --commit only a dry run reports."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--dry-run", action="store_true", help="report what would change (the default)")
        mode.add_argument("--commit", action="store_true", help="write the changes")
        parser.add_argument("--invite", action="store_true", help="send new contacts the invitation e-mail")
        parser.add_argument("--invited-by", help="e-mail of the staff user who invites (default: the only "
                                                 "active superuser)")
        parser.add_argument("--errors-only", action="store_true", help="list only the rows in error")

    def handle(self, *args, file: Path, commit: bool, invite: bool, invited_by: str | None, errors_only: bool,
               **options):
        started = time.monotonic()
        try:
            check_size(file.stat().st_size)
            table = read_table(file.read_bytes(), file.name)
        except FileNotFoundError:
            raise CommandError(f"There is no file {file}.")
        except ImportFileError as error:
            raise CommandError(error.message)
        inviter = _inviter(invited_by) if commit and invite else None
        report = import_organizations(table, commit_changes=commit, invite=invite, invited_by=inviter)
        services.record(kind=ImportRun.Kind.ORGANIZATIONS, name=file.name, report=report, committed=commit,
                        user=inviter)
        for row in report.rows:
            if errors_only and row.outcome != ERROR:
                continue
            if options["verbosity"] >= 1 and (row.messages or row.outcome == ERROR):
                self.stdout.write(f"line {row.line}: {row.outcome}: {row.key}: {' '.join(row.messages)}")
        summary = report.summary()
        label = "Imported" if commit else "Dry run (nothing written; --commit writes)"
        self.stdout.write(f"{label}: " + ", ".join(f"{key} {value}" for key, value in summary.items())
                          + f" in {time.monotonic() - started:.1f} s")
        if summary[ERROR]:
            self.stderr.write(f"{summary[ERROR]} rows in error were skipped.")


def _inviter(email: str | None) -> User:
    staff = User.objects.filter(is_active=True, is_staff=True)
    if email:
        user = staff.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No active staff user has the e-mail address {email}.")
        return user
    superusers = list(staff.filter(is_superuser=True)[:2])
    if len(superusers) != 1:
        raise CommandError("Name the staff user who sends the invitations: --invited-by EMAIL.")
    return superusers[0]
