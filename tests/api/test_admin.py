"""The vendor administrators' endpoints: organizations by customer code, contacts, memberships, master data."""

import pytest

from tessera.audit.models import AuditAction, AuditEntry
from tessera.organizations.models import Membership, Organization, Role
from tessera.tickets.models import Category, ServiceTeam

pytestmark = pytest.mark.django_db

NEW = {"customer_code": "300003", "name": "Studio Bianchi", "postal_code": "00184", "city": "Roma",
       "country": "it", "language": "it"}


def test_upsert_an_organization_by_customer_code(api, vendor_admin):
    client = api(vendor_admin)
    created = client.post("/api/v1/organizations/", NEW, format="json")
    assert created.status_code == 201
    assert created.json() | {"created_at": None} == {**NEW, "country": "IT", "is_active": True, "created_at": None}
    again = client.post("/api/v1/organizations/", {**NEW, "city": "Milano"}, format="json")
    assert again.status_code == 200 and again.json()["city"] == "Milano"
    put = client.put("/api/v1/organizations/300003/", {"name": "Studio Bianchi & Co"}, format="json")
    assert put.status_code == 200 and put.json()["postal_code"] == "00184"
    fresh = client.put("/api/v1/organizations/400004/", {"name": "Lab Verdi", "postal_code": "10121"},
                       format="json")
    assert fresh.status_code == 201
    assert Organization.objects.count() == 2
    assert client.get("/api/v1/organizations/300003/").json()["name"] == "Studio Bianchi & Co"
    rows = client.get("/api/v1/organizations/", {"q": "verdi"}).json()["results"]
    assert [row["customer_code"] for row in rows] == ["400004"]


