from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Count, F, Max, Min
from django.test import RequestFactory

from tessera.accounts.models import User
from tessera.demo.bulk import LARGE_ORGANIZATION_SHARE, bulk_organizations
from tessera.demo.catalog import DEMO_PASSWORD
from tessera.organizations.models import LinkRequest, Membership, Organization, Role
from tessera.tickets.models import (
    MAX_CATEGORY_DEPTH,
    Category,
    CategoryField,
    Comment,
    ServiceTeam,
    Ticket,
    TicketCC,
    TicketEvent,
)
from tessera.tickets.workflow import CLOSED_STATUSES, Status

pytestmark = pytest.mark.django_db

ROSSI, WEBER = "100234", "200417"
CUSTOMER_LOGINS = [
    ("admin@praxis-rossi.example", ROSSI, Role.ADMIN),
    ("manager@praxis-rossi.example", ROSSI, Role.MANAGER),
    ("user@praxis-rossi.example", ROSSI, Role.BASIC),
    ("new@praxis-rossi.example", ROSSI, Role.RESTRICTED),
    ("user@zahnarzt-weber.example", WEBER, Role.BASIC),
]
COUNTED = (User, Organization, Membership, LinkRequest, ServiceTeam, Category, CategoryField, Ticket, Comment,
           TicketCC, TicketEvent)


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def login(email: str, password: str = DEMO_PASSWORD):
    # The login throttle (django-axes) wants the request a login arrives with.
    return authenticate(RequestFactory().post("/accounts/login/"), username=email, password=password)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_demo_logins_work_and_have_their_roles():
    output = seed()

    admin = login("admin@tessera.example")
    assert admin is not None and admin.is_superuser and admin.is_staff and admin.language == "en"
    agent = login("agent@tessera.example")
    assert agent is not None and agent.is_staff and not agent.is_superuser
    assert agent.service_teams.count() >= 1
    for email, code, role in CUSTOMER_LOGINS:
        user = login(email)
        assert user is not None, email
        assert not user.is_staff and user.first_name and user.last_name
        assert user.membership.organization.customer_code == code
        assert user.membership.role == role
        assert user.language == ("it" if code == ROSSI else "de")
        assert email in output
    assert login("user@praxis-rossi.example", "wrong-password-1") is None
    assert "Demo data created." in output and DEMO_PASSWORD in output

    rossi = Organization.objects.get(customer_code=ROSSI)
    assert (rossi.postal_code, rossi.city, rossi.country) == ("20121", "Milano", "IT")
    weber = Organization.objects.get(customer_code=WEBER)
    assert (weber.name, weber.postal_code, weber.country) == ("Zahnarztpraxis Weber", "80331", "DE")
    for organization in (rossi, weber):
        roles = set(organization.memberships.values_list("role", flat=True))
        assert roles == {Role.ADMIN, Role.MANAGER, Role.BASIC, Role.RESTRICTED}
    # Three teams, each with agents; the vendor administrator works the desk too.
    teams = ServiceTeam.objects.annotate(agents=Count("members"))
    assert teams.count() == 3 and all(team.agents >= 2 for team in teams)


def test_demo_tickets_tell_consistent_stories():
    seed()
    tickets = Ticket.objects.select_related("category", "created_by__membership")

    assert 250 <= tickets.count() <= 350
    assert set(tickets.values_list("status", flat=True)) == set(Status)
    for organization in Organization.objects.all():
        assert set(organization.tickets.values_list("status", flat=True)) == set(Status), organization
    span = tickets.aggregate(first=Min("created_at"), last=Max("created_at"))
    assert (span["last"] - span["first"]).days >= 120
    assert len(set(tickets.values_list("priority", flat=True))) == 4
    assert tickets.filter(assignee__is_staff=True).exists() and tickets.filter(assignee=None).exists()
    assert not tickets.filter(updated_at__lt=F("created_at")).exists()
    assert not Comment.objects.filter(created_at__lt=F("ticket__created_at")).exists()
    assert not Comment.objects.filter(created_at__gt=F("ticket__updated_at")).exists()
    assert Comment.objects.filter(is_internal=True).exists()
    assert Comment.objects.filter(is_internal=False, author__is_staff=False).exists()
    assert Comment.objects.filter(is_internal=False, author__is_staff=True).exists()
    assert TicketCC.objects.filter(user__isnull=False).exists() and TicketCC.objects.filter(user=None).exists()

    events = {}
    for event in TicketEvent.objects.order_by("created_at", "id"):
        events.setdefault(event.ticket_id, []).append(event)
    for ticket in tickets:
        membership = ticket.created_by.membership
        assert membership.organization_id == ticket.organization_id and membership.may_use_tickets
        assert ticket.service_team == ticket.category.routing_team()
        assert (ticket.closed_at is not None) == (ticket.status in CLOSED_STATUSES)
        assert ticket.closed_at is None or ticket.created_at <= ticket.closed_at <= ticket.updated_at
        # The audit trail replays to the ticket's status.
        history = events[ticket.pk]
        assert history[0].type == TicketEvent.Type.CREATED
        status = history[0].data["status"]
        for event in history[1:]:
            if event.type == TicketEvent.Type.STATUS_CHANGED:
                assert event.data["old"] == status
                status = event.data["new"]
        assert status == ticket.status, ticket.number
    comment_events = TicketEvent.objects.filter(type=TicketEvent.Type.COMMENT_ADDED).count()
    assert comment_events == Comment.objects.filter(is_internal=False).count()


