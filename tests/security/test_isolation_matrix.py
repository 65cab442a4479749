"""The isolation matrix: every URL of the project × every persona × method, against objects of organization A.

A persona allowed to see the object gets its page; everyone else gets a refusal
(login for anonymous, 404 for the signed-in, never a 403 that confirms the
object exists), and no refused response, and no page of another organization's
user, carries any of organization A's data. A URL that is not in the matrix
fails the test until someone decides who may reach it.

One test case per URL × persona × method, each expecting one exact status (and,
for a redirect, its target). The objects are built once per module, in a
transaction that each case runs inside and that is rolled back at the end; a
case's own changes are rolled back after it.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tessera.accounts.models import UserSession
from tessera.imports.models import ImportRun
from tessera.organizations.models import LinkRequest, Membership, Organization, Role
from tessera.tickets.models import CannedResponse, DeskView
from tessera.tickets.services import comment_add, ticket_create
from tessera.tickets.workflow import Status
from tessera.tokens.models import AccessToken
from tessera.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.factories import (
    AccessTokenFactory,
    AgentFactory,
    CategoryFactory,
    MembershipFactory,
    OrganizationFactory,
    ServiceTeamFactory,
    UserFactory,
    WebhookDeliveryFactory,
    WebhookSubscriptionFactory,
)

#: Organization A's identity: its own members see it on every page (their own name and e-mail, their practice).
SECRETS_OF_ORGANIZATION = ("Alpha Secret Practice", "@alpha.test")
#: What A's ticket holds: only those who may read the ticket see it.
SECRETS_OF_TICKET = ("ALPHA-TICKET-TITLE", "alpha-file.txt", "ALPHA-COMMENT", "alpha secret bytes")

PERSONAS = [
    "anonymous",
    "restricted_a", "basic_a", "manager_a", "admin_a",
    "restricted_b", "basic_b", "manager_b", "admin_b",
    "agent", "vendor_admin",
]
ANONYMOUS = frozenset({"anonymous"})
RESTRICTED = frozenset({"restricted_a", "restricted_b"})
CUSTOMERS_A = frozenset({"basic_a", "manager_a", "admin_a"})
CUSTOMERS_B = frozenset({"basic_b", "manager_b", "admin_b"})
CUSTOMERS = CUSTOMERS_A | CUSTOMERS_B
MEMBERS_A = CUSTOMERS_A | {"restricted_a"}
MEMBERS = CUSTOMERS | RESTRICTED
STAFF = frozenset({"agent", "vendor_admin"})
SIGNED_IN = frozenset(PERSONAS) - ANONYMOUS
EVERYONE = frozenset(PERSONAS)

A_TICKET_READERS = CUSTOMERS_A | STAFF
A_ADMINS = frozenset({"admin_a"})
VENDOR_ADMIN = frozenset({"vendor_admin"})


@dataclass(frozen=True)
class Redirect:
    """A 302 to ``to``: a URL name, or a function of the objects that gives the path."""

    to: str | Callable[[dict], str]

    def path(self, objects: dict) -> str:
        return self.to(objects) if callable(self.to) else reverse(self.to)


Expected = int | Redirect | tuple[int, ...]  # a tuple: any of these statuses

LOGIN = Redirect("accounts:login")
HOME = Redirect("portal:home")
DESK = Redirect("desk:home")
TO_THE_TICKET = Redirect(lambda o: reverse("portal:ticket_detail", kwargs={"number": o["ticket"].number}))


@dataclass(frozen=True)
class Case:
    kwargs: Callable[[dict], dict] | None = None
    readers: frozenset = frozenset()  # may GET and see A's data; they get ``ok``
    ok: Expected = 200
    public: bool = False  # reachable without logging in (never shows A's data)
    collection: bool = False  # every signed-in persona gets a page of their own; only readers see A's data
    post: bool = False  # state-changing: everyone who is not a reader POSTs too, and changes nothing
    #: Who gets what instead of a 404 when not a reader, on GET and POST; later keys win.
    refused: Mapping[frozenset, Expected] = field(default_factory=dict)
    #: Exact GET statuses that replace the rules above, for everyone listed; later keys win.
    get: Mapping[frozenset, Expected] = field(default_factory=dict)
    notes: str = field(default="", compare=False)

    def tries_post(self, persona: str) -> bool:
        return self.post and not (persona in self.readers or self.collection or self.public)

    def expected(self, persona: str, method: str) -> Expected:
        if persona in self.readers and method == "GET":
            status: Expected = self.ok
        elif persona == "anonymous" and not self.public:
            status = LOGIN
        else:
            status = 404
            for group, refusal in self.refused.items():
                if persona in group:
                    status = refusal
        if method == "GET":
            for group, override in self.get.items():
                if persona in group:
                    status = override
        return status


def ticket(o):
    return {"number": o["ticket"].number}


MATRIX: dict[str, Case] = {
    # portal
    "portal:home": Case(collection=True, get={MEMBERS: 200, STAFF: DESK}),
    "portal:link": Case(collection=True, get={MEMBERS: HOME, STAFF: DESK}),
    "portal:ticket_list": Case(collection=True, get={MEMBERS: 200, STAFF: DESK}),
    "portal:ticket_filter": Case(collection=True, post=True, get={EVERYONE: 405}),
    "portal:ticket_export": Case(kwargs=lambda o: {"format": "csv"}, collection=True,
                                 get={CUSTOMERS: 200, RESTRICTED: 404, STAFF: DESK}),
    "portal:ticket_create": Case(collection=True, get={CUSTOMERS: 200, RESTRICTED: 403, STAFF: 403}),
    "portal:ticket_create_categories": Case(collection=True, get={CUSTOMERS: 200, RESTRICTED: 403, STAFF: 403}),
    "portal:ticket_detail": Case(kwargs=ticket, readers=A_TICKET_READERS),
    "portal:ticket_pane": Case(kwargs=ticket, readers=CUSTOMERS_A, refused={STAFF: DESK}),
    # POST-only: a GET is refused by its method before anyone is asked who they are; the POST is refused by 404
    "portal:ticket_comment": Case(kwargs=ticket, readers=A_TICKET_READERS, ok=405, post=True, get={SIGNED_IN: 405}),
    "portal:ticket_cc_add": Case(kwargs=ticket, readers=A_TICKET_READERS, ok=405, post=True, get={SIGNED_IN: 405}),
    "portal:ticket_close": Case(kwargs=ticket, readers=CUSTOMERS_A, post=True, refused={STAFF: TO_THE_TICKET}),
    "portal:ticket_accept": Case(kwargs=ticket, readers=A_TICKET_READERS, ok=405, post=True, get={SIGNED_IN: 405}),
    "portal:ticket_reject": Case(kwargs=ticket, readers=A_TICKET_READERS, ok=405, post=True, get={SIGNED_IN: 405}),
    "portal:attachment_download": Case(
        kwargs=lambda o: {"number": o["ticket"].number, "pk": o["attachment"].pk}, readers=A_TICKET_READERS
    ),
    "portal:organization_users": Case(collection=True, get={SIGNED_IN: 404, frozenset({"admin_a", "admin_b"}): 200},
                                      notes="each admin sees their own organization"),
    "portal:organization_user_activate": Case(kwargs=lambda o: {"pk": o["restricted_membership"].pk},
                                              readers=A_ADMINS, ok=405, post=True),
    "portal:organization_user_role": Case(kwargs=lambda o: {"pk": o["basic_membership"].pk},
                                          readers=A_ADMINS, ok=405, post=True),
    "portal:organization_user_deactivate": Case(kwargs=lambda o: {"pk": o["basic_membership"].pk},
                                                readers=A_ADMINS, ok=405, post=True),
    "portal:organization_user_reactivate": Case(kwargs=lambda o: {"pk": o["basic_membership"].pk},
                                                readers=A_ADMINS, ok=405, post=True),
    "portal:organization_link_approve": Case(kwargs=lambda o: {"pk": o["link_request"].pk},
                                             readers=A_ADMINS, ok=405, post=True),
    "portal:organization_link_reject": Case(kwargs=lambda o: {"pk": o["link_request"].pk},
                                            readers=A_ADMINS, post=True),
    "portal:organization_two_factor": Case(readers=A_ADMINS, ok=405, post=True,
                                           refused={frozenset({"admin_b"}): Redirect("portal:organization_users")},
                                           get={frozenset({"admin_b"}): 405},
                                           notes="each admin requires it of their own organization only"),
    # accounts: own account only; the public flows show nothing of anyone
    "accounts:account": Case(collection=True, get={SIGNED_IN: 200}),
    "accounts:password_change": Case(collection=True, post=True, get={SIGNED_IN: 405}),
    "accounts:security_question_change": Case(collection=True, post=True, get={SIGNED_IN: 405}),
    "accounts:profile_change": Case(collection=True, post=True, get={SIGNED_IN: 405}),
    "accounts:sessions": Case(collection=True, get={SIGNED_IN: 200}, notes="each user sees their own sessions"),
    "accounts:sessions_end_others": Case(collection=True, post=True, get={SIGNED_IN: 405}),
    "accounts:session_end": Case(kwargs=lambda o: {"session_id": o["session"].pk}, readers=frozenset({"basic_a"}),
                                 ok=405, post=True, get={SIGNED_IN: 405}, notes="only its owner may end it"),
    "accounts:login": Case(public=True, get={ANONYMOUS: 200, SIGNED_IN: HOME}),
    "accounts:login_verify": Case(public=True, get={EVERYONE: LOGIN},
                                  notes="only after a right password, in the same session"),
    "accounts:two_factor": Case(collection=True, get={SIGNED_IN: 200}),
    "accounts:two_factor_setup": Case(collection=True, get={SIGNED_IN: 200}),
    "accounts:two_factor_recovery_codes": Case(collection=True, post=True, get={SIGNED_IN: 405}),
    "accounts:two_factor_disable": Case(collection=True, post=True, get={SIGNED_IN: 405}),
    "accounts:two_factor_forget_devices": Case(collection=True, post=True, get={SIGNED_IN: 405}),
    "accounts:logout": Case(public=True, get={EVERYONE: 405}),
    "accounts:language": Case(public=True, get={EVERYONE: 405}),
    "accounts:register": Case(public=True, get={ANONYMOUS: 200, SIGNED_IN: HOME}),
    "accounts:register_done": Case(public=True, get={EVERYONE: Redirect("accounts:register")},
                                   notes="without a registration in the session: back to the form"),
    "accounts:register_resend": Case(public=True, get={EVERYONE: 405}),
    "accounts:register_confirm": Case(kwargs=lambda o: {"token": "not-a-token"}, public=True, get={EVERYONE: 404}),
    "accounts:invitation_renew": Case(public=True, get={EVERYONE: 200}),
    "accounts:invitation_renew_sent": Case(public=True, get={EVERYONE: 200}),
    "accounts:invitation_accept": Case(kwargs=lambda o: {"token": "not-a-token"}, public=True, get={EVERYONE: 404}),
    "accounts:password_reset": Case(public=True, get={EVERYONE: 200}),
    "accounts:password_reset_sent": Case(public=True, get={EVERYONE: 200}),
    "accounts:password_reset_confirm": Case(kwargs=lambda o: {"token": "not-a-token"}, public=True,
                                            get={EVERYONE: 404}),
    "accounts:unlock": Case(kwargs=lambda o: {"token": "not-a-token"}, public=True, get={EVERYONE: 404}),
    "accounts:terms": Case(public=True, get={EVERYONE: 200}),
    "accounts:privacy": Case(public=True, get={EVERYONE: 200}),
    # sso: public steps of a login through a provider; none shows anything of anyone (tests/sso)
    "sso:login": Case(kwargs=lambda o: {"provider": "cgm"}, public=True, get={EVERYONE: 404},
                      notes="no provider configured here; tests/sso configures one"),
    "sso:callback": Case(public=True, get={EVERYONE: 400}, notes="no state this session sent"),
    "sso:link": Case(public=True, get={EVERYONE: Redirect("accounts:login")}, notes="nothing waits for a proof"),
    "sso:link_email": Case(public=True, get={EVERYONE: 405}),
    "sso:link_confirm": Case(kwargs=lambda o: {"token": "not-a-token"}, public=True, get={EVERYONE: 410}),
    "sso:logout": Case(public=True, get={EVERYONE: 405}),
    # branding: the vendor's public look (login pages show it); no logo or favicon is uploaded here
    "branding:css": Case(public=True, get={EVERYONE: 200}),
    "branding:logo": Case(public=True, get={EVERYONE: 404}, notes="tests/branding serves an uploaded one"),
    "branding:favicon": Case(public=True, get={EVERYONE: 404}, notes="tests/branding serves an uploaded one"),
    # metrics: for the monitoring system only, by token or address, never by a session (tests/core/test_metrics.py)
    "metrics": Case(public=True, get={EVERYONE: 404}, notes="off without TESSERA_METRICS_TOKEN or networks"),
    # health: for load balancers, no login, nothing of anyone (tests/health/test_health.py)
    "health:healthz": Case(public=True, get={EVERYONE: 200}),
    # its database probe reads on a connection of its own, which on SQLite cannot read past the matrix's open
    # transaction (503); the answer holds nothing of anyone either way (its own tests are tests/health)
    "health:readyz": Case(public=True, get={EVERYONE: (200, 503)}),
    # desk: vendor staff only
    "desk:home": Case(readers=STAFF),
    "desk:approvals": Case(readers=STAFF),
    "desk:approval_approve": Case(kwargs=lambda o: {"pk": o["link_request"].pk}, readers=STAFF, ok=405, post=True),
    "desk:approval_reject": Case(kwargs=lambda o: {"pk": o["link_request"].pk}, readers=STAFF, post=True),
    "desk:organizations": Case(readers=STAFF),
    "desk:organization_detail": Case(kwargs=lambda o: {"pk": o["organization"].pk}, readers=STAFF),
    "desk:organization_invite": Case(kwargs=lambda o: {"pk": o["organization"].pk}, readers=STAFF, post=True),
    "desk:organization_note_add": Case(kwargs=lambda o: {"pk": o["organization"].pk}, readers=STAFF, ok=405,
                                       post=True),
    "desk:organization_two_factor": Case(kwargs=lambda o: {"pk": o["organization"].pk}, readers=STAFF, ok=405,
                                         post=True),
    "desk:queues": Case(readers=STAFF, ok=Redirect(lambda o: reverse("desk:queue", kwargs={"queue": "mine"}))),
    "desk:queue": Case(kwargs=lambda o: {"queue": "open"}, readers=STAFF, post=True),
    "desk:macros": Case(readers=STAFF, post=True),
    "desk:signature": Case(readers=STAFF, post=True, notes="each agent edits their own"),
    # an agent's own view: nobody else deletes it
    "desk:view_delete": Case(kwargs=lambda o: {"pk": o["desk_view"].pk}, readers=frozenset({"agent"}), ok=405,
                             post=True, get={STAFF: 405}),
    # a shared macro: only vendor administrators edit or delete it
    "desk:macro_edit": Case(kwargs=lambda o: {"pk": o["macro"].pk}, readers=VENDOR_ADMIN, post=True),
    "desk:macro_delete": Case(kwargs=lambda o: {"pk": o["macro"].pk}, readers=VENDOR_ADMIN, ok=405, post=True,
                              get={STAFF: 405}),
    "desk:email_outbox": Case(readers=VENDOR_ADMIN),
    "desk:email_outbox_retry": Case(kwargs=lambda o: {"pk": 1}, readers=VENDOR_ADMIN, ok=405, post=True),
    "desk:audit_log": Case(readers=VENDOR_ADMIN),
    "desk:search": Case(readers=STAFF),
    "desk:ticket": Case(kwargs=ticket, readers=STAFF),
    # imports: the vendor's administrators only (tessera/imports, under /desk/imports/)
    "imports:organizations": Case(readers=VENDOR_ADMIN, post=True),
    "imports:run": Case(kwargs=lambda o: {"pk": o["import_run"].pk}, readers=VENDOR_ADMIN),
    "imports:run_commit": Case(kwargs=lambda o: {"pk": o["import_run"].pk}, readers=VENDOR_ADMIN, ok=405, post=True),
    "imports:run_report": Case(kwargs=lambda o: {"pk": o["import_run"].pk}, readers=VENDOR_ADMIN),
    **{
        f"desk:{name}": Case(kwargs=ticket, readers=STAFF, ok=405, post=True)
        for name in ("ticket_reply", "ticket_canned", "ticket_status", "ticket_assign", "ticket_assign_me",
                     "ticket_unassign", "ticket_team", "ticket_priority", "ticket_tags", "ticket_cc_remove",
                     "ticket_reopen", "ticket_macro", "ticket_preview")
    },
    # on-demand forms: a GET builds the form; presence: a GET names who else has the ticket open
    **{
        f"desk:{name}": Case(kwargs=ticket, readers=STAFF, post=True)
        for name in ("ticket_category", "ticket_fields", "ticket_cc_add", "ticket_link", "ticket_merge",
                     "ticket_presence")
    },
    "desk:ticket_unlink": Case(kwargs=lambda o: {"number": o["ticket"].number, "other": o["ticket"].number},
                               readers=STAFF, ok=405, post=True),
    "desk:ticket_attachment": Case(kwargs=lambda o: {"number": o["ticket"].number, "pk": o["attachment"].pk},
                                   readers=STAFF),
    # access tokens (tessera/tokens): each user sees and revokes their own; the API itself is in
    # tests/security/test_api_isolation_matrix.py
    "tokens:token_list": Case(collection=True, get={SIGNED_IN: 200}, notes="each user sees their own tokens"),
    "tokens:token_revoke": Case(kwargs=lambda o: {"pk": o["token"].pk}, readers=frozenset({"basic_a"}),
                                ok=405, post=True, get={SIGNED_IN: 405}, notes="only its owner may revoke it"),
    # webhooks: the vendor's administrators only (tessera/webhooks, under /desk/webhooks/)
    "webhooks:list": Case(readers=VENDOR_ADMIN),
    "webhooks:create": Case(readers=VENDOR_ADMIN, post=True),
    "webhooks:detail": Case(kwargs=lambda o: {"pk": o["webhook"].pk}, readers=VENDOR_ADMIN),
    "webhooks:edit": Case(kwargs=lambda o: {"pk": o["webhook"].pk}, readers=VENDOR_ADMIN, post=True),
    **{
        f"webhooks:{name}": Case(kwargs=lambda o: {"pk": o["webhook"].pk}, readers=VENDOR_ADMIN, ok=405, post=True)
        for name in ("rotate", "enable", "disable", "delete")
    },
    "webhooks:redeliver": Case(kwargs=lambda o: {"pk": o["webhook"].pk, "delivery_pk": o["webhook_delivery"].pk},
                               readers=VENDOR_ADMIN, ok=405, post=True),
}


def project_url_names() -> list[str]:
    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue  # the Django admin: is_staff only, checked below
                if pattern.namespace == "api":
                    continue  # the REST API: its own matrix, tests/security/test_api_isolation_matrix.py
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return sorted(set(walk(get_resolver().url_patterns)))


def matrix_cases() -> Iterable[tuple[str, str, str]]:
    for name, case in sorted(MATRIX.items()):
        for persona in PERSONAS:
            yield name, persona, "GET"
            if case.tries_post(persona):
                yield name, persona, "POST"


CASES = list(matrix_cases())


def test_every_url_is_in_the_matrix():
    missing = [name for name in project_url_names() if name not in MATRIX]
    assert missing == [], f"add these URLs to the isolation matrix: {missing}"
    stale = [name for name in MATRIX if name not in project_url_names()]
    assert stale == []


def test_the_matrix_tries_every_url_with_every_persona():
    tried = {(name, persona) for name, persona, method in CASES if method == "GET"}
    assert tried == {(name, persona) for name in MATRIX for persona in PERSONAS}
    posted = {name for name, _persona, method in CASES if method == "POST"}
    assert posted == {name for name, case in MATRIX.items() if case.post and not (case.collection or case.public)}
    assert len(CASES) == 1835, len(CASES)  # the URLs and personas of today; change it with the matrix


# --- the objects of organization A, once per module ----------------------------------------------------------------


@pytest.fixture(autouse=True)
def _media_root():
    """Replaces tests/conftest.py's per-test media folder: the matrix's files live in the module's (see ``world``)."""


