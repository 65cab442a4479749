"""The demo data `make run` starts with: people, two practices, the category tree and ~300 tickets.

Seeding is idempotent: every row is looked up by its natural key first and
existing rows are never changed, so a second run creates nothing. Because
`make run` seeds on every start, ``demo_is_seeded`` answers "anything to do?"
with two queries before any of that work.

Tickets are written directly instead of through ``tickets.services``: the
services stamp every row with the current time, and a demo needs six months of
history. Each ticket's history is instead replayed through the transition
table in ``tickets.workflow`` (an impossible story raises), its events carry
the data ``tickets.events`` builds for them, and a customer's comment on a
ticket waiting for them hands it back as ``comment_add`` does.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from tessera.accounts.models import User
from tessera.branding.models import Branding
from tessera.organizations.models import LinkRequest, Membership, Organization, Role
from tessera.sla.models import Calendar, Holiday, OrganizationPolicy, Policy, Target
from tessera.sla.services import ticket_sla_recompute
from tessera.tickets import events
from tessera.tickets.category_fields import clean_field_values
from tessera.tickets.models import (
    CannedResponse,
    Category,
    CategoryField,
    Comment,
    Priority,
    ServiceTeam,
    Source,
    Ticket,
    TicketCC,
    TicketEvent,
)
from tessera.tickets.numbering import draw_ticket_numbers
from tessera.tickets.workflow import (
    WAITING_FOR_CUSTOMER_STATUSES,
    Action,
    Actor,
    Status,
    is_closed,
    target_status,
)

from . import catalog
from .catalog import DEMO_LOGINS, DEMO_PASSWORD, ORGANIZATIONS, TEAMS, VENDOR_USERS

DEMO_TICKET_COUNT = 300
#: A fixed seed: every fresh installation shows the same demo.
RANDOM_SEED = 20250601

EventType = TicketEvent.Type
TICKET_ROLES = (Role.ADMIN, Role.MANAGER, Role.BASIC)

#: How the demo tickets beyond one per status are spread; a real desk has many
#: finished tickets and a handful in each waiting state.
STATUS_WEIGHTS = {
    Status.OPEN: 8, Status.IN_PROCESS: 10, Status.CUSTOMER_ACTION: 6, Status.ADDITIONAL_INFO: 4,
    Status.ON_HOLD: 3, Status.AWAITING_RELEASE: 4, Status.APPOINTMENT: 3, Status.REDIRECTED: 2,
    Status.SOLUTION_PROVIDED: 6, Status.COMPLETED: 34, Status.COMPLETED_SILENT: 5, Status.CANCELED: 6,
    Status.ERROR: 2,
}

#: How old (in days) a ticket in each status plausibly is. A ticket still being
#: sent is minutes old; one waiting for a new version may be months old.
AGE_DAYS = {
    Status.SENDING: (0.001, 0.003), Status.OPEN: (0.02, 6), Status.IN_PROCESS: (0.3, 25),
    Status.CUSTOMER_ACTION: (1, 20), Status.ADDITIONAL_INFO: (0.5, 12), Status.ON_HOLD: (4, 90),
    Status.AWAITING_RELEASE: (10, 150), Status.APPOINTMENT: (1, 10), Status.REDIRECTED: (2, 45),
    Status.SOLUTION_PROVIDED: (0.5, 7),
}
CLOSED_AGE_DAYS = (2, 182)

#: Where a customer's "the solution does not help" leads; read from the
#: workflow table so the demo follows it when it changes.
_REJECTED_SOLUTION_STATUS = target_status(Actor.CUSTOMER, Action.REJECT_SOLUTION, Status.SOLUTION_PROVIDED)

PRIORITY_WEIGHTS = {Priority.VERY_HIGH: 5, Priority.HIGH: 20, Priority.MEDIUM: 60, Priority.LOW: 15}


class DemoPassword:
    """The demo password's hash, computed at most once: Argon2 is slow by design."""

    def __init__(self) -> None:
        self._hash: str | None = None

    @property
    def hash(self) -> str:
        if self._hash is None:
            self._hash = make_password(DEMO_PASSWORD)
        return self._hash


