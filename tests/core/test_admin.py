"""The vendor admin: master data pages open for the vendor administrator and for nobody else."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import TicketFactory

MODELS = [model for model in admin.site._registry if model._meta.app_label in
          {"accounts", "organizations", "tickets"}]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_vendor_admin_opens_every_list_and_add_page(client, vendor_admin, customer, category, model):
    TicketFactory(created_by=customer, category=category)
    client.force_login(vendor_admin)
    opts = model._meta
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code == 200
    add = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert add.status_code in (200, 403)  # tickets are read-only in the admin


def test_master_data_is_registered():
    labels = {model._meta.label for model in MODELS}
    assert {"accounts.User", "organizations.Organization", "organizations.Membership", "tickets.ServiceTeam",
            "tickets.Category"} <= labels


def test_customers_and_org_admins_cannot_enter_the_admin(client, customer, org_admin):
    for user in (customer, org_admin):
        client.force_login(user)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
