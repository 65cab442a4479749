"""The design system in a real browser: the main pages at phone, laptop and wide-screen widths.

Each page is kept as test-results/design-<who>-<page>-<width>.png for review; none scrolls sideways
and axe-core finds no serious or critical violation. The user menu's links are readable and lead
where they say.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.cache import cache
from django.core.management import call_command

from .conftest import SCREENSHOTS, close_quietly

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "tessera-demo-1"
WIDTHS = (360, 1280, 1920)
BLOCKING = {"serious", "critical"}

PAGES = {
    "customer": ("manager@praxis-rossi.example", {"home": "/", "account": "/accounts/"}),
    "agent": ("agent@tessera.example", {"desk": "/desk/", "account": "/accounts/"}),
}


@pytest.fixture
def demo():
    cache.clear()  # the branding row of an earlier test is gone with its transaction
    call_command("seed_demo", verbosity=0)
    yield
    cache.clear()


def log_in(page, email):
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


def horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def blocking_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("who", sorted(PAGES))
def test_pages_fit_every_width_and_pass_axe(browser, live_server, demo, who):
    email, pages = PAGES[who]
    SCREENSHOTS.mkdir(exist_ok=True)
    problems = {}
    for width in WIDTHS:
        context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
        page = context.new_page()
        if who == "customer":
            page.goto("/accounts/login/")
            page.screenshot(path=str(SCREENSHOTS / f"design-login-{width}.png"), full_page=True)
        log_in(page, email)
        for name, url in pages.items():
            assert page.goto(url).status == 200, (name, url)
            page.screenshot(path=str(SCREENSHOTS / f"design-{who}-{name}-{width}.png"), full_page=True)
            overflow = horizontal_overflow(page)
            found = blocking_violations(page)
            if overflow > 0 or found:
                problems[f"{name}@{width}"] = {"overflow_px": overflow, "axe": found}
        page.get_by_test_id("usermenu").click()
        page.screenshot(path=str(SCREENSHOTS / f"design-{who}-usermenu-{width}.png"))
        if horizontal_overflow(page) > 0:
            problems[f"usermenu@{width}"] = {"overflow_px": horizontal_overflow(page)}
        close_quietly(context)
    assert problems == {}


def _rgb(css: str) -> tuple[float, ...]:
    channels = css[css.index("(") + 1 : css.index(")")].split(",")
    return tuple(float(c) for c in channels[:3])


def _contrast(first: str, second: str) -> float:
    def luminance(rgb):
        def linear(c):
            c /= 255
            return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (linear(c) for c in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(_rgb(first)), luminance(_rgb(second))), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("width", [1280, 360])
def test_the_account_link_of_the_user_menu_is_readable_and_opens_the_account(browser, live_server, demo, width):
    """Defect: the Account link in the user menu was white on white, so nothing visible led to the Account page."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    page = context.new_page()
    log_in(page, "user@praxis-rossi.example")
    page.get_by_test_id("usermenu").click()
    link = page.get_by_test_id("usermenu-account")
    assert link.is_visible() and link.bounding_box()["width"] > 20
    label = link.inner_text().strip()
    colour = link.evaluate("el => getComputedStyle(el).color")
    panel = page.locator(".usermenu-panel").evaluate("el => getComputedStyle(el).backgroundColor")
    assert _contrast(colour, panel) >= 4.5, (colour, panel)
    link.click()
    page.wait_for_url("**/accounts/")
    assert page.get_by_role("heading", level=1).inner_text() == label  # "Account", in the user's language
    close_quietly(context)