@dataclass
class DemoBase:
    """The rows every demo ticket refers to."""

    teams: dict[str, ServiceTeam]
    agents_by_team: dict[int, list[User]]
    organizations: list[tuple[catalog.OrganizationSpec, Organization, list[tuple[User, catalog.MemberSpec]]]]
    categories: dict[tuple[str, ...], Category]
    #: Extra fields of each category including its ancestors', outermost first.
    fields: dict[int, list[CategoryField]] = field(default_factory=dict)


def demo_is_seeded() -> bool:
    emails = [login.email for login in DEMO_LOGINS]
    if User.objects.filter(email__in=emails).count() < len(emails):
        return False
    codes = [spec.customer_code for spec in ORGANIZATIONS]
    return Ticket.objects.filter(organization__customer_code__in=codes).exists()


def seed_demo(*, now: datetime.datetime | None = None) -> bool:
    """Create whatever part of the demo data is missing; True if anything had to be done."""
    if demo_is_seeded():
        return False
    with transaction.atomic():
        base = ensure_demo_base(password=DemoPassword(), now=now)
        organizations = [organization for _, organization, _ in base.organizations]
        if not Ticket.objects.filter(organization__in=organizations).exists():
            DemoTicketWriter(base, now=now).write(DEMO_TICKET_COUNT)
        _ensure_sla(organizations, now=now)
    return True


# --- Service levels ----------------------------------------------------------

#: Business minutes (a working day is 10 hours) to the first public answer and to the close, per priority.
SLA_TARGETS = {
    "Standard": {Priority.VERY_HIGH: (60, 1_200), Priority.HIGH: (240, 3_000), Priority.MEDIUM: (600, 12_000),
                 Priority.LOW: (1_200, 24_000)},
    "Premium": {Priority.VERY_HIGH: (30, 600), Priority.HIGH: (120, 1_800), Priority.MEDIUM: (300, 6_000),
                Priority.LOW: (600, 12_000)},
}
#: The practice whose contract is the premium tier.
PREMIUM_CUSTOMER_CODE = "100234"
HOLIDAYS = ((12, 8, "Immaculate Conception"), (12, 25, "Christmas Day"), (12, 26, "St Stephen's Day"),
            (1, 1, "New Year's Day"), (1, 6, "Epiphany"))


def _ensure_sla(organizations: list[Organization], *, now: datetime.datetime | None = None) -> None:
    """Office hours in Rome, a default policy and a premium tier for one practice; every demo ticket's figures.

    Made after the tickets, so their story was written without a clock; the figures are then computed once.
    """
    if Policy.objects.exists():
        return
    now = now or timezone.now()
    calendar, _ = Calendar.objects.get_or_create(
        name="Office hours (Rome)",
        defaults={"time_zone": "Europe/Rome", "day_starts": datetime.time(8), "day_ends": datetime.time(18)},
    )
    for year in (now.year - 1, now.year, now.year + 1):
        for month, day, name in HOLIDAYS:
            Holiday.objects.get_or_create(calendar=calendar, date=datetime.date(year, month, day),
                                          defaults={"name": name})
    policies = {}
    for name, targets in SLA_TARGETS.items():
        policies[name] = Policy.objects.create(name=name, calendar=calendar, is_default=name == "Standard")
        Target.objects.bulk_create(
            Target(policy=policies[name], priority=priority, first_response_minutes=first, resolution_minutes=done)
            for priority, (first, done) in targets.items()
        )
    for organization in organizations:
        if organization.customer_code == PREMIUM_CUSTOMER_CODE:
            OrganizationPolicy.objects.create(organization=organization, policy=policies["Premium"])
    for ticket in Ticket.objects.filter(organization__in=organizations).select_related("organization"):
        ticket_sla_recompute(ticket=ticket, now=now, new=True)


# --- Master data -------------------------------------------------------------

