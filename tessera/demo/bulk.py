"""Large data sets for load tests: ``seed_demo --tickets N --orgs M``.

The benchmark wants a million tickets over two thousand organizations, so the
rows are generated as plain tuples and written in batches: through PostgreSQL's
COPY where available (several times faster than INSERT), through
``bulk_create`` elsewhere. Each batch is one transaction, so an interrupted run
keeps what it wrote and a big run never holds one huge transaction open.

Bulk organizations carry the customer codes 9000001, 9000002, ... Running the
command again reuses the ones that exist (creating only missing ones) and adds
N more tickets on top of those already there.
"""

import datetime
import json
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, reset_queries, transaction
from django.utils import timezone

from tessera.accounts.models import User
from tessera.organizations.models import Membership, Organization, Role
from tessera.tickets import events
from tessera.tickets.category_fields import clean_field_values
from tessera.tickets.models import CategoryField, Comment, Priority, Source, Ticket, TicketEvent
from tessera.tickets.numbering import draw_ticket_numbers
from tessera.tickets.workflow import WAITING_FOR_CUSTOMER_STATUSES, Status

from . import catalog
from .seed import DemoBase, DemoPassword, ensure_demo_base, problems_by_product, sample_field_value, seed_demo

BULK_CODE_BASE = 9_000_000
BULK_CODE_PATTERN = r"^9[0-9]{6}$"
MAX_BULK_ORGANIZATIONS = 999_999
#: The first bulk organization is a hospital group with this share of the tickets.
LARGE_ORGANIZATION_SHARE = 0.05
LARGE_ORGANIZATION_USERS = 25
COMMENTS_PER_TICKET = 3
HISTORY_DAYS = 730
#: Tickets older than this are nearly all finished.
RECENT_DAYS = 60
DEFAULT_BATCH_SIZE = 10_000
TICKETS_PER_DEFAULT_ORGANIZATION = 500

Log = Callable[[str], None]

# Status mixes as 100-slot tables, so picking one costs one random() call.
OLD_STATUSES = (
    [Status.COMPLETED] * 78 + [Status.COMPLETED_SILENT] * 8 + [Status.CANCELED] * 9 + [Status.ERROR] * 2
    + [Status.ON_HOLD] * 1 + [Status.AWAITING_RELEASE] * 2
)
RECENT_STATUSES = (
    [Status.OPEN] * 8 + [Status.IN_PROCESS] * 12 + [Status.CUSTOMER_ACTION] * 7 + [Status.ADDITIONAL_INFO] * 4
    + [Status.ON_HOLD] * 4 + [Status.AWAITING_RELEASE] * 4 + [Status.APPOINTMENT] * 3 + [Status.REDIRECTED] * 2
    + [Status.SOLUTION_PROVIDED] * 8 + [Status.COMPLETED] * 35 + [Status.COMPLETED_SILENT] * 4
    + [Status.CANCELED] * 7 + [Status.ERROR] * 2
)
PRIORITIES = [Priority.VERY_HIGH] * 5 + [Priority.HIGH] * 20 + [Priority.MEDIUM] * 60 + [Priority.LOW] * 15
CLOSED = frozenset({Status.COMPLETED, Status.COMPLETED_SILENT, Status.CANCELED, Status.ERROR})
UNTOUCHED = frozenset({Status.OPEN})

TICKET_COLUMNS = (
    "id", "number", "organization_id", "created_by_id", "title", "description", "priority", "status",
    "external_reference", "category_id", "service_team_id", "assignee_id", "field_values", "source",
    "created_at", "updated_at", "closed_at", "status_changed_at", "email_message_id",
)
COMMENT_COLUMNS = ("ticket_id", "author_id", "body", "is_internal", "source", "created_at")
EVENT_COLUMNS = ("ticket_id", "actor_id", "type", "data", "created_at")


def bulk_customer_code(index: int) -> str:
    return str(BULK_CODE_BASE + index)