def test_category_tree_routes_to_three_teams_and_asks_for_extra_fields():
    seed()
    top = Category.objects.filter(parent=None)

    assert {"Practice management", "Dental", "Laboratory", "Clinic"} <= set(top.values_list("name", flat=True))
    assert all(category.service_team_id for category in top)
    assert top.values("service_team").distinct().count() == 3
    assert Category.objects.aggregate(depth=Max("depth"))["depth"] == MAX_CATEGORY_DEPTH
    overriding = [c for c in Category.objects.exclude(parent=None).exclude(service_team=None)
                  if c.service_team_id != c.path()[0].service_team_id]
    assert overriding
    assert set(CategoryField.objects.values_list("kind", flat=True)) == set(CategoryField.Kind)
    assert CategoryField.objects.filter(required=True).exists()
    assert Ticket.objects.exclude(field_values={}).exists()


def test_the_demo_has_office_hours_a_default_policy_a_premium_tier_and_every_tickets_figures():
    from tessera.sla.models import OrganizationPolicy, Policy, TicketSLA
    from tessera.sla.selectors import organization_tier

    seed()
    assert sorted(Policy.objects.values_list("name", "is_default")) == [("Premium", False), ("Standard", True)]
    assert OrganizationPolicy.objects.get().organization.customer_code == ROSSI
    rossi = Organization.objects.get(customer_code=ROSSI)
    weber = Organization.objects.get(customer_code=WEBER)
    assert (organization_tier(rossi.pk).policy.name, organization_tier(weber.pk).is_default) == ("Premium", True)
    assert TicketSLA.objects.count() == Ticket.objects.count()
    running = TicketSLA.objects.exclude(next_due_at=None)
    assert running.exists() and not running.filter(ticket__status__in=CLOSED_STATUSES).exists()
    assert TicketSLA.objects.filter(policy__name="Premium").exclude(ticket__organization=rossi).count() == 0


def test_running_twice_changes_nothing():
    seed()
    before = counts()
    numbers = list(Ticket.objects.values_list("number", flat=True))

    output = seed()

    assert counts() == before
    assert list(Ticket.objects.values_list("number", flat=True)) == numbers
    assert "already present" in output and "admin@tessera.example" in output


def test_bulk_mode_adds_tickets_with_three_comments_each():
    output = seed(tickets=200, orgs=5)

    organizations = bulk_organizations()
    assert organizations.count() == 5
    tickets = Ticket.objects.filter(organization__in=organizations)
    assert tickets.count() == 200
    assert Comment.objects.filter(ticket__in=tickets).count() == 600
    assert TicketEvent.objects.filter(ticket__in=tickets, type=TicketEvent.Type.CREATED).count() == 200
    assert not Comment.objects.filter(ticket__in=tickets, created_at__lt=F("ticket__created_at")).exists()
    assert not tickets.filter(updated_at__lt=F("created_at")).exists()
    all_numbers = list(Ticket.objects.values_list("number", flat=True))
    assert len(all_numbers) == len(set(all_numbers)) and all(len(n) == 10 for n in all_numbers)
    for ticket in tickets.select_related("category", "created_by__membership"):
        assert ticket.service_team == ticket.category.routing_team()
        assert ticket.created_by.membership.organization_id == ticket.organization_id
        assert (ticket.closed_at is not None) == (ticket.status in CLOSED_STATUSES)
    largest = tickets.values("organization").annotate(n=Count("id")).order_by("-n").first()
    assert largest["n"] >= 200 * LARGE_ORGANIZATION_SHARE
    assert "Added 200 tickets." in output and "admin@tessera.example" in output


def test_bulk_mode_run_again_reuses_organizations_and_adds_tickets():
    seed(tickets=20, orgs=2)
    users = User.objects.count()

    seed(tickets=20, orgs=2)

    assert bulk_organizations().count() == 2 and User.objects.count() == users
    assert Ticket.objects.filter(organization__in=bulk_organizations()).count() == 40