def ensure_demo_base(*, password: DemoPassword, now: datetime.datetime | None = None) -> DemoBase:
    now = now or timezone.now()
    since = now - datetime.timedelta(days=400)
    teams = {}
    for team_spec in TEAMS:
        teams[team_spec.key], _ = ServiceTeam.objects.get_or_create(
            name=team_spec.name, defaults={"email": team_spec.email}
        )

    for user_spec in VENDOR_USERS:
        user = _ensure_user(
            user_spec.email, password, first_name=user_spec.first_name, last_name=user_spec.last_name,
            language="en", is_staff=True, is_superuser=user_spec.is_superuser, date_joined=since,
        )
        for key in user_spec.teams:
            teams[key].members.add(user)
    agents_by_team = {
        team.pk: list(team.members.filter(is_active=True, is_staff=True).order_by("pk")) for team in teams.values()
    }

    _ensure_canned_responses(teams)
    _ensure_branding()
    organizations = [_ensure_organization(spec, password, since) for spec in ORGANIZATIONS]
    categories = _ensure_categories(teams)
    base = DemoBase(teams=teams, agents_by_team=agents_by_team, organizations=organizations, categories=categories)
    all_fields = list(CategoryField.objects.filter(category__in=categories.values()))
    for path, category in categories.items():
        ancestors = [categories[path[:depth]].pk for depth in range(1, len(path) + 1)]
        base.fields[category.pk] = sorted(
            (f for f in all_fields if f.category_id in ancestors),
            key=lambda f: (ancestors.index(f.category_id), f.position, f.pk),
        )
    return base


CANNED_RESPONSES = (
    (None, "Ask for a screenshot",
     "Dear {customer_name},\n\nthank you for ticket {ticket_number} ({ticket_title}). Could you send us a "
     "screenshot of the message on screen and tell us the version shown under Help › About?"),
    (None, "Solved with the update",
     "Dear {customer_name},\n\nthe problem described in ticket {ticket_number} is fixed in the latest update. "
     "Please install it and let us know if anything is still wrong."),
    (0, "Remote session",
     "Dear {customer_name},\n\nwe would like to look at ticket {ticket_number} together with you in a remote "
     "session. When would suit you?"),
)


def _ensure_branding() -> None:
    """A vendor's brand, as the header of seed 000 shows it; left alone once someone has changed it."""
    if not Branding.objects.exists():
        Branding(**catalog.BRANDING).save()


#: What the demo's macros do besides their reply: "Ask for a screenshot" asks the customer (a status change).
MACRO_ACTIONS = {
    "Ask for a screenshot": {"action": "request_info", "add_tags": "screenshot"},
    "Solved with the update": {"action": "provide_solution", "add_tags": "update"},
}


def _ensure_canned_responses(teams: dict[str, ServiceTeam]) -> None:
    first_team = next(iter(teams.values()))
    for position, (team_index, title, body) in enumerate(CANNED_RESPONSES):
        team = first_team if team_index == 0 else None
        CannedResponse.objects.get_or_create(
            title=title, team=team, defaults={"body": body, "position": position, **MACRO_ACTIONS.get(title, {})}
        )


def _ensure_user(email: str, password: DemoPassword, **attributes) -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(email=email, email_verified_at=attributes["date_joined"], **attributes)
        user.password = password.hash
        user.save()
    return user


def _ensure_organization(spec: catalog.OrganizationSpec, password: DemoPassword, since: datetime.datetime):
    organization, created = Organization.objects.get_or_create(
        customer_code=spec.customer_code,
        defaults={
            "name": spec.name, "postal_code": spec.postal_code, "city": spec.city,
            "country": spec.country, "language": spec.language,
        },
    )
    if created:
        # auto_now_add stamps today; the practice has been a customer for a while.
        Organization.objects.filter(pk=organization.pk).update(created_at=since, updated_at=since)
    members = []
    for member in spec.members:
        user = _ensure_user(
            member.email, password, first_name=member.first_name, last_name=member.last_name,
            language=spec.language, date_joined=since,
        )
        membership, created = Membership.objects.get_or_create(
            user=user, defaults={"organization": organization, "role": member.role}
        )
        if created and member.role == Role.RESTRICTED:
            # A restricted member is someone who registered and waits for the
            # organization's administrator: show that request in the approvals.
            LinkRequest.objects.get_or_create(
                user=user, organization=organization, state=LinkRequest.State.PENDING,
                defaults={"customer_code": spec.customer_code, "postal_code": spec.postal_code},
            )
        if membership.organization_id == organization.pk:
            members.append((user, member))
    return spec, organization, members