def bulk_organizations():
    return Organization.objects.filter(customer_code__regex=BULK_CODE_PATTERN)


@dataclass
class BulkOrganization:
    pk: int
    #: Members who may open tickets (restricted users may not).
    user_ids: list[int]


def seed_bulk(*, tickets: int, organizations: int | None, batch_size: int = DEFAULT_BATCH_SIZE,
              log: Log = print) -> int:
    """Add ``tickets`` tickets over bulk organizations 1..``organizations``; return the tickets written."""
    started = time.monotonic()
    if seed_demo():
        log("Demo data created.")
    password = DemoPassword()
    base = ensure_demo_base(password=password)
    if organizations is None:
        existing = bulk_organizations().count()
        organizations = existing or max(1, math.ceil(tickets / TICKETS_PER_DEFAULT_ORGANIZATION))
    if not 1 <= organizations <= MAX_BULK_ORGANIZATIONS:
        raise ValueError(f"--orgs must be between 1 and {MAX_BULK_ORGANIZATIONS}")

    orgs = ensure_bulk_organizations(organizations, password=password, log=log)
    log(f"Organizations ready: {organizations:,} ({_elapsed(started)}).")
    if not tickets:
        return 0

    writer = CopyWriter() if connection.vendor == "postgresql" else OrmWriter()
    generator = BulkTicketGenerator(base, orgs, total=tickets)
    written, width = 0, len(f"{tickets:,}")
    while written < tickets:
        count = min(batch_size, tickets - written)
        # Numbers come from the shared counter in their own short transaction,
        # so people creating tickets meanwhile wait milliseconds, not a batch.
        numbers = draw_ticket_numbers(count)
        ticket_rows, comment_rows, event_rows = generator.batch(written, numbers)
        with transaction.atomic():
            writer.write(ticket_rows, comment_rows, event_rows)
        # With DEBUG on, Django keeps the text of every query; bulk inserts
        # would pile up gigabytes of it over a million tickets.
        reset_queries()
        written += count
        seconds = time.monotonic() - started
        log(f"  {written:>{width},} / {tickets:,} tickets ({written / tickets:.0%}), "
            f"{written / max(seconds, 1e-6):,.0f} tickets/s, elapsed {_elapsed(started)}")
    writer.finish(log)
    return written


def _elapsed(started: float) -> str:
    return str(datetime.timedelta(seconds=round(time.monotonic() - started)))


# --- Organizations and their people ------------------------------------------

def ensure_bulk_organizations(count: int, *, password: DemoPassword, log: Log) -> list[BulkOrganization]:
    codes = [bulk_customer_code(index) for index in range(1, count + 1)]
    existing = dict(bulk_organizations().filter(customer_code__lte=codes[-1]).values_list("customer_code", "pk"))
    missing = [index for index in range(1, count + 1) if bulk_customer_code(index) not in existing]
    if missing:
        log(f"Creating {len(missing):,} organizations with their users...")
        for start in range(0, len(missing), 2000):
            with transaction.atomic():
                _create_bulk_organizations(missing[start:start + 2000], password)
        existing = dict(bulk_organizations().filter(customer_code__lte=codes[-1]).values_list("customer_code", "pk"))

    ids = [existing[code] for code in codes]
    members: dict[int, list[int]] = {pk: [] for pk in ids}
    memberships = Membership.objects.filter(
        organization__customer_code__regex=BULK_CODE_PATTERN, role__in=(Role.ADMIN, Role.MANAGER, Role.BASIC),
        is_active=True, user__is_active=True,
    ).values_list("organization_id", "user_id").order_by("user_id")
    for organization_id, user_id in memberships.iterator(chunk_size=10_000):
        if organization_id in members:
            members[organization_id].append(user_id)
    empty = [pk for pk, users in members.items() if not users]
    if empty:
        raise ValueError(f"{len(empty)} bulk organizations have no member who may open tickets")
    return [BulkOrganization(pk, members[pk]) for pk in ids]