def _build_world() -> dict:
    team = ServiceTeamFactory.create(name="Team X")
    category = CategoryFactory.create(name="Software", service_team=team)
    org_a = OrganizationFactory.create(name="Alpha Secret Practice", customer_code="A0001")
    org_b = OrganizationFactory.create(name="Bravo Practice", customer_code="B0001")
    users = {}
    memberships = {}
    for suffix, org, domain in (("a", org_a, "alpha.test"), ("b", org_b, "bravo.test")):
        for role in (Role.RESTRICTED, Role.BASIC, Role.MANAGER, Role.ADMIN):
            key = f"{role.value}_{suffix}"
            user = UserFactory.create(email=f"{role.value}@{domain}", first_name=role.label, last_name=suffix.upper())
            memberships[key] = MembershipFactory.create(organization=org, role=role, user=user)
            users[key] = user
    users["agent"] = AgentFactory.create(email="agent@vendor.test")
    users["vendor_admin"] = AgentFactory.create(email="root@vendor.test", is_superuser=True)
    ticket_a = ticket_create(
        author=users["basic_a"], title="ALPHA-TICKET-TITLE", category=category, description="ALPHA-COMMENT body",
        attachments=[SimpleUploadedFile("alpha-file.txt", b"alpha secret bytes")],
    )
    ticket_a.status = Status.SOLUTION_PROVIDED
    ticket_a.save()
    comment_add(ticket=ticket_a, author=users["agent"], body="ALPHA-COMMENT from support")
    applicant = UserFactory.create(email="applicant@alpha.test")
    link_request = LinkRequest.objects.create(
        user=applicant, organization=org_a, customer_code="A0001", postal_code=org_a.postal_code
    )
    MembershipFactory.create(organization=org_a, role=Role.RESTRICTED, user=applicant)
    return {
        "users": users,
        "organization": org_a,
        "ticket": ticket_a,
        "attachment": ticket_a.attachments.get(),
        "link_request": link_request,
        "basic_membership": memberships["basic_a"],
        "restricted_membership": memberships["restricted_a"],
        "macro": CannedResponse.objects.create(title="ALPHA-TICKET-TITLE macro", body="x"),
        "desk_view": DeskView.objects.create(name="ALPHA view", owner=users["agent"], queue="open"),
        "token": AccessTokenFactory.create(user=users["basic_a"], name="ALPHA-TICKET-TITLE token"),
        "session": UserSession.objects.create(session_key="alpha-session", user=users["basic_a"],
                                              user_agent="ALPHA-TICKET-TITLE browser"),
        # A dry run of a file with organization A's contacts, not imported yet.
        "import_run": ImportRun.objects.create(
            kind=ImportRun.Kind.ORGANIZATIONS, original_name="alpha.csv", created_by=users["vendor_admin"],
            summary={"rows": 1, "updated": 1},
            rows=[{"line": 2, "key": "A0001 new@alpha.test", "outcome": "updated",
                   "messages": ["New contact new@alpha.test of Alpha Secret Practice (ALPHA-TICKET-TITLE)."]}],
        ),
        **_webhook_objects(users["vendor_admin"]),
    }


