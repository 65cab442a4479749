import time

from django.core.management.base import BaseCommand, CommandError

from tessera.demo.bulk import DEFAULT_BATCH_SIZE, MAX_BULK_ORGANIZATIONS, seed_bulk
from tessera.demo.catalog import DEMO_LOGINS, DEMO_PASSWORD
from tessera.demo.seed import seed_demo


class Command(BaseCommand):
    help = (
        "Create the demo data: the vendor's administrator and agents in three service teams, two customer "
        "organizations with one member per role, a category tree and about 300 tickets in every status. "
        "Safe to run any number of times: existing rows are never changed or duplicated, and once the demo "
        "exists the command only prints the demo logins. "
        "With --tickets/--orgs it also writes a large data set for load tests: bulk organizations "
        "(customer codes 9000001 upwards, the first one holding 5% of the tickets) and tickets with three "
        "comments each. Running that again reuses the bulk organizations that exist (creating missing ones) "
        "and ADDS the given number of tickets each time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--tickets", type=int, default=None,
            help="Add this many tickets to the bulk organizations (each run adds more).",
        )
        parser.add_argument(
            "--orgs", type=int, default=None,
            help="Make sure this many bulk organizations exist and spread the new tickets over them "
            "(default: those that exist, or one per 500 tickets).",
        )
        parser.add_argument(
            "--batch-size", type=int, default=DEFAULT_BATCH_SIZE,
            help=f"Tickets written per transaction in bulk mode (default {DEFAULT_BATCH_SIZE:,}).",
        )

    def handle(self, *args, tickets=None, orgs=None, batch_size=DEFAULT_BATCH_SIZE, verbosity=1, **options):
        started = time.monotonic()
        if tickets is not None and tickets < 0:
            raise CommandError("--tickets cannot be negative.")
        if orgs is not None and not 1 <= orgs <= MAX_BULK_ORGANIZATIONS:
            raise CommandError(f"--orgs must be between 1 and {MAX_BULK_ORGANIZATIONS:,}.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")

        if tickets is None and orgs is None:
            if seed_demo():
                self.stdout.write(self.style.SUCCESS("Demo data created."))
            else:
                self.stdout.write("Demo data already present; nothing to do.")
        else:
            written = seed_bulk(
                tickets=tickets or 0, organizations=orgs, batch_size=batch_size,
                log=self._progress if verbosity >= 1 else lambda message: None,
            )
            self.stdout.write(self.style.SUCCESS(f"Added {written:,} tickets."))
        self.stdout.write(f"Elapsed time: {time.monotonic() - started:.1f} s")
        self._print_logins()

    def _progress(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()

    def _print_logins(self) -> None:
        rows = [("Role", "Organization", "E-mail", "Password")]
        rows += [(login.role, login.organization, login.email, DEMO_PASSWORD) for login in DEMO_LOGINS]
        widths = [max(len(row[column]) for row in rows) for column in range(4)]
        lines = ["  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip()
                 for row in rows]
        lines.insert(1, "  ".join("-" * width for width in widths))
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Demo logins"))
        for line in lines:
            self.stdout.write(line)