def _create_bulk_organizations(indexes: list[int], password: DemoPassword) -> None:
    now = timezone.now()
    since = now - datetime.timedelta(days=HISTORY_DAYS + 30)
    organizations, people = [], []
    for index in indexes:
        rng = random.Random(index)  # the same organization looks the same on every database
        postal_code, city, country, language = catalog.CITIES[0] if index == 1 else rng.choice(catalog.CITIES)
        last_names = catalog.LAST_NAMES[language]
        if index == 1:
            name, size = catalog.LARGE_ORGANIZATION_NAME, LARGE_ORGANIZATION_USERS
        else:
            pattern = rng.choice(catalog.ORGANIZATION_NAME_PATTERNS[language])
            name = pattern.format(last=rng.choice(last_names), city=city)
            size = 2 + index % 4
        code = bulk_customer_code(index)
        organizations.append(Organization(
            customer_code=code, name=name, postal_code=postal_code, city=city, country=country, language=language,
        ))
        roles = [Role.ADMIN, Role.MANAGER] + [Role.BASIC] * (size - 2)
        if index % 10 == 0:
            roles.append(Role.RESTRICTED)
        for number, role in enumerate(roles, start=1):
            local = {Role.ADMIN: "admin", Role.MANAGER: "manager", Role.RESTRICTED: "new"}.get(role, f"user{number}")
            user = User(
                email=f"{local}@c{code}.example", first_name=rng.choice(catalog.FIRST_NAMES[language]),
                last_name=rng.choice(last_names), language=language, date_joined=since, email_verified_at=since,
            )
            user.password = password.hash
            people.append((code, user, role))

    Organization.objects.bulk_create(organizations, batch_size=2000)
    by_code = {organization.customer_code: organization for organization in organizations}
    User.objects.bulk_create([user for _, user, _ in people], batch_size=2000)
    Membership.objects.bulk_create(
        [Membership(user=user, organization=by_code[code], role=role) for code, user, role in people],
        batch_size=2000,
    )


# --- Tickets -----------------------------------------------------------------

@dataclass(frozen=True)
class _Topic:
    """One reportable problem in one category, with everything a row needs precomputed."""

    category_id: int
    team_id: int | None
    title: str
    descriptions: tuple[str, ...]
    solution: str
    #: JSON texts of valid category field values; "__DATE__" stands for the ticket's day.
    field_values: tuple[str, ...]


