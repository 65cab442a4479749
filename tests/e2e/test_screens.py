"""Proof in pictures: every main page of the portal, the desk and the account, at phone, laptop and wide widths.

For each page and width, as the persona who uses it:
- a full-page screenshot, test-results/screens/<page>-<width>.png, for review;
- no horizontal scrolling at the width people work at (1280 px for the portal, 1366 px for the desk);
- axe-core finds no serious or critical accessibility violation.

The demo data is seeded once for the module, and each persona logs in once (one browser context each); a test
only resizes the window, opens its page and looks.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.urls import reverse

from tessera.organizations.models import Organization
from tessera.tickets.models import Ticket
from tessera.tickets.workflow import Status

from .axe import blocking_violations
from .conftest import SCREENSHOTS, close_quietly

# Each test runs in a transaction rolled back at its end, on the connection the live server shares (SQLite in
# memory) or beside it: what the pages write (sessions, the audit log) goes; the module's demo data stays.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

DEMO_PASSWORD = "tessera-demo-1"
HEIGHT = 900
PORTAL_WIDTHS = (360, 1280, 1920)
DESK_WIDTHS = (360, 1280, 1366, 1920)
NO_OVERFLOW_AT = {"portal": 1280, "desk": 1366}
SCREENS = SCREENSHOTS / "screens"

#: Who looks at each page (a demo login; None is a visitor who has not logged in).
PERSONAS = {
    "visitor": None,
    "customer": "manager@praxis-rossi.example",  # a manager: sees every ticket of the practice
    "org-admin": "admin@praxis-rossi.example",
    "applicant": "new@praxis-rossi.example",  # registered, waiting for the practice to approve the link
    "vendor-admin": "admin@tessera.example",  # the desk, the outbox and the audit log
}


@dataclass(frozen=True)
class Screen:
    name: str
    persona: str
    area: str  # "portal" or "desk": which widths, and where scrolling sideways is checked
    url: Callable[[dict], str]
    status: int = 200


SCREENS_LIST = (
    Screen("login", "visitor", "portal", lambda d: reverse("accounts:login")),
    Screen("register", "visitor", "portal", lambda d: reverse("accounts:register")),
    Screen("password-reset", "visitor", "portal", lambda d: reverse("accounts:password_reset")),
    Screen("home", "customer", "portal", lambda d: reverse("portal:home")),
    Screen("my-tickets", "customer", "portal", lambda d: reverse("portal:ticket_list")),
    Screen("ticket", "customer", "portal", lambda d: reverse("portal:ticket_detail", args=[d["customer_ticket"]])),
    Screen(
        "close-ticket", "customer", "portal", lambda d: reverse("portal:ticket_close", args=[d["customer_ticket"]])
    ),
    Screen("report-a-problem", "customer", "portal", lambda d: reverse("portal:ticket_create")),
    Screen("account", "customer", "portal", lambda d: reverse("accounts:account")),
    Screen("organization-users", "org-admin", "portal", lambda d: reverse("portal:organization_users")),
    Screen("link-request", "applicant", "portal", lambda d: reverse("portal:link")),
    Screen("not-found", "customer", "portal", lambda d: "/no-such-page/", status=404),
    Screen("desk-home", "vendor-admin", "desk", lambda d: reverse("desk:home")),
    Screen("desk-queue", "vendor-admin", "desk", lambda d: reverse("desk:queue", kwargs={"queue": "open"})),
    Screen("desk-ticket", "vendor-admin", "desk", lambda d: reverse("desk:ticket", args=[d["desk_ticket"]])),
    Screen("desk-approvals", "vendor-admin", "desk", lambda d: reverse("desk:approvals")),
    Screen("desk-organizations", "vendor-admin", "desk", lambda d: reverse("desk:organizations")),
    Screen(
        "desk-organization",
        "vendor-admin",
        "desk",
        lambda d: reverse("desk:organization_detail", args=[d["organization"]]),
    ),
    Screen("desk-outbox", "vendor-admin", "desk", lambda d: reverse("desk:email_outbox")),
    Screen("desk-audit-log", "vendor-admin", "desk", lambda d: reverse("desk:audit_log")),
    Screen("desk-macros", "vendor-admin", "desk", lambda d: reverse("desk:macros")),
    Screen("desk-signature", "vendor-admin", "desk", lambda d: reverse("desk:signature")),
    Screen("desk-search", "vendor-admin", "desk", lambda d: reverse("desk:search") + "?q=printer"),
    Screen("desk-webhooks", "vendor-admin", "desk", lambda d: reverse("webhooks:list")),
    Screen("desk-webhook-new", "vendor-admin", "desk", lambda d: reverse("webhooks:create")),
)

CASES = [
    pytest.param(screen, width, id=f"{screen.name}-{width}")
    for screen in SCREENS_LIST
    for width in (DESK_WIDTHS if screen.area == "desk" else PORTAL_WIDTHS)
]


@pytest.fixture(scope="module")
def screens_server(django_db_setup, django_db_blocker):
    """A live server of the module's own.

    pytest-django's ``live_server`` empties the database after each test that uses it; these tests share the
    demo data of the module instead, so they must not ask for it.
    """
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        server = LiveServer("localhost")
    server._live_server_modified_settings.enable()
    yield server.url
    server._live_server_modified_settings.disable()
    server.stop()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo data, seeded once for this module and removed afterwards (as a transactional test would)."""
    with django_db_blocker.unblock():
        call_command("seed_demo", verbosity=0)
        practice = Organization.objects.get(customer_code="100234")
        tickets = Ticket.objects.filter(organization=practice).order_by("pk")
        # A ticket with a conversation and a decision to take: the page at its fullest.
        rich = tickets.filter(status=Status.SOLUTION_PROVIDED).first() or tickets.first()
        objects = {"customer_ticket": rich.number, "desk_ticket": rich.number, "organization": practice.pk}
    yield objects
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def persona_pages(browser, screens_server, demo, django_db_blocker):
    """One browser context per persona, logged in once for the module (before any test's transaction)."""
    contexts, pages = [], {}
    with django_db_blocker.unblock():  # the live server answers the logins from its own thread
        for persona, email in PERSONAS.items():
            context = browser.new_context(
                base_url=screens_server, locale="en-US", viewport={"width": 1280, "height": HEIGHT}
            )
            contexts.append(context)
            page = context.new_page()
            page.set_default_timeout(15_000)
            if email is not None:
                page.goto(reverse("accounts:login"))
                page.locator("#id_username").fill(email)
                page.locator("#id_password").fill(DEMO_PASSWORD)
                page.locator("main form button[type=submit]").first.click()
                page.wait_for_url(lambda url: "/accounts/login/" not in url)
            pages[persona] = page
    yield pages
    for context in contexts:
        close_quietly(context)


