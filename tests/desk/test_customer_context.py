"""The customer beside the ticket in the desk: other tickets, contacts, customer code and the agents' notes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tessera.organizations.models import OrganizationNote, Role
from tessera.sla.models import Calendar, OrganizationPolicy, Policy
from tessera.tickets import services
from tessera.tickets.workflow import Status
from tests.factories import (
    CategoryFactory,
    MembershipFactory,
    ServiceTeamFactory,
    TicketFactory,
    UserFactory,
)
from tests.html import parse


@pytest.fixture
def ticket(customer, category):
    return services.ticket_create(author=customer, title="Printer offline", category=category)


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def panel(response):
    return parse(response.content.decode()).find_one(testid="customer-context")


def texts(section, testid):
    found = section.find_all(testid=testid)
    return [item.text for item in found[0].find_all("li")] if found else []


def test_the_requesters_other_tickets_come_open_first_then_the_organizations(
    agent_client, ticket, customer, colleague, outsider, category
):
    closed = TicketFactory(created_by=customer, organization=customer.membership.organization, category=category,
                           title="Old invoice question", status=Status.COMPLETED)
    open_one = TicketFactory(created_by=customer, organization=customer.membership.organization, category=category,
                             title="Backup warning", status=Status.IN_PROCESS)
    TicketFactory(created_by=colleague, organization=colleague.membership.organization, category=category,
                  title="Colleague's scanner")
    TicketFactory(created_by=outsider, organization=outsider.membership.organization, category=category,
                  title="WEBER-SECRET")
    section = panel(agent_client.get(reverse("desk:ticket", args=[ticket.number])))
    mine = texts(section, "requester-tickets")
    assert [line.split()[0] for line in mine] == [open_one.number, closed.number]
    assert "Backup warning" in mine[0] and "Completed" in mine[1]
    assert texts(section, "organization-tickets")[0].endswith("Colleague's scanner Open")
    assert "Printer offline" not in section.text  # the ticket itself is not "another" ticket
    assert "WEBER-SECRET" not in section.text
    assert "Customer code 100001" in section.text
    contacts = texts(section, "contacts")
    assert any("customer@rossi.test" in line and "Basic user" in line for line in contacts)
    assert any("colleague@rossi.test" in line for line in contacts)
    assert not any("weber" in line for line in contacts)


def test_lists_are_cut_and_say_how_many_more(agent_client, ticket, customer, category):
    for i in range(8):
        TicketFactory(created_by=customer, organization=customer.membership.organization, category=category,
                      title=f"Earlier {i}")
    section = panel(agent_client.get(reverse("desk:ticket", args=[ticket.number])))
    assert len(texts(section, "requester-tickets")) == 5
    assert "and 3 more" in section.text
    assert section.find(class_="badge-count").text == "8"


def test_the_panel_names_the_organizations_sla_tier(agent_client, ticket, customer, outsider):
    def tier():
        return panel(agent_client.get(reverse("desk:ticket", args=[ticket.number]))).find_one(testid="sla-tier").text

    assert tier() == "No SLA policy applies."
    calendar = Calendar.objects.create(name="Office")
    Policy.objects.create(name="Standard", calendar=calendar, is_default=True)
    premium = Policy.objects.create(name="Premium 4h", calendar=calendar)
    gold = Policy.objects.create(name="Gold", calendar=calendar)
    OrganizationPolicy.objects.create(organization=outsider.membership.organization, policy=gold)
    assert tier() == "SLA tier: Standard (the default)"
    OrganizationPolicy.objects.create(organization=customer.membership.organization, policy=premium)
    assert tier() == "SLA tier: Premium 4h"


def test_an_agent_limited_to_team_tickets_sees_no_others_in_the_panel(agent_client, settings, ticket, customer):
    settings.TESSERA_AGENTS_SEE_ONLY_TEAM_TICKETS = True
    TicketFactory(created_by=customer, organization=customer.membership.organization, title="OTHER-TEAM-TICKET",
                  category=CategoryFactory(service_team=ServiceTeamFactory()))
    section = panel(agent_client.get(reverse("desk:ticket", args=[ticket.number])))
    assert "OTHER-TEAM-TICKET" not in section.text


def test_the_panel_costs_the_same_queries_whatever_the_customer_has(agent_client, ticket, customer, category):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert agent_client.get(reverse("desk:ticket", args=[ticket.number])).status_code == 200
        return len(captured)

    before = queries()
    organization = customer.membership.organization
    for i in range(30):
        TicketFactory(created_by=customer, organization=organization, category=category, title=f"T{i}")
        MembershipFactory(organization=organization, role=Role.BASIC, user=UserFactory(email=f"c{i}@rossi.test"))
        OrganizationNote.objects.create(organization=organization, body=f"note {i}")
    assert queries() == before


def test_a_note_written_beside_a_ticket_shows_there_and_on_the_organization(agent_client, agent, ticket):
    here = reverse("desk:ticket", args=[ticket.number])
    organization = ticket.organization
    response = agent_client.post(reverse("desk:organization_note_add", args=[organization.pk]),
                                 {"body": "Calls only before 10:00.", "next": here}, follow=True)
    assert response.redirect_chain[-1][0] == here
    assert "Your note about Praxis Rossi was saved." in response.content.decode()
    assert "Calls only before 10:00." in panel(response).text
    note = OrganizationNote.objects.get()
    assert (note.organization, note.author, note.body) == (organization, agent, "Calls only before 10:00.")
    page = agent_client.get(reverse("desk:organization_detail", args=[organization.pk])).content.decode()
    assert "Calls only before 10:00." in parse(page).find_one(testid="org-notes").text


def test_an_empty_note_is_named_and_a_foreign_next_is_not_followed(agent_client, ticket):
    target = reverse("desk:organization_note_add", args=[ticket.organization.pk])
    response = agent_client.post(target, {"body": "   ", "next": "/desk/"})
    assert response.status_code == 400
    summary = parse(response.content.decode()).find_one(testid="error-summary")
    assert "Note for agents: Write the note first." in summary.text
    assert not OrganizationNote.objects.exists()
    response = agent_client.post(target, {"body": "Fine", "next": "https://evil.test/"})
    assert response["Location"] == reverse("desk:organization_detail", args=[ticket.organization.pk])


def test_customers_can_neither_write_nor_read_notes(client, customer, ticket):
    OrganizationNote.objects.create(organization=ticket.organization, body="AGENTS-ONLY")
    client.force_login(customer)
    response = client.post(reverse("desk:organization_note_add", args=[ticket.organization.pk]), {"body": "x"})
    assert response.status_code == 404
    assert OrganizationNote.objects.count() == 1
    assert "AGENTS-ONLY" not in client.get(reverse("portal:ticket_detail", args=[ticket.number])).content.decode()
