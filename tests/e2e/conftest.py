"""Browser tests: Debian's Chromium driven by Playwright; a failing test leaves a screenshot.

They never skip: without /usr/bin/chromium they fail, and CI installs it.
"""

import contextlib
import os
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from tessera.organizations.models import Role
from tests.factories import (
    PASSWORD,
    AgentFactory,
    CategoryFactory,
    MembershipFactory,
    OrganizationFactory,
    ServiceTeamFactory,
    UserFactory,
)

CHROMIUM = os.environ.get("TESSERA_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"

# Playwright's sync API runs an event loop in the test's thread; the ORM calls
# made by fixtures in that same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; install Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def close_quietly(context) -> None:
    """Close a browser context without a last request reaching the live server after the test.

    The workspace says goodbye when its page closes (desk_presence.js sends a beacon); arriving while the
    next test empties the database, that request would hold SQLite's lock and fail the flush.
    """
    try:
        for open_page in context.pages:  # what is under way ends first (a heartbeat the server still answers)
            with contextlib.suppress(Exception):  # a page that never settles is closed all the same
                open_page.wait_for_load_state("networkidle", timeout=5_000)
        context.route("**/presence/", lambda route: route.abort())
        for open_page in context.pages:
            open_page.goto("about:blank")
    finally:
        context.close()
        _requests_settled()


def _requests_settled(timeout: float = 5.0) -> None:
    """Wait until the live server answers no request: one still under way (a refresh, a heartbeat, a beacon
    sent as the page closed) would hold SQLite's lock while the next test empties the database.

    The live server answers each request in a thread of its own (socketserver's ThreadingMixIn), named after
    ``process_request_thread``.
    """
    time.sleep(0.05)  # a request the browser sent as it closed reaches the server
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any("process_request_thread" in thread.name for thread in threading.enumerate()):
            return
        time.sleep(0.02)


@pytest.fixture
def page(browser, request, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    close_quietly(context)


def log_in(page, email, next_url):
    """Through the real login form, as ``email``; then wait for ``next_url``."""
    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("E-mail or user name").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{next_url}")


@pytest.fixture
def dental_support():
    """A practice's customer (anna@rossi.test) and the vendor's team (marco@vendor.test) for its "Imaging" tickets."""
    organization = OrganizationFactory(name="Praxis Rossi", customer_code="100001")
    customer = MembershipFactory(
        organization=organization, role=Role.BASIC,
        user=UserFactory(email="anna@rossi.test", first_name="Anna", last_name="Rossi"),
    ).user
    team = ServiceTeamFactory(name="Dental support")
    agent = AgentFactory(email="marco@vendor.test", first_name="Marco", last_name="Verdi")
    team.members.add(agent)
    imaging = CategoryFactory(name="Imaging", service_team=team)
    return SimpleNamespace(customer=customer, agent=agent, team=team, imaging=imaging)
