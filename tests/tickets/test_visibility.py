"""Tenant isolation: who sees which tickets, and a lookup of an invisible ticket is a 404."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from tessera.accounts.models import User
from tessera.organizations.models import Membership, Role
from tessera.tickets.models import Ticket
from tessera.tickets.policies import ticket_policy
from tessera.tickets.services import ticket_create
from tessera.tickets.workflow import Status

from ..factories import AgentFactory, CategoryFactory, ServiceTeamFactory, TicketCCFactory, TicketFactory

ORG_A = {"own", "cc", "colleague", "assigned", "no_team", "restricted_old", "inactive_old", "former_old"}
ORG_B = {"other_org", "other_org_other_team"}
EVERYTHING = ORG_A | ORG_B



@pytest.fixture
def tickets(
    category, customer, colleague, manager, org_admin, restricted_user, inactive_user, inactive_member,
    outsider, agent, other_agent, vendor_admin, unlinked_user,
):
    """Tickets of two organizations and two service teams, by name."""
    other_category = CategoryFactory(name="Imaging", service_team=ServiceTeamFactory(name="Imaging team"))
    no_team_category = CategoryFactory(name="Other", service_team=None)
    # A second member of the agent's team, so a join over team members could repeat rows.
    category.service_team.members.add(AgentFactory(email="teammate@vendor.test"))
    made = {
        "own": TicketFactory(created_by=customer, category=category),
        "cc": TicketFactory(created_by=colleague, category=category, assignee=agent),
        "colleague": TicketFactory(created_by=colleague, category=other_category),
        "assigned": TicketFactory(created_by=colleague, category=other_category, assignee=agent),
        "no_team": TicketFactory(created_by=manager, category=no_team_category),
        "restricted_old": TicketFactory(created_by=restricted_user, category=other_category),
        "inactive_old": TicketFactory(created_by=inactive_user, category=other_category),
        "former_old": TicketFactory(created_by=inactive_member, category=other_category),
        "other_org": TicketFactory(created_by=outsider, category=category, status=Status.IN_PROCESS),
        "other_org_other_team": TicketFactory(created_by=outsider, category=other_category),
    }
    TicketCCFactory(ticket=made["cc"], user=customer)
    assert made["no_team"].service_team is None
    return made


def _persona(request, name):
    if name == "anonymous":
        return AnonymousUser()
    return request.getfixturevalue(name)


def _names(queryset, tickets):
    by_pk = {ticket.pk: name for name, ticket in tickets.items()}
    pks = list(queryset.values_list("pk", flat=True))
    assert len(pks) == len(set(pks)), "a ticket is listed twice"
    return {by_pk[pk] for pk in pks}


VISIBLE = [
    ("anonymous", set()),
    ("inactive_user", set()),
    ("unlinked_user", set()),
    ("restricted_user", set()),
    ("inactive_member", set()),
    ("customer", {"own", "cc"}),
    ("colleague", {"cc", "colleague", "assigned"}),
    ("manager", ORG_A),
    ("org_admin", ORG_A),
    ("outsider", ORG_B),
    ("agent", EVERYTHING),
    ("other_agent", EVERYTHING),
    ("vendor_admin", EVERYTHING),
]


@pytest.mark.parametrize(("persona", "expected"), VISIBLE, ids=[p for p, _ in VISIBLE])
def test_visible_to(request, tickets, persona, expected):
    user = _persona(request, persona)
    assert _names(Ticket.objects.visible_to(user), tickets) == expected
    assert _names(ticket_policy.visible(user), tickets) == expected


@pytest.mark.parametrize(("persona", "expected"), VISIBLE, ids=[p for p, _ in VISIBLE])
def test_get_visible_or_404(request, tickets, persona, expected):
    user = _persona(request, persona)
    for name, ticket in tickets.items():
        if name in expected:
            assert ticket_policy.get_visible_or_404(user, number=ticket.number) == ticket
            assert ticket_policy.can_view(user, ticket)
        else:
            with pytest.raises(Http404):
                ticket_policy.get_visible_or_404(user, number=ticket.number)
            assert not ticket_policy.can_view(user, ticket)


def test_unknown_number_is_a_404_even_for_vendor_admin(tickets, vendor_admin):
    with pytest.raises(Http404):
        ticket_policy.get_visible_or_404(vendor_admin, number="0000000000")


TEAM_ONLY = [
    ("agent", {"own", "cc", "other_org", "assigned"}),
    ("other_agent", set()),
    ("vendor_admin", EVERYTHING),
    # The setting narrows what staff see; customers see as before.
    ("customer", {"own", "cc"}),
    ("outsider", ORG_B),
]


@pytest.mark.parametrize(("persona", "expected"), TEAM_ONLY, ids=[p for p, _ in TEAM_ONLY])
def test_agents_see_only_their_teams_tickets_when_configured(request, settings, tickets, persona, expected):
    settings.TESSERA_AGENTS_SEE_ONLY_TEAM_TICKETS = True
    user = _persona(request, persona)
    assert _names(Ticket.objects.visible_to(user), tickets) == expected
    for name, ticket in tickets.items():
        if name in expected:
            assert ticket_policy.get_visible_or_404(user, number=ticket.number) == ticket
        else:
            with pytest.raises(Http404):
                ticket_policy.get_visible_or_404(user, number=ticket.number)


def test_visibility_narrows_a_given_queryset(tickets, manager):
    in_process = Ticket.objects.filter(status=Status.IN_PROCESS)
    assert not in_process.visible_to(manager).exists()
    assert _names(Ticket.objects.filter(status=Status.OPEN).visible_to(manager), tickets) == ORG_A
    with pytest.raises(Http404):
        ticket_policy.get_visible_or_404(manager, number=tickets["own"].number, queryset=in_process)
    assert ticket_policy.get_visible_or_404(manager, number=tickets["own"].number, queryset=Ticket.objects.open())


def test_a_user_demoted_to_restricted_no_longer_sees_tickets_they_created(customer, category):
    ticket = ticket_create(author=customer, title="Printer", category=category)
    Membership.objects.filter(user=customer).update(role=Role.RESTRICTED)
    demoted = User.objects.get(pk=customer.pk)
    assert not Ticket.objects.visible_to(demoted).exists()
    with pytest.raises(Http404):
        ticket_policy.get_visible_or_404(demoted, number=ticket.number)
    assert not ticket_policy.can_create(demoted)


def test_a_manager_demoted_to_basic_sees_only_own_tickets(tickets, manager):
    Membership.objects.filter(user=manager).update(role=Role.BASIC)
    assert _names(Ticket.objects.visible_to(User.objects.get(pk=manager.pk)), tickets) == {"no_team"}


def test_a_user_moving_to_another_organization_leaves_the_old_tickets_behind(tickets, customer, other_organization):
    Membership.objects.filter(user=customer).update(organization=other_organization, role=Role.MANAGER)
    assert _names(Ticket.objects.visible_to(User.objects.get(pk=customer.pk)), tickets) == ORG_B


CAN_CREATE = [
    ("anonymous", False),
    ("inactive_user", False),
    ("unlinked_user", False),
    ("restricted_user", False),
    ("inactive_member", False),
    ("customer", True),
    ("manager", True),
    ("org_admin", True),
    ("outsider", True),
    # Staff open tickets from the desk for an organization they choose; the portal's question is not theirs.
    ("agent", False),
    ("vendor_admin", False),
]


@pytest.mark.parametrize(("persona", "expected"), CAN_CREATE, ids=[p for p, _ in CAN_CREATE])
def test_can_create(request, db, persona, expected):
    assert ticket_policy.can_create(_persona(request, persona)) is expected


def test_a_ticket_found_for_one_user_is_not_thereby_visible_to_another(tickets, customer, outsider,
                                                                      django_assert_num_queries):
    ticket = ticket_policy.get_visible_or_404(customer, number=tickets["own"].number)
    with django_assert_num_queries(0):  # the lookup has just checked it for this user
        assert ticket_policy.can_view(customer, ticket)
    assert not ticket_policy.can_view(outsider, ticket)
    assert not ticket_policy.can_comment(outsider, ticket)
