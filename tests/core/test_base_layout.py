"""The frame of every page (templates/base.html): navigation, user menu, footer."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from tests.html import parse

pytestmark = pytest.mark.django_db

ADMIN = reverse("admin:index")
ACCOUNT = reverse("accounts:account")


def links(response, container_class: str) -> list[str]:
    return [a.get("href") for a in parse(response).find(class_=container_class).find_all("a")]


def test_a_plain_agent_sees_no_administration_link(client, agent):
    """Defect: the desk showed plain agents an Administration link to an admin that offers them nothing."""
    client.force_login(agent)
    assert ADMIN not in links(client.get(reverse("desk:home")), "mainnav")
    assert "You don’t have permission to view or edit anything." in client.get(ADMIN).content.decode()


def test_a_superuser_sees_the_administration_link(client, vendor_admin):
    client.force_login(vendor_admin)
    assert ADMIN in links(client.get(reverse("desk:home")), "mainnav")


def test_an_agent_given_an_admin_permission_through_a_group_sees_the_link(client, agent):
    group = Group.objects.create(name="Master data")
    group.permissions.add(Permission.objects.get(codename="view_organization"))
    agent.groups.add(group)
    client.force_login(agent)
    assert ADMIN in links(client.get(reverse("desk:home")), "mainnav")


@pytest.mark.parametrize("persona", ["customer", "restricted_user", "org_admin", "agent", "vendor_admin"])
def test_account_is_in_the_main_navigation_and_in_the_user_menu(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("accounts:account"))
    assert ACCOUNT in links(response, "mainnav")
    assert ACCOUNT in links(response, "usermenu-panel")


def test_the_organization_admin_finds_the_users_of_the_organization_in_the_user_menu(client, org_admin, customer):
    users = reverse("portal:organization_users")
    client.force_login(org_admin)
    assert users in links(client.get(ACCOUNT), "usermenu-panel")
    client.force_login(customer)
    assert users not in links(client.get(ACCOUNT), "usermenu-panel")


def test_the_footer_links_the_legal_pages(client):
    footer = parse(client.get(reverse("accounts:login"))).find(testid="site-footer")
    hrefs = [a.get("href") for a in footer.find_all("a")]
    assert reverse("accounts:terms") in hrefs and reverse("accounts:privacy") in hrefs
