"""The REST API's isolation matrix: every endpoint × persona × method, against the objects of organization A.

Each case expects one exact status. Who is refused: anonymous callers 401, a read-only token on any write 403,
customers on agents' and administrators' endpoints 403, and anyone who may not see A's ticket 404 (never a 403
that confirms it exists). No refused response, and no response to someone who may not read A's data, carries
any of it; a refused write changes nothing. An API URL missing here fails the test until someone decides.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test.utils import override_settings
from django.urls import URLPattern, get_resolver, reverse
from rest_framework.test import APIClient

from tessera.organizations.models import Membership, Organization, Role
from tessera.tickets.models import Category, ServiceTeam, Ticket
from tessera.tickets.services import comment_add, ticket_create
from tessera.tickets.workflow import Status
from tests.factories import (
    AccessTokenFactory,
    AgentFactory,
    CategoryFactory,
    MembershipFactory,
    OrganizationFactory,
    ServiceTeamFactory,
    UserFactory,
)

SECRETS = ("ALPHA-TICKET-TITLE", "alpha-file.txt", "ALPHA-COMMENT", "alpha secret bytes", "Alpha Secret Practice")

PERSONAS = ["anonymous", "basic_a", "admin_a", "basic_b", "admin_b", "agent", "vendor_admin", "readonly_a"]
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
STAFF = frozenset({"agent", "vendor_admin"})
TICKET_READERS = frozenset({"basic_a", "admin_a", "readonly_a"}) | STAFF
CUSTOMERS_A = frozenset({"basic_a", "admin_a"})
OWNER_A = frozenset({"basic_a", "readonly_a"})  # readonly_a is a second token of basic_a


@dataclass(frozen=True)
class Case:
    #: The methods the endpoint answers, and what a persona who passes every check gets (a write sends no data).
    ok: dict[str, int | Callable[[str], int]]
    kwargs: Callable[[dict], dict] | None = None
    audience: str = "signed_in"  # signed_in, staff, vendor_admin, public (no credentials asked), nowhere
    ticket: bool = False  # about A's ticket: who may not see it gets 404
    notes: str = field(default="", compare=False)

    def expected(self, persona: str, method: str) -> int:
        if self.audience == "nowhere":
            return 404
        if self.audience == "public":
            return self._ok(persona, method) if method in self.ok else 405
        if persona == "anonymous":
            return 401
        if persona == "readonly_a" and method != "GET":
            return 403
        if self.audience == "staff" and persona not in STAFF:
            return 403
        if self.audience == "vendor_admin" and persona != "vendor_admin":
            return 403
        if method not in self.ok:
            return 405
        if self.ticket and persona not in TICKET_READERS:
            return 404
        return self._ok(persona, method)

    def _ok(self, persona: str, method: str) -> int:
        outcome = self.ok[method]
        return outcome(persona) if callable(outcome) else outcome

    def may_see(self, persona: str, method: str) -> bool:
        """Whether this persona's answer may hold A's data."""
        if self.audience == "vendor_admin":
            return persona == "vendor_admin"
        if self.ticket or self.audience == "staff" or self.ok.get("GET") == 200:
            return persona in TICKET_READERS and self.expected(persona, method) < 300
        return False


def ticket(o):
    return {"number": o["ticket"].number}


MATRIX: dict[str, Case] = {
    "api:schema": Case(ok={"GET": 200}, audience="public"),
    "api:docs": Case(ok={"GET": 200}, audience="public"),
    "api:not_found": Case(ok={}, audience="nowhere", kwargs=None, notes="any other URL under /api/"),
    # tokens: each caller its own; a token rotates only itself (a read-only one cannot)
    "api:token_list": Case(ok={"GET": 200}),
    "api:token_self": Case(ok={"GET": 200}),
    "api:token_rotate": Case(ok={"POST": 201}, notes="each persona rotates its own token"),
    "api:token_detail": Case(
        ok={"GET": lambda p: 200 if p in OWNER_A else 404, "DELETE": lambda p: 204 if p in OWNER_A else 404},
        kwargs=lambda o: {"pk": o["tokens"]["basic_a"].pk}, notes="basic_a's token: its owner only",
    ),
    "api:invitation_accept": Case(ok={"POST": 400}, audience="public", notes="the e-mail's link is the proof"),
    # customers (and agents): the portal's visibility
    "api:ticket_list": Case(ok={"GET": 200, "POST": 400}),
    "api:category_list": Case(ok={"GET": 200}),
    "api:ticket_detail": Case(ok={"GET": 200}, kwargs=ticket, ticket=True),
    "api:ticket_comments": Case(ok={"GET": 200, "POST": 400}, kwargs=ticket, ticket=True),
    "api:ticket_attachments": Case(ok={"GET": 200, "POST": 400}, kwargs=ticket, ticket=True),
    "api:attachment_download": Case(ok={"GET": 200}, ticket=True,
                                    kwargs=lambda o: {"number": o["ticket"].number, "pk": o["attachment"].pk}),
    "api:ticket_close": Case(ok={"POST": lambda p: 200 if p in CUSTOMERS_A else 403}, kwargs=ticket, ticket=True,
                             notes="support staff do not cancel for the customer"),
    "api:ticket_accept": Case(ok={"POST": lambda p: 200 if p in CUSTOMERS_A else 409}, kwargs=ticket, ticket=True),
    "api:ticket_reject": Case(ok={"POST": 400}, kwargs=ticket, ticket=True, notes="a reason is required"),
    # agents
    "api:queue_list": Case(ok={"GET": 200}, audience="staff"),
    "api:queue_tickets": Case(ok={"GET": 200}, audience="staff", kwargs=lambda o: {"key": "open"}),
    **{
        f"api:ticket_{name}": Case(ok={"POST": 400}, audience="staff", kwargs=ticket, ticket=True)
        for name in ("assign", "status", "notes", "merge")
    },
    # vendor administrators
    "api:organization_list": Case(ok={"GET": 200, "POST": 400}, audience="vendor_admin"),
    "api:organization_detail": Case(ok={"GET": 200, "PUT": 200}, audience="vendor_admin",
                                    kwargs=lambda o: {"customer_code": "A0001"}),
    "api:contact_list": Case(ok={"GET": 200, "POST": 400}, audience="vendor_admin",
                             kwargs=lambda o: {"customer_code": "A0001"}),
    "api:membership_detail": Case(ok={"GET": 200, "PATCH": 400}, audience="vendor_admin",
                                  kwargs=lambda o: {"pk": o["basic_membership"].pk}),
    "api:membership_deactivate": Case(ok={"POST": 200}, audience="vendor_admin",
                                      kwargs=lambda o: {"pk": o["basic_membership"].pk}),
    "api:membership_reactivate": Case(ok={"POST": 400}, audience="vendor_admin",
                                      kwargs=lambda o: {"pk": o["basic_membership"].pk}, notes="already active"),
    "api:service_team_list": Case(ok={"GET": 200, "POST": 400}, audience="vendor_admin"),
    "api:service_team_detail": Case(ok={"GET": 200, "PATCH": 200}, audience="vendor_admin",
                                    kwargs=lambda o: {"pk": o["team"].pk}, notes="an empty PATCH changes nothing"),
    "api:category_create": Case(ok={"POST": 400}, audience="vendor_admin"),
    "api:category_detail": Case(ok={"GET": 200, "PATCH": 200}, audience="vendor_admin",
                                kwargs=lambda o: {"pk": o["category"].pk}, notes="an empty PATCH changes nothing"),
}

CASES = [(name, persona, method) for name in sorted(MATRIX) for persona in PERSONAS for method in METHODS]


def api_url_names() -> list[str]:
    (api,) = [p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "api"]
    return sorted(f"api:{p.name}" for p in api.url_patterns if isinstance(p, URLPattern))


def test_every_api_url_is_in_the_matrix():
    assert sorted(MATRIX) == api_url_names()
    assert len(CASES) == 1320, len(CASES)


def _build_world() -> dict:
    team = ServiceTeamFactory.create(name="Team X")
    category = CategoryFactory.create(name="Software", service_team=team)
    org_a = OrganizationFactory.create(name="Alpha Secret Practice", customer_code="A0001")
    org_b = OrganizationFactory.create(name="Bravo Practice", customer_code="B0001")
    users, memberships = {}, {}
    for suffix, org, domain in (("a", org_a, "alpha.test"), ("b", org_b, "bravo.test")):
        for role in (Role.BASIC, Role.ADMIN):
            key = f"{role.value}_{suffix}"
            user = UserFactory.create(email=f"{role.value}@{domain}", first_name=role.label, last_name=suffix.upper())
            memberships[key] = MembershipFactory.create(organization=org, role=role, user=user)
            users[key] = user
    users["agent"] = AgentFactory.create(email="agent@vendor.test")
    users["vendor_admin"] = AgentFactory.create(email="root@vendor.test", is_superuser=True)
    tokens = {persona: AccessTokenFactory.create(user=user) for persona, user in users.items()}
    tokens["readonly_a"] = AccessTokenFactory.create(user=users["basic_a"], scope="read")
    ticket_a = ticket_create(
        author=users["basic_a"], title="ALPHA-TICKET-TITLE", category=category, description="ALPHA-COMMENT body",
        attachments=[SimpleUploadedFile("alpha-file.txt", b"alpha secret bytes")],
    )
    comment_add(ticket=ticket_a, author=users["agent"], body="ALPHA-COMMENT from support")
    Ticket.objects.filter(pk=ticket_a.pk).update(status=Status.SOLUTION_PROVIDED)
    ticket_a.refresh_from_db()
    return {
        "users": users, "tokens": tokens, "ticket": ticket_a, "attachment": ticket_a.attachments.get(),
        "organization": org_a, "basic_membership": memberships["basic_a"], "team": team, "category": category,
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    folder = tmp_path_factory.mktemp("api-isolation-matrix")
    with (
        override_settings(MEDIA_ROOT=folder / "media", EMAIL_FILE_PATH=folder / "mail"),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield _build_world()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _media_root():
    """The matrix's files live in the module's folder (see ``world``)."""


def state_of(world) -> tuple:
    ticket = Ticket.objects.get(pk=world["ticket"].pk)
    return (
        ticket.status, ticket.assignee_id, ticket.merged_into_id, ticket.comments.count(), ticket.attachments.count(),
        ticket.events.count(), Ticket.objects.count(),
        sorted(Membership.objects.values_list("pk", "role", "is_active")),
        sorted(Organization.objects.values_list("customer_code", "name", "postal_code", "city")),
        sorted(ServiceTeam.objects.values_list("pk", "name", "email", "is_active")),
        sorted(Category.objects.values_list("pk", "name", "service_team_id", "position", "is_active")),
    )


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@pytest.mark.parametrize(("name", "persona", "method"), CASES, ids=["-".join(case) for case in CASES])
def test_api_isolation(db, world, name, persona, method):
    case = MATRIX[name]
    url = reverse(name, kwargs=case.kwargs(world) if case.kwargs else {})
    client = APIClient()
    if persona != "anonymous":
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {world['tokens'][persona].raw}")
    before = state_of(world)

    response = getattr(client, method.lower())(url, {}, format="multipart") if method != "GET" else client.get(url)

    expected = case.expected(persona, method)
    assert response.status_code == expected, _body(response)[:300]
    if expected >= 400:
        assert response["Content-Type"].startswith("application/problem+json")
    if not case.may_see(persona, method):
        body = _body(response)
        assert [secret for secret in SECRETS if secret in body] == []
    if expected >= 400 or method == "GET":
        assert state_of(world) == before  # nobody refused changed anything
