"""Report a problem and work on the ticket, in Chromium, as a customer would."""

import pytest

from tessera.organizations.models import Role
from tessera.tickets.models import CategoryField, Ticket
from tessera.tickets.workflow import Status
from tests.factories import (
    PASSWORD,
    CategoryFactory,
    MembershipFactory,
    OrganizationFactory,
    ServiceTeamFactory,
    UserFactory,
)

from .conftest import SCREENSHOTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setup_data():
    organization = OrganizationFactory(name="Praxis Rossi")
    customer = MembershipFactory(organization=organization, role=Role.BASIC,
                                 user=UserFactory(email="anna@rossi.test", first_name="Anna")).user
    bruno = UserFactory(email="bruno@rossi.test", first_name="Bruno", last_name="Bianchi")
    colleague = MembershipFactory(organization=organization, role=Role.BASIC, user=bruno).user
    team = ServiceTeamFactory(name="Dental support")
    dental = CategoryFactory(name="Dental", service_team=team)
    imaging = CategoryFactory(name="Imaging", parent=dental, service_team=None)
    CategoryField.objects.create(category=imaging, key="device", label="Device model", kind="text", required=True)
    return {"customer": customer, "colleague": colleague, "imaging": imaging}


def shot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"portal-{name}.png"), full_page=True)


def choose(page, label, option):
    """Pick an option of a dependent select, then wait until htmx has swapped and wired the next level."""
    with page.expect_response(lambda r: "/tickets/new/categories/" in r.url):
        page.get_by_label(label).select_option(label=option)
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    page.wait_for_timeout(100)


def login(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("E-mail or user name").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Report a problem").wait_for()


def test_report_a_problem_with_category_fields_cc_and_attachment(page, setup_data, tmp_path):
    login(page, "anna@rossi.test")
    shot(page, "home")
    page.get_by_role("link", name="Open a ticket").click()
    page.get_by_label("Title").fill("X-ray sensor not found")
    # htmx brings level 2 without reloading the page; what was typed stays.
    choose(page, "Category 1", "Dental")
    choose(page, "Category 2", "Imaging")
    page.get_by_label("Device model").fill("Sensor XS-2")
    page.get_by_label("Bruno Bianchi").check()
    page.get_by_label("CC: other e-mail addresses").fill("it@rossi.test")
    page.get_by_label("Description").fill("Since the update the sensor is not detected.")
    screenshot = tmp_path / "error.png"
    screenshot.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    page.get_by_label("Attachments").set_input_files(str(screenshot))
    assert page.get_by_label("Title").input_value() == "X-ray sensor not found"
    shot(page, "report-a-problem")
    page.get_by_role("button", name="Submit").click()
    page.get_by_text("has been created and sent to Dental support").wait_for()
    shot(page, "ticket")
    ticket = Ticket.objects.get()
    assert ticket.title == "X-ray sensor not found"
    assert ticket.field_values == {"device": "Sensor XS-2"}
    assert set(ticket.cc_entries.values_list("email", flat=True)) == {"bruno@rossi.test", "it@rossi.test"}
    assert page.get_by_role("link", name="error.png").is_visible()
    assert ticket.number in page.get_by_role("heading", level=1).inner_text()


def test_comment_accept_and_close_in_the_browser(page, setup_data):
    from tests.factories import TicketFactory

    customer = setup_data["customer"]
    waiting = TicketFactory(created_by=customer, category=setup_data["imaging"], status=Status.CUSTOMER_ACTION,
                            title="Needs info")
    solved = TicketFactory(created_by=customer, category=setup_data["imaging"], status=Status.SOLUTION_PROVIDED,
                           title="Has solution")
    login(page, "anna@rossi.test")

    page.goto(f"/tickets/{waiting.number}/")
    page.get_by_label("Your comment").fill("The version is 5.2")
    page.get_by_role("button", name="Add comment").click()
    page.get_by_text("Your comment has been added.").wait_for()
    assert "Additional info" in page.locator(".ticket-facts").inner_text()

    page.goto(f"/tickets/{solved.number}/")
    page.get_by_role("button", name="Accept solution").click()
    page.get_by_text("The ticket is now completed.").wait_for()
    assert page.get_by_role("link", name="Open a follow-up ticket").is_visible()

    page.goto(f"/tickets/{waiting.number}/")
    page.get_by_role("link", name="Close ticket").click()
    shot(page, "close-confirmation")
    page.get_by_role("button", name="Yes, close the ticket").click()
    page.get_by_text("The ticket has been closed.").wait_for()
    waiting.refresh_from_db()
    assert waiting.status == Status.CANCELED