OVERFLOWING = """() => {
    const limit = document.documentElement.clientWidth;
    const wide = [];
    for (const element of document.querySelectorAll("body *")) {
        const box = element.getBoundingClientRect();
        if (box.right > limit + 1 && box.width > 0) {
            const id = element.id ? "#" + element.id : "";
            const classes = element.classList.length ? "." + [...element.classList].join(".") : "";
            wide.push(`${element.tagName.toLowerCase()}${id}${classes} (right edge ${Math.round(box.right)}px)`);
        }
    }
    return wide.slice(0, 5);
}"""


@pytest.mark.parametrize(("screen", "width"), CASES)
def test_screen(persona_pages, demo, screen: Screen, width: int):
    page = persona_pages[screen.persona]
    page.set_viewport_size({"width": width, "height": HEIGHT})
    response = page.goto(screen.url(demo))
    page.wait_for_load_state("networkidle")
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{screen.name}-{width}.png"), full_page=True)

    assert response is not None and response.status == screen.status, (screen.name, page.url)
    problems = {}
    if width == NO_OVERFLOW_AT[screen.area]:
        scroll_width, inner_width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if scroll_width > inner_width:
            problems["overflow"] = (
                f"the page is {scroll_width}px wide in a {inner_width}px window: {page.evaluate(OVERFLOWING)}"
            )
    violations = blocking_violations(page)
    if violations:
        problems["axe"] = violations
    assert problems == {}, f"{screen.name} at {width}px"
