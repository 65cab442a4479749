"""Every desk URL is for vendor staff only: anonymous users log in, customers find nothing (404).

The URLs are not listed here by hand: the test walks ``tessera.desk.urls`` so
that a page added to the desk later is covered the day it is added. Every
integer in a URL names an object that exists (each model has a row with the
same id), and every ticket number a real ticket, so the 404 comes from the
gate and not from an empty database.
"""

import pytest
from django.urls import URLPattern, URLResolver, reverse
from django.urls.converters import IntConverter

from tessera.desk import urls as desk_urls
from tessera.organizations.models import Role
from tessera.tickets.models import (
    Attachment,
    CannedResponse,
    CategoryField,
    Comment,
    TicketCC,
    TicketEvent,
    TicketLink,
)
from tessera.tickets.selectors import queues
from tests.factories import (
    AgentFactory,
    CategoryFactory,
    LinkRequestFactory,
    MembershipFactory,
    OrganizationFactory,
    ServiceTeamFactory,
    TicketFactory,
    UserFactory,
)

#: The id every object of the fixture shares, so an ``<int:...>`` of any name names something real.
SHARED_ID = 424_242


def _patterns(patterns, prefix=""):
    """(name, pattern) of every URL in ``patterns``, includes followed."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _patterns(entry.url_patterns, namespace)
        elif isinstance(entry, URLPattern):
            yield f"{prefix}{entry.name}", entry


DESK_URLS = sorted(_patterns(desk_urls.urlpatterns, f"{desk_urls.app_name}:"), key=lambda item: item[0])


@pytest.fixture
def existing(organization, customer, category):
    """One object of every kind a desk URL may name, all with the id SHARED_ID."""
    other_organization = OrganizationFactory(id=SHARED_ID, name="Ambulatorio Verdi")
    team = ServiceTeamFactory(id=SHARED_ID)
    node = CategoryFactory(id=SHARED_ID, service_team=team)
    ticket = TicketFactory(id=SHARED_ID, created_by=customer, category=category, title="Screen stays black")
    other = TicketFactory(created_by=customer, category=category)
    comment = Comment.objects.create(id=SHARED_ID, ticket=ticket, author=customer, body="Still black.")
    Attachment.objects.create(id=SHARED_ID, ticket=ticket, comment=comment, file="attachments/screen.png",
                              original_name="screen.png", size=10, uploaded_by=customer)
    low, high = sorted([ticket, other], key=lambda t: t.pk)
    TicketLink.objects.create(id=SHARED_ID, from_ticket=low, to_ticket=high)
    TicketCC.objects.create(id=SHARED_ID, ticket=ticket, email="cc@rossi.test")
    TicketEvent.objects.create(id=SHARED_ID, ticket=ticket, type=TicketEvent.Type.CREATED)
    CannedResponse.objects.create(id=SHARED_ID, team=team, title="Thanks", body="Thank you, {customer_name}.")
    CategoryField.objects.create(id=SHARED_ID, category=node, key="version", label="Version")
    applicant = UserFactory(id=SHARED_ID, email="applicant@verdi.test")
    MembershipFactory(id=SHARED_ID, user=applicant, organization=other_organization, role=Role.RESTRICTED)
    LinkRequestFactory(id=SHARED_ID, user=applicant, organization=other_organization)
    return {"ticket": ticket, "other": other}


def _kwargs(pattern: URLPattern, existing) -> dict:
    values = {"number": existing["ticket"].number, "other": existing["other"].number,
              "queue": queues.DEFAULT_QUEUE.key, "format": "csv"}
    kwargs = {}
    for name, converter in pattern.pattern.converters.items():
        if isinstance(converter, IntConverter):
            kwargs[name] = SHARED_ID
        elif name in values:
            kwargs[name] = values[name]
        else:
            pytest.fail(f"Teach test_desk_access.py what an existing value of <{name}> in {pattern.pattern} is.")
    return kwargs


def _urls(existing) -> list[str]:
    return [reverse(name, kwargs=_kwargs(pattern, existing)) for name, pattern in DESK_URLS]


def test_the_walk_finds_the_desk():
    names = {name for name, _pattern in DESK_URLS}
    assert {"desk:home", "desk:queue", "desk:queues", "desk:approvals", "desk:organizations"} <= names


@pytest.mark.parametrize(
    "persona", ["customer", "colleague", "manager", "org_admin", "restricted_user", "outsider", "unlinked_user"]
)
def test_customers_get_404_on_every_desk_url(client, existing, persona, request):
    client.force_login(request.getfixturevalue(persona))
    for url in _urls(existing):
        assert client.get(url).status_code == 404, f"GET {url}"
        assert client.post(url, {"ticket": [existing["ticket"].number], "body": "x"}).status_code == 404, (
            f"POST {url}"
        )


def test_anonymous_users_are_sent_to_log_in(client, existing):
    login = reverse("accounts:login")
    for url in _urls(existing):
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 302, url
            assert response["Location"].startswith(f"{login}?next="), url


def test_customers_change_nothing_by_posting_to_the_desk(client, existing, org_admin):
    ticket = existing["ticket"]
    client.force_login(org_admin)
    for url in _urls(existing):
        client.post(url, {"ticket": [ticket.number], "operation": "status:complete", "body": "x", "action": "complete",
                          "message": "x", "priority": "1"})
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assignee) == ("open", 3, None)
    assert ticket.comments.count() == 1 and ticket.events.count() == 1


def test_agents_pass_the_gate(client, existing):
    """An active agent is never sent to log in (each page then answers for itself); a deactivated one is."""
    login = reverse("accounts:login")
    client.force_login(AgentFactory())
    for url in _urls(existing):
        response = client.get(url)
        assert response.status_code < 500 and not response.get("Location", "").startswith(login), url
    gone = AgentFactory(is_active=False)
    client.force_login(gone)
    response = client.get(reverse("desk:home"))
    assert response.status_code == 302 and response["Location"].startswith(login)
