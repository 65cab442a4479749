"""The issue's "done when": a new integrator's script, through the API only (docs/api.md, "An integrator's script").

Create an organization with its customer code, invite a contact, the contact accepts the invitation and gets a
token, opens a ticket with it, and closes it. Between opening and closing, the signed webhook arrives: that step
belongs to the webhooks work (issue 16, item 3) and plugs in at ``receive_webhook`` below.
"""

import pytest

from tessera.organizations.models import Role
from tessera.tickets.models import Source, Ticket
from tessera.tickets.workflow import Status
from tests.accounts.conftest import link_in

pytestmark = pytest.mark.django_db


def receive_webhook(ticket_number: str) -> None:
    """Hook for the webhooks step: subscribe a loopback receiver first, then assert here that it got the signed
    ``ticket.created`` event for ``ticket_number``. Nothing to check until webhooks exist."""


def test_the_integrators_script(api, vendor_admin, category, deliver, mailoutbox):
    service = api(vendor_admin)  # in real life a service token a vendor administrator made on the account page

    # 1. the organization, by its customer code (a second run of the script changes nothing)
    organization = {"name": "Studio Bianchi", "postal_code": "00184", "city": "Roma", "country": "IT"}
    assert service.put("/api/v1/organizations/300003/", organization, format="json").status_code == 201
    assert service.put("/api/v1/organizations/300003/", organization, format="json").status_code == 200

    # 2. a contact, invited: the activation e-mail leaves through the task queue
    with deliver():
        invited = service.post("/api/v1/organizations/300003/contacts/",
                               {"email": "anna@bianchi.test", "first_name": "Anna", "last_name": "Bianchi"},
                               format="json")
    assert invited.status_code == 201
    link = link_in(mailoutbox[-1], "/accounts/invitation/")

    # 3. the contact accepts (the token of the e-mail's link) and asks for a personal access token
    accepted = api().post("/api/v1/invitations/accept/", {
        "token": link.rstrip("/").rsplit("/", 1)[-1], "username": "anna", "password": "Sunflower-2026!",
        "security_question": "first_pet", "security_answer": "Fido", "token_name": "Practice software",
    }, format="json")
    assert accepted.status_code == 201, accepted.content
    raw = accepted.json()["access_token"]
    contacts = service.get("/api/v1/organizations/300003/contacts/").json()
    assert [(c["email"], c["role"], c["is_active"]) for c in contacts] == [("anna@bianchi.test", Role.BASIC, True)]
    assert api().post("/api/v1/invitations/accept/", {
        "token": link.rstrip("/").rsplit("/", 1)[-1], "username": "anna2", "password": "Sunflower-2026!",
        "security_question": "first_pet", "security_answer": "Fido"}, format="json").json()["errors"] == {
        "token": ["This invitation was used already, has expired or does not exist. Ask for a new one."]}

    # 4. the contact opens a ticket with the token
    contact = api()
    contact.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    categories = contact.get("/api/v1/categories/").json()
    opened = contact.post("/api/v1/tickets/", {"title": "Invoices print twice", "category": categories[0]["id"]},
                          format="json")
    assert opened.status_code == 201
    number = opened.json()["number"]
    assert Ticket.objects.get(number=number).source == Source.API

    receive_webhook(number)

    # 5. and closes it
    closed = contact.post(f"/api/v1/tickets/{number}/close/", {"message": "Found the setting."}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == Status.CANCELED
    assert [row["status"] for row in contact.get("/api/v1/tickets/").json()["results"]] == [Status.CANCELED]
