"""The smoke journey in each engine (Chromium, Firefox ESR, WebKit): a customer's day and an agent's.

Screenshots of every step land in test-results/<engine>/. Selectors are CSS, since the customer works in Italian.
"""

import json
from types import SimpleNamespace

import pytest

from tessera.organizations.models import Role
from tessera.tickets.models import CategoryField, Comment, Ticket
from tessera.tickets.workflow import Status
from tests.factories import (
    PASSWORD,
    AgentFactory,
    CategoryFactory,
    MembershipFactory,
    OrganizationFactory,
    ServiceTeamFactory,
    TicketFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def practice():
    organization = OrganizationFactory(name="Praxis Rossi", customer_code="100001")
    customer = MembershipFactory(
        organization=organization, role=Role.BASIC,
        user=UserFactory(email="anna@rossi.test", first_name="Anna", last_name="Rossi", language="en"),
    ).user
    team = ServiceTeamFactory(name="Dental support")
    agent = AgentFactory(email="marco@vendor.test", first_name="Marco", last_name="Verdi")
    team.members.add(agent)
    dental = CategoryFactory(name="Dental", service_team=team)
    imaging = CategoryFactory(name="Imaging", parent=dental, service_team=None)
    CategoryField.objects.create(category=imaging, key="device", label="Device model", kind="text", required=True)
    return SimpleNamespace(customer=customer, agent=agent, team=team, dental=dental, imaging=imaging)


def log_in(engine, email):
    engine.goto("/accounts/login/")
    engine.fill("main input[name=username]", email)
    engine.fill("main input[name=password]", PASSWORD)
    engine.screenshot("01-login")
    engine.click("main form button[type=submit]")
    engine.wait("document.querySelector('details.usermenu') !== null", "the signed-in layout")


def log_out(engine, shot):
    engine.click("details.usermenu > summary")
    engine.click("form.usermenu-logout button[type=submit]")
    engine.wait("document.querySelector('main input[name=password]') !== null", "the login form after logging out")
    engine.screenshot(shot)
    assert engine.js("document.querySelector('details.usermenu') === null")


def assert_no_outdated_notice(engine):
    """A current engine passes the feature check: the notice for too old browsers stays hidden."""
    assert engine.js("document.querySelector('[data-testid=browser-outdated]').hidden") is True


def test_customer_reports_follows_comments_and_closes_a_ticket(engine, practice, tmp_path):
    log_in(engine, "anna@rossi.test")
    assert engine.js("document.documentElement.lang") == "en"
    assert_no_outdated_notice(engine)

    # The language from the user menu: the page comes back in Italian, and the choice is kept.
    engine.click("details.usermenu > summary")
    engine.select("#language-select-menu", "it")
    engine.click("details.usermenu form.language-form button[type=submit]")
    engine.wait("document.documentElement.lang === 'it'", "the page in Italian")
    assert "Segnala un problema" in engine.text("main")
    engine.screenshot("02-home-italian")
    practice.customer.refresh_from_db()
    assert practice.customer.language == "it"

    # Report a problem: two levels of categories (htmx), the category's extra field, an attachment.
    engine.click("nav.mainnav a[href='/tickets/new/']")
    engine.wait("document.querySelector('select[name=category_1]') !== null", "the report form")
    engine.fill("input[name=title]", "Sensore radiografico non trovato")
    engine.select("select[name=category_1]", str(practice.dental.pk))
    engine.wait("document.querySelector('select[name=category_2]') !== null", "the second category level")
    engine.select("select[name=category_2]", str(practice.imaging.pk))
    engine.wait("document.querySelector('input[name=cf_device]') !== null", "the category's extra field")
    engine.fill("input[name=cf_device]", "Sensor XS-2")
    engine.fill("textarea[name=description]", "Dopo l'aggiornamento il sensore non viene rilevato.")
    attachment = tmp_path / "schermata.png"
    attachment.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    engine.upload("input[name=attachments]", attachment)
    assert engine.js("document.querySelector('input[name=title]').value") == "Sensore radiografico non trovato"
    engine.screenshot("03-report-a-problem")
    engine.click("form.ticket-form .actions button[type=submit]")
    engine.wait(
        "/^\\/tickets\\/[0-9]+\\/$/.test(location.pathname) && document.querySelector('ul.messages') !== null",
        "the new ticket's page",
    )
    ticket = Ticket.objects.get(title="Sensore radiografico non trovato")
    assert engine.js("location.pathname") == f"/tickets/{ticket.number}/"
    engine.wait_text("ul.messages", "Dental support")
    assert ticket.category_id == practice.imaging.pk
    assert ticket.field_values == {"device": "Sensor XS-2"}
    assert list(ticket.attachments.values_list("original_name", flat=True)) == ["schermata.png"]
    assert "schermata.png" in engine.text("main")
    engine.screenshot("04-ticket-created")

    # My tickets: a click in the row opens the side pane beside the list; from there the ticket.
    engine.click("nav.mainnav a[href='/tickets/']")
    row = f"tr[data-testid='row-{ticket.number}']"
    engine.wait(f"document.querySelector({json.dumps(row)}) !== null", "the ticket in My tickets")
    engine.click(f"{row} > td:nth-of-type(2)")
    engine.wait_text("[data-testid=ticket-pane]", ticket.number)
    assert engine.js("location.pathname") == "/tickets/"  # still the list, the pane beside it
    assert engine.js(f"document.querySelector({json.dumps(row)}).getAttribute('aria-current')") == "true"
    engine.screenshot("05-my-tickets-pane")
    engine.click("[data-testid=ticket-pane] .ticket-summary-actions a")
    engine.wait(f"location.pathname === '/tickets/{ticket.number}/'", "the ticket's page from the pane")

    # A comment.
    engine.fill("form[action$='/comment/'] textarea[name=body]", "La versione è 5.2, build 17.")
    engine.click("form[action$='/comment/'] button[type=submit]")
    engine.wait_text("main", "La versione è 5.2, build 17.")
    assert Comment.objects.filter(ticket=ticket, body="La versione è 5.2, build 17.").exists()
    engine.screenshot("06-comment-added")

    # Close it.
    engine.click(f"main a[href='/tickets/{ticket.number}/close/']")
    engine.wait(f"location.pathname === '/tickets/{ticket.number}/close/'", "the close confirmation")
    engine.screenshot("07-close-confirmation")
    engine.click("main form button[type=submit]")
    engine.wait(
        f"location.pathname === '/tickets/{ticket.number}/'"
        " && document.querySelector(\"form[action$='/comment/']\") === null",
        "the page of the closed ticket",
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.CANCELED
    engine.screenshot("08-ticket-closed")

    log_out(engine, "09-logged-out")


def test_agent_opens_a_queue_and_replies(engine, practice):
    ticket = TicketFactory(
        created_by=practice.customer, category=practice.dental, service_team=practice.team,
        status=Status.OPEN, title="Scanner not found",
    )
    log_in(engine, "marco@vendor.test")
    assert_no_outdated_notice(engine)
    engine.click("nav.mainnav a[href='/desk/queues/']")
    engine.wait("location.pathname === '/desk/queues/mine/'", "the default queue")
    engine.click("a[data-testid=queue-team-unassigned]")
    row = f"tr[data-testid='row-{ticket.number}']"
    engine.wait(f"document.querySelector({json.dumps(row)}) !== null", "the ticket in the team's queue")
    engine.screenshot("10-desk-queue")
    engine.click(f"{row} a.ticket-title")
    engine.wait(f"location.pathname === '/desk/tickets/{ticket.number}/'", "the ticket's workspace")
    engine.fill("form.reply-form textarea[name=body]", "Dear Anna, please restart the scanner service.")
    engine.screenshot("11-desk-reply")
    engine.click("form.reply-form button[name=send][value=public]")
    engine.wait("document.querySelector('ul.messages') !== null", "the confirmation")
    engine.wait_text("[data-testid=timeline]", "please restart the scanner service")
    assert Comment.objects.filter(ticket=ticket, body="Dear Anna, please restart the scanner service.").exists()
    engine.screenshot("12-desk-replied")
    log_out(engine, "13-desk-logged-out")