def _ensure_categories(teams: dict[str, ServiceTeam]) -> dict[tuple[str, ...], Category]:
    categories: dict[tuple[str, ...], Category] = {}

    def ensure(specs, parent, parents):
        for position, spec in enumerate(specs, start=1):
            path = (*parents, spec.name)
            category, _ = Category.objects.get_or_create(
                parent=parent, name=spec.name,
                defaults={"service_team": teams[spec.team] if spec.team else None, "position": position * 10},
            )
            categories[path] = category
            for field_position, field_spec in enumerate(spec.fields, start=1):
                CategoryField.objects.get_or_create(
                    category=category, key=field_spec.key,
                    defaults={
                        "label": field_spec.label, "kind": field_spec.kind, "required": field_spec.required,
                        "choices": "\n".join(field_spec.choices), "help_text": field_spec.help_text,
                        "position": field_position * 10,
                    },
                )
            ensure(spec.children, category, path)

    ensure(catalog.CATEGORY_TREE, None, ())
    return categories


def problems_by_product() -> dict[str, list[tuple[tuple[str, ...], catalog.Problem]]]:
    """Every problem of the catalog with its category path, grouped by level-1 category."""
    grouped: dict[str, list] = {}
    for path, spec in catalog.walk():
        for problem in spec.problems:
            grouped.setdefault(path[0], []).append((path, problem))
    return grouped


def sample_field_value(field_spec: CategoryField, rng: random.Random, created: datetime.datetime):
    """A value a customer would enter; dates lie shortly before the ticket."""
    Kind = CategoryField.Kind
    if field_spec.kind == Kind.CHECKBOX:
        return True if field_spec.required else rng.random() < 0.4
    if field_spec.kind == Kind.CHOICE:
        return rng.choice(field_spec.choice_list)
    if field_spec.kind == Kind.DATE:
        return (created - datetime.timedelta(days=rng.randint(0, 5))).date().isoformat()
    samples = _FIELD_SAMPLES.get(field_spec.key)
    if samples:
        return rng.choice(samples)
    return str(rng.randint(1, 20)) if field_spec.kind == Kind.NUMBER else "n/a"


_FIELD_SAMPLES = {spec.key: spec.samples for _, node in catalog.walk() for spec in node.fields if spec.samples}


# --- Tickets -----------------------------------------------------------------

@dataclass
class _Story:
    """What happens to one ticket, as the services would have recorded it."""

    ticket: Ticket
    agent: User
    customer: User
    comments: list[Comment] = field(default_factory=list)
    #: Events in order; comment events point at their comment until it has a pk.
    events: list[tuple[TicketEvent, Comment | None]] = field(default_factory=list)
    cc: list[TicketCC] = field(default_factory=list)


