"""axe-core on every portal page: no serious or critical accessibility violation, at desktop and phone width.

Each page is also kept as a screenshot under test-results/ for review.
"""

import pytest
from django.core.management import call_command

from tessera.tickets.models import Ticket
from tessera.tickets.workflow import Status

from .axe import blocking_violations
from .conftest import SCREENSHOTS, close_quietly

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "tessera-demo-1"


def login(page, email):
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


def customer_pages():
    ticket = Ticket.objects.filter(organization__customer_code="100234", status=Status.SOLUTION_PROVIDED).first()
    closed = Ticket.objects.filter(organization__customer_code="100234", status=Status.COMPLETED).first()
    return {
        "home": "/",
        "report-a-problem": "/tickets/new/",
        "my-tickets": "/tickets/",
        "my-tickets-search": "/tickets/?q=printer&sort=-priority",
        "ticket-solution-provided": f"/tickets/{ticket.number}/",
        "ticket-closed": f"/tickets/{closed.number}/",
        "close-confirmation": f"/tickets/{ticket.number}/close/",
        "account": "/accounts/",
    }


@pytest.mark.parametrize("width", [1280, 360])
def test_customer_pages_have_no_serious_violations(browser, live_server, width):
    call_command("seed_demo", verbosity=0)
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    page = context.new_page()
    SCREENSHOTS.mkdir(exist_ok=True)
    found = {}
    for name, url in {"login": "/accounts/login/", "register": "/accounts/register/"}.items():
        page.goto(url)
        page.screenshot(path=str(SCREENSHOTS / f"a11y-{width}-{name}.png"), full_page=True)
        found[name] = blocking_violations(page)
    login(page, "manager@praxis-rossi.example")
    for name, url in customer_pages().items():
        response = page.goto(url)
        assert response.status == 200, (name, response.status)
        page.screenshot(path=str(SCREENSHOTS / f"a11y-{width}-{name}.png"), full_page=True)
        found[name] = blocking_violations(page)
    login_admin = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    admin_page = login_admin.new_page()
    login(admin_page, "admin@praxis-rossi.example")
    admin_page.goto("/organization/users/")
    admin_page.screenshot(path=str(SCREENSHOTS / f"a11y-{width}-organization-users.png"), full_page=True)
    found["organization-users"] = blocking_violations(admin_page)
    login_admin.close()
    close_quietly(context)
    assert {name: v for name, v in found.items() if v} == {}
