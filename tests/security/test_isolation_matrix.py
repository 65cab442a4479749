"""The isolation matrix: every URL of the project × every persona, against objects of organization A.

A persona allowed to see the object gets its page; everyone else gets a refusal
(login for anonymous, 404 for the signed-in, never a 403 that confirms the
object exists), and no refused response, and no page of another organization's
user, carries any of organization A's data. A URL that is not in the matrix
fails the test until someone decides who may reach it.
"""

from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tessera.organizations.models import LinkRequest, Role
from tessera.tickets.services import comment_add, ticket_create
from tessera.tickets.workflow import Status
from tests.factories import (
    AgentFactory,
    CategoryFactory,
    MembershipFactory,
    OrganizationFactory,
    ServiceTeamFactory,
    UserFactory,
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
CUSTOMERS_A = {"basic_a", "manager_a", "admin_a"}
STAFF = {"agent", "vendor_admin"}
MEMBERS_A = {"restricted_a", "basic_a", "manager_a", "admin_a"}
EVERYONE_SIGNED_IN = set(PERSONAS) - {"anonymous"}


@dataclass(frozen=True)
class Case:
    kwargs: object = None  # callable(objects) -> dict, or None
    readers: frozenset = frozenset()  # may GET and see A's data
    public: bool = False  # reachable without logging in (never shows A's data)
    collection: bool = False  # every signed-in persona gets a page of their own; only readers see A's data
    get_ok: tuple = (200,)
    refused: tuple = (404,)
    post: bool = False  # state-changing: POST is tried by every persona; only readers may change anything
    notes: str = field(default="", compare=False)


def ticket(o):
    return {"number": o["ticket"].number}


A_TICKET_READERS = frozenset({"basic_a", "manager_a", "admin_a"} | STAFF)
A_ADMINS = frozenset({"admin_a"})

MATRIX: dict[str, Case] = {
    # portal
    "portal:home": Case(collection=True, get_ok=(200, 302)),
    "portal:link": Case(collection=True, get_ok=(200, 302)),
    "portal:ticket_list": Case(collection=True, get_ok=(200, 302)),
    "portal:ticket_filter": Case(collection=True, get_ok=(405,), post=True),
    "portal:ticket_export": Case(kwargs=lambda o: {"format": "csv"}, collection=True, get_ok=(200, 302, 404)),
    "portal:ticket_create": Case(collection=True, get_ok=(200, 302, 403)),
    "portal:ticket_create_categories": Case(collection=True, get_ok=(200, 403)),
    "portal:ticket_detail": Case(kwargs=ticket, readers=A_TICKET_READERS),
    "portal:ticket_pane": Case(kwargs=ticket, readers=frozenset(CUSTOMERS_A), get_ok=(200,), refused=(404, 302)),
    "portal:ticket_comment": Case(kwargs=ticket, readers=A_TICKET_READERS, get_ok=(405,), post=True),
    "portal:ticket_cc_add": Case(kwargs=ticket, readers=A_TICKET_READERS, get_ok=(405,), post=True),
    "portal:ticket_close": Case(kwargs=ticket, readers=frozenset(CUSTOMERS_A), get_ok=(200,), refused=(404, 302),
                                post=True),
    "portal:ticket_accept": Case(kwargs=ticket, readers=A_TICKET_READERS, get_ok=(405,), post=True),
    "portal:ticket_reject": Case(kwargs=ticket, readers=A_TICKET_READERS, get_ok=(405,), post=True),
    "portal:attachment_download": Case(
        kwargs=lambda o: {"number": o["ticket"].number, "pk": o["attachment"].pk}, readers=A_TICKET_READERS
    ),
    "portal:organization_users": Case(collection=True, notes="each admin sees their own organization"),
    "portal:organization_user_activate": Case(kwargs=lambda o: {"pk": o["restricted_membership"].pk},
                                              readers=A_ADMINS, get_ok=(405,), post=True),
    "portal:organization_user_role": Case(kwargs=lambda o: {"pk": o["basic_membership"].pk},
                                          readers=A_ADMINS, get_ok=(405,), post=True),
    "portal:organization_user_deactivate": Case(kwargs=lambda o: {"pk": o["basic_membership"].pk},
                                                readers=A_ADMINS, get_ok=(405,), post=True),
    "portal:organization_user_reactivate": Case(kwargs=lambda o: {"pk": o["basic_membership"].pk},
                                                readers=A_ADMINS, get_ok=(405,), post=True),
    "portal:organization_link_approve": Case(kwargs=lambda o: {"pk": o["link_request"].pk},
                                             readers=A_ADMINS, get_ok=(405,), post=True),
    "portal:organization_link_reject": Case(kwargs=lambda o: {"pk": o["link_request"].pk},
                                            readers=A_ADMINS, post=True),
    # accounts: own account only; the public flows show nothing of anyone
    "accounts:account": Case(collection=True),
    "accounts:password_change": Case(collection=True, get_ok=(405,), post=True),
    "accounts:security_question_change": Case(collection=True, get_ok=(405,), post=True),
    "accounts:profile_change": Case(collection=True, get_ok=(405,), post=True),
    "accounts:login": Case(public=True, get_ok=(200, 302)),
    "accounts:logout": Case(public=True, get_ok=(405,)),
    "accounts:language": Case(public=True, get_ok=(405,)),
    "accounts:register": Case(public=True, get_ok=(200, 302)),
    "accounts:register_done": Case(public=True, get_ok=(200, 302)),
    "accounts:register_resend": Case(public=True, get_ok=(200, 302, 405)),
    "accounts:register_confirm": Case(kwargs=lambda o: {"token": "not-a-token"}, public=True, get_ok=(200, 302, 404)),
    "accounts:invitation_renew": Case(public=True, get_ok=(200, 302)),
    "accounts:invitation_renew_sent": Case(public=True, get_ok=(200, 302)),
    "accounts:invitation_accept": Case(kwargs=lambda o: {"token": "not-a-token"}, public=True,
                                       get_ok=(200, 302, 404)),
    "accounts:password_reset": Case(public=True, get_ok=(200, 302)),
    "accounts:password_reset_sent": Case(public=True, get_ok=(200, 302)),
    "accounts:password_reset_confirm": Case(kwargs=lambda o: {"token": "not-a-token"}, public=True,
                                            get_ok=(200, 302, 404)),
    "accounts:terms": Case(public=True),
    "accounts:privacy": Case(public=True),
    # desk: vendor staff only
    "desk:home": Case(readers=frozenset(STAFF), get_ok=(200, 302)),
    "desk:approvals": Case(readers=frozenset(STAFF)),
    "desk:approval_approve": Case(kwargs=lambda o: {"pk": o["link_request"].pk}, readers=frozenset(STAFF),
                                  get_ok=(405,), post=True),
    "desk:approval_reject": Case(kwargs=lambda o: {"pk": o["link_request"].pk}, readers=frozenset(STAFF),
                                 post=True),
    "desk:organizations": Case(readers=frozenset(STAFF)),
    "desk:organization_detail": Case(kwargs=lambda o: {"pk": o["organization"].pk}, readers=frozenset(STAFF)),
    "desk:organization_invite": Case(kwargs=lambda o: {"pk": o["organization"].pk}, readers=frozenset(STAFF),
                                     post=True),
    "desk:queues": Case(readers=frozenset(STAFF), get_ok=(302,)),
    "desk:queue": Case(kwargs=lambda o: {"queue": "open"}, readers=frozenset(STAFF), post=True),
    "desk:email_outbox": Case(readers=frozenset({"vendor_admin"})),
    "desk:email_outbox_retry": Case(kwargs=lambda o: {"pk": 1}, readers=frozenset({"vendor_admin"}),
                                    get_ok=(405, 404), post=True),
    "desk:audit_log": Case(readers=frozenset({"vendor_admin"})),
    "desk:ticket": Case(kwargs=ticket, readers=frozenset(STAFF)),
    **{
        f"desk:{name}": Case(kwargs=ticket, readers=frozenset(STAFF), get_ok=(405, 200, 302), post=True)
        for name in ("ticket_reply", "ticket_canned", "ticket_status", "ticket_assign", "ticket_assign_me",
                     "ticket_unassign", "ticket_team", "ticket_priority", "ticket_category", "ticket_cc_add",
                     "ticket_cc_remove", "ticket_link", "ticket_merge")
    },
    "desk:ticket_unlink": Case(kwargs=lambda o: {"number": o["ticket"].number, "other": o["ticket"].number},
                               readers=frozenset(STAFF), get_ok=(405, 404, 302), post=True),
    "desk:ticket_attachment": Case(kwargs=lambda o: {"number": o["ticket"].number, "pk": o["attachment"].pk},
                                   readers=frozenset(STAFF)),
}


def project_url_names() -> list[str]:
    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue  # the Django admin: is_staff only, checked below
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return sorted(set(walk(get_resolver().url_patterns)))


def test_every_url_is_in_the_matrix():
    missing = [name for name in project_url_names() if name not in MATRIX]
    assert missing == [], f"add these URLs to the isolation matrix: {missing}"
    stale = [name for name in MATRIX if name not in project_url_names()]
    assert stale == []


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    team = ServiceTeamFactory(name="Team X")
    category = CategoryFactory(name="Software", service_team=team)
    org_a = OrganizationFactory(name="Alpha Secret Practice", customer_code="A0001")
    org_b = OrganizationFactory(name="Bravo Practice", customer_code="B0001")
    users = {}
    memberships = {}
    for suffix, org, domain in (("a", org_a, "alpha.test"), ("b", org_b, "bravo.test")):
        for role in (Role.RESTRICTED, Role.BASIC, Role.MANAGER, Role.ADMIN):
            key = f"{role.value}_{suffix}"
            user = UserFactory(email=f"{role.value}@{domain}", first_name=role.label, last_name=suffix.upper())
            memberships[key] = MembershipFactory(organization=org, role=role, user=user)
            users[key] = user
    users["agent"] = AgentFactory(email="agent@vendor.test")
    users["vendor_admin"] = AgentFactory(email="root@vendor.test", is_superuser=True)
    ticket_a = ticket_create(
        author=users["basic_a"], title="ALPHA-TICKET-TITLE", category=category, description="ALPHA-COMMENT body",
        attachments=[SimpleUploadedFile("alpha-file.txt", b"alpha secret bytes")],
    )
    ticket_a.status = Status.SOLUTION_PROVIDED
    ticket_a.save()
    comment_add(ticket=ticket_a, author=users["agent"], body="ALPHA-COMMENT from support")
    applicant = UserFactory(email="applicant@alpha.test")
    link_request = LinkRequest.objects.create(
        user=applicant, organization=org_a, customer_code="A0001", postal_code=org_a.postal_code
    )
    MembershipFactory(organization=org_a, role=Role.RESTRICTED, user=applicant)
    return {
        "users": users,
        "organization": org_a,
        "ticket": ticket_a,
        "attachment": ticket_a.attachments.get(),
        "link_request": link_request,
        "basic_membership": memberships["basic_a"],
        "restricted_membership": memberships["restricted_a"],
    }


def _url(name, case, objects):
    kwargs = case.kwargs(objects) if case.kwargs else {}
    return reverse(name, kwargs=kwargs)


def _content(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _check(name, case, persona, response, method):
    body = _content(response)
    may_see = persona in case.readers or (case.collection and persona in CUSTOMERS_A | STAFF)
    forbidden = [] if may_see else list(SECRETS_OF_TICKET)
    if persona not in MEMBERS_A | STAFF:
        forbidden += SECRETS_OF_ORGANIZATION
    leaked = [secret for secret in forbidden if secret in body]
    if persona == "anonymous" and not case.public:
        assert response.status_code in (302, 405), (name, method, persona, response.status_code)
        if response.status_code == 302:
            assert "/accounts/login/" in response["Location"], (name, persona)
    elif case.public or case.collection:
        assert response.status_code < 500, (name, method, persona, response.status_code)
    elif persona in case.readers:
        if method == "GET":
            assert response.status_code in case.get_ok, (name, persona, response.status_code)
    else:
        assert response.status_code in case.refused, (name, method, persona, response.status_code)
    assert leaked == [], (name, method, persona, leaked)
    return 1


def test_isolation_matrix(client, world):
    cases = 0
    for name in project_url_names():
        case = MATRIX.get(name)
        if case is None:
            continue  # test_every_url_is_in_the_matrix names it
        for persona in PERSONAS:
            client.logout()
            if persona != "anonymous":
                client.force_login(world["users"][persona])
            url = _url(name, case, world)
            response = client.get(url)
            if not (persona in case.readers or case.public or case.collection) and response.status_code == 405:
                # A POST-only URL: the refusal must come on POST, where it matters.
                pass
            else:
                cases += _check(name, case, persona, response, "GET")
            if case.post and not (persona in case.readers or case.collection or case.public):
                response = client.post(url, {})
                cases += _check(name, case, persona, response, "POST")
    world["ticket"].refresh_from_db()
    assert world["ticket"].status == Status.SOLUTION_PROVIDED  # nobody refused changed anything
    assert world["ticket"].comments.count() == 1
    print(f"isolation matrix: {cases} URL × persona × method cases")
    assert cases > 400


def test_admin_site_is_for_vendor_staff_only(client, world):
    for persona in PERSONAS:
        client.logout()
        if persona != "anonymous":
            client.force_login(world["users"][persona])
        response = client.get(reverse("admin:tickets_ticket_changelist"))
        if persona in STAFF:
            assert response.status_code in (200, 403)
        else:
            assert response.status_code == 302 and "/admin/login/" in response["Location"], persona
            assert "ALPHA-TICKET-TITLE" not in _content(response)