def test_a_new_organization_needs_a_name_and_postal_code(api, vendor_admin):
    response = api(vendor_admin).put("/api/v1/organizations/500005/", {"city": "Bari"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"name", "postal_code"}
    assert not Organization.objects.exists()


@pytest.mark.parametrize("persona", ["agent", "org_admin", "customer"])
def test_only_vendor_admins(api, request, persona, organization):
    client = api(request.getfixturevalue(persona))
    assert client.get("/api/v1/organizations/").status_code == 403
    assert client.put(f"/api/v1/organizations/{organization.customer_code}/", {"name": "x"},
                      format="json").status_code == 403
    assert client.get("/api/v1/service-teams/").status_code == 403
    assert Organization.objects.get(pk=organization.pk).name == "Praxis Rossi"


def test_invite_a_contact_then_change_role_and_deactivate(api, vendor_admin, organization, org_admin, deliver,
                                                         mailoutbox):
    client = api(vendor_admin)
    with deliver():
        response = client.post("/api/v1/organizations/100001/contacts/",
                               {"email": "New.Contact@Rossi.test", "first_name": "Nina"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["email"], body["role"], body["is_active"]) == ("new.contact@rossi.test", Role.BASIC, False)
    assert [m.to for m in mailoutbox] == [["new.contact@rossi.test"]]
    assert AuditEntry.objects.filter(action=AuditAction.INVITATION, actor=vendor_admin).count() == 1
    duplicate = client.post("/api/v1/organizations/100001/contacts/", {"email": org_admin.email}, format="json")
    assert duplicate.json()["errors"] == {"email": ["A user with this e-mail address is already registered."]}

    contacts = client.get("/api/v1/organizations/100001/contacts/").json()
    assert sorted(c["email"] for c in contacts) == ["admin@rossi.test", "new.contact@rossi.test"]
    admin_membership = Membership.objects.get(user=org_admin)
    url = f"/api/v1/memberships/{admin_membership.pk}/"
    last_admin = client.patch(url, {"role": "basic"}, format="json")
    assert last_admin.status_code == 400 and last_admin.json()["detail"]
    assert client.patch(url, {"role": "owner"}, format="json").json()["errors"] == {
        "role": ['"owner" is not a valid choice.']}

    invited = Membership.objects.get(user__email="new.contact@rossi.test")
    Membership.objects.filter(pk=invited.pk).update(is_active=True)
    assert client.patch(f"/api/v1/memberships/{invited.pk}/", {"role": "manager"},
                        format="json").json()["role"] == "manager"
    assert client.post(f"/api/v1/memberships/{invited.pk}/deactivate/").json()["is_active"] is False
    assert client.post(f"/api/v1/memberships/{invited.pk}/deactivate/").status_code == 400
    assert client.post(f"/api/v1/memberships/{invited.pk}/reactivate/").json()["is_active"] is True
    assert client.get("/api/v1/memberships/999999/").status_code == 404


def test_service_teams_and_categories(api, vendor_admin):
    client = api(vendor_admin)
    team = client.post("/api/v1/service-teams/", {"name": "Billing", "email": "billing@vendor.test"}, format="json")
    assert team.status_code == 201
    assert [t["name"] for t in client.get("/api/v1/service-teams/").json()] == ["Billing"]
    assert client.post("/api/v1/service-teams/", {"name": "Billing"}, format="json").status_code == 400
    top = client.post("/api/v1/admin/categories/", {"name": "Invoices", "service_team": team.json()["id"]},
                      format="json")
    assert top.status_code == 201
    child = client.post("/api/v1/admin/categories/", {"name": "Reminders", "parent": top.json()["id"]},
                        format="json")
    assert child.status_code == 201
    assert Category.objects.get(name="Reminders").routing_team() == ServiceTeam.objects.get(name="Billing")
    twin = client.post("/api/v1/admin/categories/", {"name": "Invoices"}, format="json")
    assert twin.json()["errors"] == {"name": ["A category with this name exists here already."]}
    assert client.post("/api/v1/admin/categories/", {"name": "x", "parent": 999999},
                       format="json").json()["errors"] == {"parent": ["No category with this id."]}


def test_service_teams_and_categories_are_changed_in_place(api, vendor_admin, agent):
    client = api(vendor_admin)
    billing = client.post("/api/v1/service-teams/", {"name": "Billing"}, format="json").json()
    client.post("/api/v1/service-teams/", {"name": "Hardware"}, format="json")
    renamed = client.patch(f"/api/v1/service-teams/{billing['id']}/",
                           {"name": "Invoicing", "email": "invoices@vendor.test"}, format="json")
    assert renamed.status_code == 200
    assert renamed.json() == {"id": billing["id"], "name": "Invoicing", "email": "invoices@vendor.test",
                              "is_active": True}
    twin = client.patch(f"/api/v1/service-teams/{billing['id']}/", {"name": "Hardware"}, format="json")
    assert twin.status_code == 400 and "name" in twin.json()["errors"]
    assert client.patch(f"/api/v1/service-teams/{billing['id']}/", {"email": "not an address"},
                        format="json").json()["errors"] == {"email": ["Enter a valid email address."]}
    client.patch(f"/api/v1/service-teams/{billing['id']}/", {"is_active": False}, format="json")
    team = ServiceTeam.objects.get(pk=billing["id"])
    assert (team.name, team.email, team.is_active) == ("Invoicing", "invoices@vendor.test", False)
    assert client.get("/api/v1/service-teams/999999/").status_code == 404

    top = client.post("/api/v1/admin/categories/", {"name": "Invoices"}, format="json").json()
    other = client.post("/api/v1/admin/categories/", {"name": "Hardware"}, format="json").json()
    assert top["is_active"] is True
    changed = client.patch(f"/api/v1/admin/categories/{top['id']}/",
                           {"name": "Invoices and reminders", "service_team": billing["id"], "position": 3},
                           format="json")
    assert changed.status_code == 200
    assert changed.json() == {"id": top["id"], "name": "Invoices and reminders", "parent": None,
                              "service_team": billing["id"], "position": 3, "is_active": True}
    assert client.patch(f"/api/v1/admin/categories/{other['id']}/", {"name": "Invoices and reminders"},
                        format="json").json()["errors"] == {"name": ["A category with this name exists here already."]}
    assert client.patch(f"/api/v1/admin/categories/{top['id']}/", {"service_team": 999999},
                        format="json").json()["errors"] == {"service_team": ["No service team with this id."]}
    client.patch(f"/api/v1/admin/categories/{top['id']}/", {"is_active": False, "service_team": None}, format="json")
    category = Category.objects.get(pk=top["id"])
    assert (category.name, category.service_team_id, category.is_active) == ("Invoices and reminders", None, False)
    assert client.get(f"/api/v1/admin/categories/{top['id']}/").json()["is_active"] is False
    assert api(agent).patch(f"/api/v1/admin/categories/{top['id']}/", {"name": "x"}, format="json").status_code == 403