class BulkTicketGenerator:
    """Tickets as tuples in COPY column order, oldest first so numbers follow time."""

    def __init__(self, base: DemoBase, organizations: list[BulkOrganization], *, total: int,
                 now: datetime.datetime | None = None, seed: int | None = None):
        self.rng = random.Random(seed)
        self.total = total
        self.now = (now or timezone.now()).timestamp()
        self.start = self.now - HISTORY_DAYS * 86400
        self.large, self.others = organizations[0], organizations[1:] or organizations[:1]
        self.topics = self._topics(base)
        # Looked up by a topic's team id, which is None for a category without a team (then: all agents).
        self.agents: dict[int | None, list[int]] = {
            team_id: [agent.pk for agent in agents] for team_id, agents in base.agents_by_team.items()
        }
        self.all_agents = sorted({pk for agents in self.agents.values() for pk in agents})
        self.created_data = {
            source: json.dumps(events.ticket_created_data(status=Status.OPEN.value, source=source))
            for source in (Source.PORTAL.value, Source.EMAIL.value)
        }

    def _topics(self, base: DemoBase) -> list[_Topic]:
        rng = random.Random(7)
        topics = []
        for product in problems_by_product().values():
            for path, problem in product:
                category = base.categories[path]
                team = category.routing_team()
                descriptions = tuple(
                    f"{problem.description} {addition}".strip() for addition in catalog.DESCRIPTION_ADDITIONS
                )
                topics.append(_Topic(
                    category_id=category.pk, team_id=team.pk if team else None, title=problem.title,
                    descriptions=descriptions, solution=problem.solution,
                    field_values=tuple(self._field_values(base.fields[category.pk], rng) for _ in range(6)),
                ))
        return topics

    @staticmethod
    def _field_values(fields: list[CategoryField], rng: random.Random) -> str:
        marker = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
        raw = {f.key: sample_field_value(f, rng, marker) for f in fields if f.required or rng.random() < 0.6}
        raw.update({f.key: "2000-01-01" for f in fields if f.kind == CategoryField.Kind.DATE and f.key in raw})
        values = clean_field_values(fields, raw)
        return json.dumps(values).replace("2000-01-01", "__DATE__")

    def batch(self, offset: int, numbers: list[str]):
        """Rows for tickets ``offset``..``offset + len(numbers)`` of this run.

        Comment and event rows name their ticket by its index in the batch;
        the writer replaces it with the ticket's id once that is known.
        """
        rng = self.rng.random
        choice = self.rng.choice
        fromtimestamp, utc = datetime.datetime.fromtimestamp, datetime.UTC
        now, start = self.now, self.start
        step = (now - start - 3600) / self.total
        large, others, n_others = self.large, self.others, len(self.others)
        topics, n_topics = self.topics, len(self.topics)
        agents, all_agents = self.agents, self.all_agents
        follow_ups, answers, thanks = catalog.CUSTOMER_FOLLOW_UPS, catalog.CUSTOMER_ANSWERS, catalog.CUSTOMER_THANKS
        requests = catalog.AGENT_INFO_REQUESTS
        acknowledgements, notes = catalog.AGENT_ACKNOWLEDGEMENTS, catalog.INTERNAL_NOTES
        portal, email, desk = Source.PORTAL.value, Source.EMAIL.value, Source.DESK.value
        created_type, created_data = TicketEvent.Type.CREATED.value, self.created_data

        tickets, comments, event_rows = [], [], []
        for index, number in enumerate(numbers):
            created = start + (offset + index + rng()) * step
            age = now - created
            organization = large if rng() < LARGE_ORGANIZATION_SHARE else others[int(rng() * n_others)]
            users = organization.user_ids
            customer = users[int(rng() * len(users))]
            topic = topics[int(rng() * n_topics)]
            status = (OLD_STATUSES if age > RECENT_DAYS * 86400 else RECENT_STATUSES)[int(rng() * 100)]
            team_agents = agents.get(topic.team_id) or all_agents
            agent = team_agents[int(rng() * len(team_agents))]
            source = email if rng() < 0.15 else portal

            if status in CLOSED:
                # Most tickets are solved within days; a few drag on for weeks.
                duration = min(age * 0.9, 1800 + rng() * rng() * 20 * 86400)
                closed_at = fromtimestamp(created + duration, utc)
                last = closed_at
            else:
                duration = age * (0.1 + 0.8 * rng())
                closed_at = None
                last = fromtimestamp(created + duration, utc)
            created_at = fromtimestamp(created, utc)
            assignee = None if status in UNTOUCHED or rng() < 0.1 else agent
            field_values = topic.field_values[int(rng() * len(topic.field_values))]
            if "__DATE__" in field_values:
                field_values = field_values.replace("__DATE__", created_at.date().isoformat())

            tickets.append((
                number, organization.pk, customer, topic.title, choice(topic.descriptions),
                PRIORITIES[int(rng() * 100)], status.value, "", topic.category_id, topic.team_id, assignee,
                field_values, source, created_at, last, closed_at, last, "",
            ))
            event_rows.append((index, customer, created_type, created_data[source], created_at))

            first, second, third = (fromtimestamp(created + duration * f, utc) for f in (0.15, 0.5, 0.85))
            comments.append((index, customer, choice(follow_ups), False, source, first))
            if status in WAITING_FOR_CUSTOMER_STATUSES:
                # Support has the last word: a customer's comment after it would have handed the ticket
                # back to support ("Additional info"), as tickets.services.comment_add does.
                comments.append((index, customer, choice(answers), False, source, second))
                last_word = topic.solution if status == Status.SOLUTION_PROVIDED else choice(requests)
                comments.append((index, agent, last_word, False, desk, third))
                continue
            if status in UNTOUCHED:
                # Nobody at the vendor has looked at it yet; the customer keeps adding details.
                comments.append((index, customer, choice(follow_ups), False, source, second))
            elif rng() < 0.1:
                comments.append((index, agent, choice(notes), True, desk, second))
            elif status in CLOSED:
                comments.append((index, agent, topic.solution, False, desk, second))
            else:
                comments.append((index, agent, choice(requests if rng() < 0.5 else acknowledgements), False, desk,
                                 second))
            if status in CLOSED:
                comments.append((index, customer, choice(thanks), False, source, third))
            else:
                comments.append((index, customer, choice(answers), False, source, third))
        return tickets, comments, event_rows


