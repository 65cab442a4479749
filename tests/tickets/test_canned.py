"""Canned responses: placeholders filled in, everything else left exactly as written."""

import pytest
from django.urls import reverse

from tessera.tickets.canned import canned_responses_for, render_canned_response, render_text
from tessera.tickets.models import CannedResponse
from tests.factories import ServiceTeamFactory, TicketFactory, UserFactory

VALUES = {"customer_name": "Anna Rossi", "ticket_number": "0800000001", "ticket_title": "Export fails"}


def test_known_placeholders_are_filled_in():
    text = "Dear {customer_name}, ticket {ticket_number} ({ticket_title}) is solved. {ticket_number}"
    assert render_text(text, VALUES) == "Dear Anna Rossi, ticket 0800000001 (Export fails) is solved. 0800000001"


@pytest.mark.parametrize(
    "hostile",
    [
        "{ticket.__class__}",
        "{ticket.created_by.password}",
        "{customer_name.__class__.__mro__}",
        "{ticket_title!r}",
        "{ticket_title:>100000000}",
        "{ticket_number[0]}",
        "{0}",
        "{}",
        "{unknown}",
        "{{customer_name}",
        "{ unbalanced",
        "unbalanced }",
        "%(customer_name)s",
    ],
)
def test_anything_else_in_braces_stays_literal(hostile):
    rendered = render_text(f"Hello {hostile} there", VALUES)
    assert rendered.replace("Anna Rossi", "{customer_name}") == f"Hello {hostile} there"
    assert "class" not in rendered.replace(hostile, "") and len(rendered) < 200


def test_values_are_not_rendered_again():
    # A title that itself looks like a placeholder is text, not another substitution.
    values = {**VALUES, "ticket_title": "{customer_name} {ticket.__class__}"}
    assert render_text("{ticket_title}", values) == "{customer_name} {ticket.__class__}"


def test_render_for_a_ticket(db, customer, category):
    ticket = TicketFactory(created_by=customer, category=category, title="Printer {ticket.__class__}")
    canned = CannedResponse.objects.create(title="Hello", body="Hi {customer_name}: {ticket_number} {ticket_title}")
    assert render_canned_response(canned, ticket=ticket) == (
        f"Hi {customer.get_full_name()}: {ticket.number} Printer {{ticket.__class__}}"
    )


def test_customer_name_falls_back_to_the_address(db, category):
    from tessera.organizations.models import Role
    from tests.factories import MembershipFactory

    user = MembershipFactory(role=Role.BASIC, user=UserFactory(first_name="", last_name="", email="x@y.test")).user
    ticket = TicketFactory(created_by=user, category=category)
    canned = CannedResponse.objects.create(title="Hello", body="Hi {customer_name}")
    assert render_canned_response(canned, ticket=ticket) == "Hi x@y.test"


def test_offered_responses_are_the_team_ones_and_the_shared_ones(db, customer, category, service_team):
    mine = CannedResponse.objects.create(team=service_team, title="B mine", body="x", position=2)
    shared = CannedResponse.objects.create(title="A shared", body="x", position=1)
    CannedResponse.objects.create(team=ServiceTeamFactory(), title="theirs", body="x")
    CannedResponse.objects.create(team=service_team, title="off", body="x", is_active=False)
    ticket = TicketFactory(created_by=customer, category=category)
    assert list(canned_responses_for(ticket)) == [shared, mine]
    ticket.service_team = None
    assert list(canned_responses_for(ticket)) == [shared]


def test_administrators_manage_canned_responses(client, vendor_admin, service_team):
    client.force_login(vendor_admin)
    assert client.get(reverse("admin:tickets_cannedresponse_changelist")).status_code == 200
    add = client.get(reverse("admin:tickets_cannedresponse_add"))
    assert add.status_code == 200 and "{customer_name}" in add.content.decode()
    response = client.post(reverse("admin:tickets_cannedresponse_add"), {
        "title": "Restart", "team": service_team.pk, "body": "Dear {customer_name}", "position": 0, "is_active": "on",
    })
    assert response.status_code == 302
    assert CannedResponse.objects.get().team == service_team
