"""The issue's "done when": a new integrator's script, through the API only (docs/api.md, "An integrator's script").

Create an organization with its customer code, invite a contact, the contact accepts the invitation and gets a
token, opens a ticket with it, and closes it. Between opening and closing, the signed webhook arrives at the
integrator's receiver (a real HTTP server on loopback), subscribed beforehand by a vendor administrator on
the desk's Webhooks page, and is checked as docs/webhooks.md tells a receiver to check it.
"""

import pytest

from tessera.organizations.models import Role
from tessera.tickets.models import Source, Ticket
from tessera.tickets.workflow import Status
from tessera.webhooks import services as webhooks
from tests.accounts.conftest import link_in
from tests.webhooks.conftest import receiver  # noqa: F401 (a fixture)
from tests.webhooks.receiver import verify

pytestmark = pytest.mark.django_db


def test_the_integrators_script(api, vendor_admin, category, deliver, mailoutbox, receiver):  # noqa: F811
    service = api(vendor_admin)  # in real life a service token a vendor administrator made on the account page
    subscription = webhooks.subscription_create(
        url=f"{receiver.url}/tessera-events", event_types=["ticket.created"], created_by=vendor_admin,
    )

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
    with deliver():  # the webhook leaves through the task queue, as mail does
        opened = contact.post("/api/v1/tickets/", {"title": "Invoices print twice",
                                                   "category": categories[0]["id"]}, format="json")
    assert opened.status_code == 201
    number = opened.json()["number"]
    assert Ticket.objects.get(number=number).source == Source.API

    # the signed webhook has arrived at the integrator's receiver
    [event] = receiver.for_path("/tessera-events")
    verify(secret=subscription.secret, headers=event.headers, body=event.body)
    assert event.type == "ticket.created"
    assert event.json["data"]["ticket"]["number"] == number
    assert event.json["data"]["ticket"]["organization"]["customer_code"] == "300003"

    # 5. and closes it
    closed = contact.post(f"/api/v1/tickets/{number}/close/", {"message": "Found the setting."}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == Status.CANCELED
    assert [row["status"] for row in contact.get("/api/v1/tickets/").json()["results"]] == [Status.CANCELED]