# --- Writers -----------------------------------------------------------------

class CopyWriter:
    """PostgreSQL: COPY ... FROM STDIN through psycopg 3, ids taken from the tables' own sequence."""

    def write(self, tickets, comments, event_rows) -> None:
        count = len(tickets)
        with connection.cursor() as cursor:
            # Losing the last batches in a server crash is fine for generated data;
            # not waiting for the WAL flush at each commit is not nothing.
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            # Ids from the sequence, so tickets created meanwhile never collide.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [Ticket._meta.db_table, count],
            )
            ids = [row[0] for row in cursor.fetchall()]
            self._copy(cursor, Ticket, TICKET_COLUMNS, ((ids[i], *row) for i, row in enumerate(tickets)))
            # COPY sets no column defaults: NOT NULL columns the generator leaves alone are filled here.
            self._copy(
                cursor, Comment, (*COMMENT_COLUMNS, "email_message_id", "is_markdown"),
                ((ids[row[0]], *row[1:], "", False) for row in comments),
            )
            self._copy(cursor, TicketEvent, EVENT_COLUMNS, ((ids[row[0]], *row[1:]) for row in event_rows))

    @staticmethod
    def _copy(cursor, model, columns, rows) -> None:
        quote = connection.ops.quote_name
        sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)

    def finish(self, log: Log) -> None:
        # Fresh statistics, so the benchmark's first queries get good plans
        # instead of waiting for autovacuum to notice a million new rows.
        log("Updating the planner statistics...")
        with connection.cursor() as cursor:
            for model in (Ticket, Comment, TicketEvent, Membership, User, Organization):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


class OrmWriter:
    """Any other database (SQLite): bulk_create, which sets the tickets' ids."""

    def write(self, tickets, comments, event_rows) -> None:
        ticket_objects = Ticket.objects.bulk_create(
            [Ticket(**dict(zip(TICKET_COLUMNS[1:], _decode(row, 11), strict=True))) for row in tickets],
            batch_size=1000,
        )
        ids = [ticket.pk for ticket in ticket_objects]
        Comment.objects.bulk_create(
            [Comment(**dict(zip(COMMENT_COLUMNS, (ids[row[0]], *row[1:]), strict=True))) for row in comments],
            batch_size=2000,
        )
        TicketEvent.objects.bulk_create(
            [TicketEvent(**dict(zip(EVENT_COLUMNS, (ids[row[0]], *_decode(row, 3)[1:]), strict=True)))
             for row in event_rows],
            batch_size=2000,
        )

    def finish(self, log: Log) -> None:
        pass


def _decode(row: tuple, json_position: int) -> tuple:
    """The row with its JSON text turned back into data, as a JSONField expects."""
    return (*row[:json_position], json.loads(row[json_position]), *row[json_position + 1:])
