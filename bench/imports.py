"""``make bench-imports``: how long the imports of issue 16 take at a vendor's scale, on PostgreSQL.

1. Drops and creates the database (``--db``, default ``tessera_imports``), migrates it, and adds what the
   tickets refer to: an agent and the category "Practice software > Printing".
2. Writes the files (``bench/out/imports/``): 10,000 organizations with 30,000 contacts (CSV, three
   contacts per organization, the first its administrator), and 100,000 tickets of the old portal as
   JSON lines, three comments each (customer, agent, customer), statuses mixed as an old portal's are.
3. Times, each as a separate ``manage.py`` process (what a vendor runs): the organizations' dry run,
   their commit, the commit again (must change nothing); then the tickets' commit and the commit again.
4. Checks the result with SQL (counts, the next ticket number) and writes ``bench/out/imports.md``.

Options: ``--orgs``, ``--contacts-per-org``, ``--tickets``, ``--comments`` to scale it; ``--keep-db``.
"""

import argparse
import csv
import datetime
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "imports"
PYTHON = sys.executable
CODE_BASE = 3_000_000
FIRST_NUMBER = 100_001
STATUSES = ["Closed"] * 70 + ["Cancelled"] * 8 + ["Resolved"] * 6 + ["In progress"] * 8 + ["Pending"] * 4 + \
    ["New"] * 4

SETUP = """
from tessera.accounts.models import User
from tessera.tickets.models import Category, ServiceTeam
team, _ = ServiceTeam.objects.get_or_create(name="Practice software")
agent = User.objects.filter(email="agent@vendor.example").first() or User.objects.create_user(
    "agent@vendor.example", "bench-agent-1!", is_staff=True, first_name="Ada", last_name="Agent")
team.members.add(agent)
User.objects.filter(email="root@vendor.example").exists() or User.objects.create_superuser(
    "root@vendor.example", "bench-root-1!", first_name="Rita", last_name="Root")
root, _ = Category.objects.get_or_create(name="Practice software", parent=None, defaults={"service_team": team})
Category.objects.get_or_create(name="Printing", parent=root)
"""

CHECK = """
import json
from django.db.models import Max
from tessera.accounts.models import User
from tessera.organizations.models import Membership, Organization
from tessera.tickets.models import Comment, Ticket
from tessera.tickets.numbering import draw_ticket_number
print(json.dumps({
    "organizations": Organization.objects.count(), "users": User.objects.filter(is_staff=False).count(),
    "memberships": Membership.objects.count(), "tickets": Ticket.objects.count(),
    "comments": Comment.objects.count(), "highest_imported": Ticket.objects.aggregate(m=Max("number"))["m"],
    "next_number": draw_ticket_number(),
}))
"""


def log(message: str) -> None:
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", flush=True)


def env(args) -> dict:
    return {**os.environ, "DATABASE_URL": f"postgres://{args.pg_user}@{args.pg_host}:{args.pg_port}/{args.db}",
            "DJANGO_SETTINGS_MODULE": "tessera.settings", "TESSERA_LOG_LEVEL": "ERROR",
            "TESSERA_MEDIA_ROOT": str(OUT / "media")}


def manage(args, *command: str) -> tuple[float, str]:
    started = time.monotonic()
    result = subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env(args), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    seconds = time.monotonic() - started
    if result.returncode:
        print(result.stdout)
        raise SystemExit(f"manage.py {' '.join(command)} failed")
    return seconds, result.stdout


def psql(args, sql: str, db: str = "postgres") -> None:
    subprocess.run(["psql", "-h", args.pg_host, "-p", args.pg_port, "-U", args.pg_user, "-d", db, "-q", "-c", sql],
                   check=True, stdout=subprocess.DEVNULL)


def write_organizations(path: Path, orgs: int, per_org: int) -> None:
    rng = random.Random(16)
    cities = [("20121", "Milano", "IT", "it"), ("80331", "München", "DE", "de"), ("1010", "Wien", "AT", "de"),
              ("00184", "Roma", "IT", "it"), ("10115", "Berlin", "DE", "de"), ("EC1A 1BB", "London", "GB", "en")]
    roles = ["admin", "manager"] + ["basic"] * max(0, per_org - 2)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["customer_code", "name", "postal_code", "city", "country", "language", "email",
                         "first_name", "last_name", "role"])
        for index in range(orgs):
            code = CODE_BASE + index
            postal_code, city, country, language = rng.choice(cities)
            for contact in range(per_org):
                writer.writerow([code, f"Praxis {index} {city}", postal_code, city, country, language,
                                 f"user{contact}@c{code}.example", f"First{contact}", f"Last{index}",
                                 roles[contact % len(roles)]])