class DemoTicketWriter:
    def __init__(self, base: DemoBase, *, now: datetime.datetime | None = None, seed: int = RANDOM_SEED):
        self.base = base
        self.now = now or timezone.now()
        self.rng = random.Random(seed)
        self.problems = problems_by_product()

    def write(self, count: int) -> list[Ticket]:
        stories = []
        total_share = sum(spec.ticket_share for spec, _, _ in self.base.organizations)
        for spec, organization, members in self.base.organizations:
            share = round(count * spec.ticket_share / total_share)
            # Every organization shows every status at least once, so each
            # customer persona can see what each status looks like.
            statuses = list(Status)
            statuses += self.rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()), k=share - len(statuses))
            stories += [self._story(spec, organization, members, status) for status in statuses]

        stories.sort(key=lambda story: story.ticket.created_at)
        for story, number in zip(stories, draw_ticket_numbers(len(stories)), strict=True):
            story.ticket.number = number
        tickets = Ticket.objects.bulk_create([story.ticket for story in stories])
        Comment.objects.bulk_create([comment for story in stories for comment in story.comments])
        TicketCC.objects.bulk_create([cc for story in stories for cc in story.cc])
        ticket_events = []
        for story in stories:
            for event, comment in story.events:
                if comment is not None:
                    event.data = events.comment_added_data(comment_id=comment.pk)
                ticket_events.append(event)
        TicketEvent.objects.bulk_create(ticket_events)
        return tickets

    # One ticket ------------------------------------------------------------

    def _story(self, spec, organization, members, status: Status) -> _Story:
        rng = self.rng
        creators = [(user, member.ticket_weight) for user, member in members if member.role in TICKET_ROLES]
        customer = rng.choices([u for u, _ in creators], [w for _, w in creators])[0]
        products = [name for name, _ in spec.products]
        product = rng.choices(products, [weight for _, weight in spec.products])[0]
        path, problem = rng.choice(self.problems[product])
        category = self.base.categories[path]
        team = category.routing_team()
        agents = (self.base.agents_by_team.get(team.pk) if team else None) or [
            agent for agents in self.base.agents_by_team.values() for agent in agents
        ]

        created = self._created_at(status)
        source = Source.EMAIL if rng.random() < 0.15 else Source.PORTAL
        addition = rng.choice(catalog.DESCRIPTION_ADDITIONS)
        ticket = Ticket(
            organization=organization,
            created_by=customer,
            title=problem.title,
            description=f"{problem.description} {addition}".strip(),
            priority=rng.choices(list(PRIORITY_WEIGHTS), list(PRIORITY_WEIGHTS.values()))[0],
            status=Status.SENDING if status == Status.SENDING else Status.OPEN,
            external_reference=f"REF-{rng.randint(1000, 9999)}" if rng.random() < 0.1 else "",
            category=category,
            service_team=team,
            field_values=self._field_values(category, created),
            source=source,
            created_at=created,
            updated_at=created,
        )
        story = _Story(ticket=ticket, agent=rng.choice(agents), customer=customer)
        story.events.append(
            (TicketEvent(ticket=ticket, actor=customer, type=EventType.CREATED, created_at=created,
                         data=events.ticket_created_data(status=ticket.status, source=source)), None)
        )
        story.cc = self._cc(spec, ticket, members)
        self._replay(story, self._plan(status, problem))
        if ticket.status != status:
            raise AssertionError(f"demo story for {status} ended in {ticket.status}")
        return story

    def _created_at(self, status: Status) -> datetime.datetime:
        rng = self.rng
        low, high = CLOSED_AGE_DAYS if is_closed(status) else AGE_DAYS[status]
        created = self.now - datetime.timedelta(days=rng.uniform(low, high))
        if high < 1:
            return created
        # People report problems during opening hours, not at 3 a.m. on Sunday.
        local = timezone.localtime(created)
        if local.weekday() >= 5:
            local -= datetime.timedelta(days=local.weekday() - 4)
        local = local.replace(hour=rng.randint(7, 18), minute=rng.randint(0, 59), second=rng.randint(0, 59))
        return local if local < self.now - datetime.timedelta(minutes=5) else created

    def _field_values(self, category: Category, created: datetime.datetime) -> dict:
        raw = {}
        for category_field in self.base.fields[category.pk]:
            if category_field.required or self.rng.random() < 0.6:
                raw[category_field.key] = sample_field_value(category_field, self.rng, created)
        # The same check the portal's form runs: demo values must be valid values.
        return clean_field_values(self.base.fields[category.pk], raw)

    def _cc(self, spec, ticket: Ticket, members) -> list[TicketCC]:
        rng = self.rng
        entries = {}
        if rng.random() < 0.2:
            colleagues = [u for u, m in members if m.role in TICKET_ROLES and u != ticket.created_by]
            colleague = rng.choice(colleagues)
            entries[colleague.email] = colleague
        if rng.random() < 0.1:
            entries.setdefault(rng.choice(spec.cc_addresses), None)
        return [TicketCC(ticket=ticket, email=email, user=user) for email, user in entries.items()]

    def _plan(self, status: Status, problem: catalog.Problem) -> list[tuple]:
        """The steps that lead a new ticket to ``status``; varied, like real tickets."""
        rng, pick = self.rng, self.rng.choice
        S, A, AGENT, CUSTOMER, SYSTEM = Status, Action, Actor.AGENT, Actor.CUSTOMER, Actor.SYSTEM
        steps: list[tuple] = []
        if status == S.SENDING:
            return steps
        if rng.random() < 0.2:
            steps.append(("comment", CUSTOMER, pick(catalog.CUSTOMER_FOLLOW_UPS)))
        if status == S.OPEN:
            return steps
        if status == S.ERROR:
            return [*steps, ("note", pick(catalog.ERROR_NOTES)), ("action", AGENT, A.MARK_ERROR, "")]
        if status == S.CANCELED and rng.random() < 0.5:
            return [*steps, ("action", CUSTOMER, A.CLOSE, pick(catalog.CUSTOMER_CLOSE_MESSAGES))]

        if rng.random() < 0.85:
            steps.append(("assign",))
        acknowledgement = pick(catalog.AGENT_ACKNOWLEDGEMENTS) if rng.random() < 0.4 else ""
        steps.append(("action", AGENT, A.START, acknowledgement))
        if rng.random() < 0.15:
            steps.append(("note", pick(catalog.INTERNAL_NOTES)))
        if rng.random() < 0.08:
            steps.append(("priority",))
        asks_first = status == S.CUSTOMER_ACTION or (
            status in (S.ADDITIONAL_INFO, S.SOLUTION_PROVIDED, S.COMPLETED, S.CANCELED) and rng.random() < 0.35
        )
        if asks_first:
            steps.append(("action", AGENT, A.REQUEST_INFO, pick(catalog.AGENT_INFO_REQUESTS)))
            if status == S.CUSTOMER_ACTION:
                return steps
            if status != S.CANCELED:
                # A customer's answer hands the ticket back ("Additional info").
                steps.append(("comment", CUSTOMER, pick(catalog.CUSTOMER_ANSWERS)))
        solution = ("action", AGENT, A.PROVIDE_SOLUTION, problem.solution)

        if status == _REJECTED_SOLUTION_STATUS and rng.random() < 0.3:
            steps += [solution, ("action", CUSTOMER, A.REJECT_SOLUTION, pick(catalog.CUSTOMER_REJECTIONS))]
        elif status == S.IN_PROCESS:
            if rng.random() < 0.3:
                steps.append(("comment", CUSTOMER, pick(catalog.CUSTOMER_FOLLOW_UPS)))
        elif status == S.ADDITIONAL_INFO and not asks_first:
            steps += [("action", AGENT, A.REQUEST_INFO, pick(catalog.AGENT_INFO_REQUESTS)),
                      ("comment", CUSTOMER, pick(catalog.CUSTOMER_ANSWERS))]
        elif status == S.ON_HOLD:
            steps.append(("action", AGENT, A.HOLD, pick(catalog.AGENT_HOLD_MESSAGES)))
        elif status == S.AWAITING_RELEASE:
            steps += [("note", pick(catalog.INTERNAL_NOTES)),
                      ("action", AGENT, A.AWAIT_RELEASE, pick(catalog.AGENT_RELEASE_MESSAGES))]
        elif status == S.APPOINTMENT:
            steps.append(("action", AGENT, A.SCHEDULE_APPOINTMENT, pick(catalog.AGENT_APPOINTMENT_MESSAGES)))
        elif status == S.REDIRECTED:
            steps.append(("action", AGENT, A.REDIRECT, pick(catalog.AGENT_REDIRECT_MESSAGES)))
        elif status == S.SOLUTION_PROVIDED:
            steps.append(solution)
        elif status == S.COMPLETED:
            ending = rng.random()
            if ending < 0.6:
                steps.append(solution)
                if rng.random() < 0.5:
                    # Thanks written as a comment instead of "accept" hands the ticket back to support
                    # ("Additional info"), who then complete it.
                    steps += [("comment", CUSTOMER, pick(catalog.CUSTOMER_THANKS)), ("action", AGENT, A.COMPLETE, "")]
                else:
                    steps.append(("action", CUSTOMER, A.ACCEPT_SOLUTION, ""))
            elif ending < 0.85:
                steps += [solution, ("action", SYSTEM, A.AUTO_COMPLETE, "")]
            else:
                steps.append(("action", AGENT, A.COMPLETE, problem.solution))
        elif status == S.COMPLETED_SILENT:
            steps.append(("action", AGENT, A.COMPLETE_SILENTLY, ""))
        elif status == S.CANCELED:
            steps.append(("action", CUSTOMER, A.CLOSE, pick(catalog.CUSTOMER_CLOSE_MESSAGES)))
        return steps

    def _times(self, start: datetime.datetime, count: int) -> list[datetime.datetime]:
        """``count`` increasing moments after ``start``, none in the future."""
        if not count:
            return []
        rng = self.rng
        available = (self.now - start).total_seconds() - 60
        span = min(available * 0.98, rng.uniform(2 * 3600, 8 * 86400))
        weights = [rng.uniform(0.05, 1.0) for _ in range(count)]
        total = sum(weights)
        moments, elapsed = [], 0.0
        for weight in weights:
            elapsed += span * weight / total
            moments.append(start + datetime.timedelta(seconds=elapsed))
        during_work = self._during_opening_hours(start, moments)
        return during_work if during_work[-1] < self.now - datetime.timedelta(minutes=1) else moments

    def _during_opening_hours(self, start, moments):
        """The moments moved to the next working morning where they fall on nights or weekends."""
        rng = self.rng
        moved, previous = [], start
        for moment in moments:
            local = timezone.localtime(moment)
            if local.weekday() >= 5 or not 7 <= local.hour < 19:
                days = 1 if local.hour >= 19 else 0
                local = (local + datetime.timedelta(days=days)).replace(hour=8, minute=0, second=0)
                while local.weekday() >= 5:
                    local += datetime.timedelta(days=1)
                local += datetime.timedelta(minutes=rng.uniform(0, 150))
            moment = max(local, previous + datetime.timedelta(minutes=rng.uniform(2, 40)))
            moved.append(moment)
            previous = moment
        return moved

    def _replay(self, story: _Story, steps: list[tuple]) -> None:
        ticket, agent, customer = story.ticket, story.agent, story.customer
        users: dict[str, User | None] = {Actor.AGENT: agent, Actor.CUSTOMER: customer, Actor.SYSTEM: None}

        def add_comment(author, body, moment, internal=False):
            source = Source.DESK if author.is_staff else ticket.source
            comment = Comment(ticket=ticket, author=author, body=body, is_internal=internal, source=source,
                              created_at=moment)
            story.comments.append(comment)
            # The data (the comment's id) is filled in once the comment is written.
            event_type = events.comment_added_type(is_internal=internal)
            story.events.append((TicketEvent(ticket=ticket, actor=author, type=event_type, data={},
                                             created_at=moment), comment))

        def change_status(actor, action, user, moment):
            old = ticket.status
            new = target_status(actor, action, old)
            ticket.status = new
            ticket.closed_at = moment if is_closed(new) else None
            story.events.append((TicketEvent(ticket=ticket, actor=user, type=EventType.STATUS_CHANGED,
                                             data=events.status_changed_data(old=old, new=new, action=action),
                                             created_at=moment), None))

        for step, moment in zip(steps, self._times(ticket.created_at, len(steps)), strict=True):
            kind = step[0]
            if kind == "comment":
                author = users[step[1]]
                assert author is not None  # comments come from the agent or the customer, not the system
                add_comment(author, step[2], moment)
                # The rule of tickets.services.comment_add: a customer's comment on a ticket waiting for
                # them ("Customer action", "Solution provided") is support's turn again.
                if not author.is_staff and ticket.status in WAITING_FOR_CUSTOMER_STATUSES:
                    change_status(Actor.SYSTEM, Action.CUSTOMER_REPLIED, author, moment)
            elif kind == "note":
                add_comment(agent, step[1], moment, internal=True)
            elif kind == "assign":
                ticket.assignee = agent
                story.events.append((TicketEvent(
                    ticket=ticket, actor=agent, type=EventType.ASSIGNED, created_at=moment,
                    data=events.assigned_data(assignee=agent, previous=None),
                ), None))
            elif kind == "priority":
                old = ticket.priority
                ticket.priority = self.rng.choice([p for p in (Priority.VERY_HIGH, Priority.HIGH) if p != old])
                story.events.append((TicketEvent(ticket=ticket, actor=agent, type=EventType.PRIORITY_CHANGED,
                                                 data=events.priority_changed_data(old=old, new=ticket.priority),
                                                 created_at=moment), None))
            else:
                _, actor, action, message = step
                user = users[actor]
                if message:
                    add_comment(user, message, moment)
                change_status(actor, action, user, moment)
            ticket.updated_at = moment