def _webhook_objects(vendor_admin) -> dict:
    """A subscription whose log holds a delivery about A's ticket (its answer quotes A's data)."""
    webhook = WebhookSubscriptionFactory.create(url="https://erp.example.com/hooks", created_by=vendor_admin)
    delivery = WebhookDeliveryFactory.create(
        subscription=webhook, body='{"data":{"title":"ALPHA-TICKET-TITLE"}}',
        response_excerpt="stored ALPHA-TICKET-TITLE of Alpha Secret Practice",
    )
    return {"webhook": webhook, "webhook_delivery": delivery}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once; every case runs in a savepoint inside this transaction, which is rolled back at the end."""
    folder = tmp_path_factory.mktemp("isolation-matrix")
    with (
        override_settings(MEDIA_ROOT=folder / "media", EMAIL_FILE_PATH=folder / "mail"),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield _build_world()
        transaction.set_rollback(True)


def state_of(objects) -> tuple:
    """What a refused POST must leave as it was."""
    ticket = objects["ticket"].__class__.objects.get(pk=objects["ticket"].pk)
    return (
        ticket.status, ticket.priority, ticket.assignee_id, ticket.category_id, ticket.service_team_id,
        ticket.comments.count(), ticket.cc_entries.count(), ticket.attachments.count(), ticket.events.count(),
        LinkRequest.objects.get(pk=objects["link_request"].pk).state,
        Organization.objects.get(pk=objects["organization"].pk).require_two_factor,
        UserSession.objects.filter(pk=objects["session"].pk).exists(),
        sorted(Membership.objects.filter(organization=objects["organization"]).values_list("pk", "role", "is_active")),
        ImportRun.objects.get(pk=objects["import_run"].pk).state, ImportRun.objects.count(),
        AccessToken.objects.get(pk=objects["token"].pk).revoked_at, AccessToken.objects.count(),
        sorted(WebhookSubscription.objects.values_list("pk", "url", "secret", "is_active", "event_types")),
        WebhookDelivery.objects.count(),
    )


# --- the cases ------------------------------------------------------------------------------------------------------


def _content(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _as(client, world, persona):
    if persona != "anonymous":
        client.force_login(world["users"][persona])
    return client


@pytest.mark.parametrize(("name", "persona", "method"), CASES, ids=["-".join(case) for case in CASES])
def test_isolation(client, db, world, name, persona, method):
    case = MATRIX[name]
    url = reverse(name, kwargs=case.kwargs(world) if case.kwargs else {})
    before = state_of(world) if method == "POST" else None

    client = _as(client, world, persona)
    response = client.get(url) if method == "GET" else client.post(url, {})

    expected = case.expected(persona, method)
    if isinstance(expected, Redirect):
        assert (response.status_code, urlsplit(response.get("Location", "")).path) == (302, expected.path(world))
    elif isinstance(expected, tuple):
        assert response.status_code in expected
    else:
        assert response.status_code == expected
    body = _content(response)
    may_see = persona in case.readers or (case.collection and persona in CUSTOMERS_A | STAFF)
    forbidden = [] if may_see else list(SECRETS_OF_TICKET)
    if persona not in MEMBERS_A | STAFF:
        forbidden += SECRETS_OF_ORGANIZATION
    assert [secret for secret in forbidden if secret in body] == []
    if method == "POST":
        assert state_of(world) == before  # nobody refused changed anything


ADMIN_SITE = {**dict.fromkeys(PERSONAS, Redirect("admin:login")), "agent": 403, "vendor_admin": 200}


@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_site_is_for_vendor_staff_only(client, db, world, persona):
    response = _as(client, world, persona).get(reverse("admin:tickets_ticket_changelist"))
    expected = ADMIN_SITE[persona]
    if isinstance(expected, Redirect):
        assert (response.status_code, urlsplit(response["Location"]).path) == (302, expected.path(world))
        assert "ALPHA-TICKET-TITLE" not in _content(response)
    else:
        assert response.status_code == expected