def write_tickets(path: Path, tickets: int, orgs: int, per_org: int, comments: int) -> None:
    rng = random.Random(17)
    start = datetime.datetime(2019, 1, 1, tzinfo=datetime.UTC)
    with path.open("w", encoding="utf-8") as out:
        for index in range(tickets):
            org = rng.randrange(orgs)
            code = CODE_BASE + org
            requester = f"user{rng.randrange(per_org)}@c{code}.example"
            created = start + datetime.timedelta(minutes=index * 20)
            thread = []
            for position in range(comments):
                author = "agent@vendor.example" if position % 2 else requester
                at = created + datetime.timedelta(hours=position + 1)
                body = f"Comment {position + 1} on ticket {index}: the printer shows error E{position}."
                thread.append({"author": author, "created_at": at.isoformat(), "body": body})
            status = rng.choice(STATUSES)
            out.write(json.dumps({
                "number": str(FIRST_NUMBER + index), "title": f"Printer problem {index}",
                "description": "The practice's printer does not print the prescriptions.", "status": status,
                "priority": rng.choice([1, 2, 3, 3, 3, 4]), "customer_code": str(code), "requester": requester,
                "category": ["Practice software", "Printing"], "created_at": created.isoformat(),
                "assignee": "agent@vendor.example", "comments": thread,
            }) + "\n")


def write_invitations(path: Path, count: int, orgs: int) -> None:
    """New contacts of existing organizations (the columns an organization needs, its other cells empty)."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["customer_code", "name", "postal_code", "email", "first_name", "last_name", "role"])
        for index in range(count):
            code = CODE_BASE + index % orgs
            writer.writerow([code, "", "", f"new{index}@c{code}.example", "New", f"Contact {index}", "basic"])


def summary_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith(("Imported", "Dry run"))]
    return lines[-1] if lines else output.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="tessera_imports")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", default="5432")
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--contacts-per-org", type=int, default=3)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--comments", type=int, default=3)
    parser.add_argument("--invites", type=int, default=1000, help="new contacts imported with --invite at the end")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    log(f"Database {args.db}: dropped, created, migrated.")
    psql(args, f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
    psql(args, f'CREATE DATABASE "{args.db}"')
    manage(args, "migrate", "--no-input", "-v0")
    manage(args, "shell", "-c", SETUP)

    organizations = OUT / "organizations.csv"
    invitations = OUT / "invitations.csv"
    tickets = OUT / "tickets.jsonl"
    started = time.monotonic()
    write_organizations(organizations, args.orgs, args.contacts_per_org)
    write_tickets(tickets, args.tickets, args.orgs, args.contacts_per_org, args.comments)
    write_invitations(invitations, args.invites, args.orgs)
    log(f"Files written in {time.monotonic() - started:.1f} s: {organizations.stat().st_size / 1e6:.1f} MB, "
        f"{tickets.stat().st_size / 1e6:.1f} MB.")

    steps = [
        ("organizations: dry run", ["import_organizations", str(organizations), "--errors-only"]),
        ("organizations: commit", ["import_organizations", str(organizations), "--commit", "--errors-only"]),
        ("organizations: commit again (changes nothing)",
         ["import_organizations", str(organizations), "--commit", "--errors-only"]),
        ("tickets: dry run", ["import_tickets", str(tickets), "--errors-only"]),
        ("tickets: commit", ["import_tickets", str(tickets), "--commit", "--errors-only"]),
        ("tickets: commit again (changes nothing)", ["import_tickets", str(tickets), "--commit", "--errors-only"]),
        (f"{args.invites:,} new contacts: commit with --invite",
         ["import_organizations", str(invitations), "--commit", "--invite", "--errors-only"]),
    ]
    results = []
    for label, command in steps:
        log(f"{label}...")
        seconds, output = manage(args, *command)
        results.append((label, seconds, summary_line(output)))
        log(f"  {seconds:.1f} s — {summary_line(output)}")
    _, check = manage(args, "shell", "-c", CHECK)
    facts = json.loads(check.strip().splitlines()[-1])
    log(f"Database afterwards: {facts}")

    rows = "\n".join(f"| {label} | {seconds:.1f} s | {summary} |" for label, seconds, summary in results)
    report = (
        f"# Import benchmark ({datetime.datetime.now():%Y-%m-%d %H:%M})\n\n"
        f"{args.orgs:,} organizations with {args.orgs * args.contacts_per_org:,} contacts; "
        f"{args.tickets:,} tickets with {args.comments} comments each. PostgreSQL `{args.db}`, "
        f"each step a separate `manage.py` process (start-up included).\n\n"
        f"| step | time | result |\n|---|---|---|\n{rows}\n\nAfterwards: `{json.dumps(facts)}`\n"
    )
    (ROOT / "bench" / "out" / "imports.md").write_text(report, encoding="utf-8")
    print(report)
    if not args.keep_db:
        psql(args, f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')


if __name__ == "__main__":
    main()
