"""A browser too old for the features the pages use is told so, politely; a current one sees nothing."""

import pytest

from .conftest import close_quietly, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# What a browser without :has() and container queries answers (Firefox before 121, Safari before 16).
OLD_BROWSER = "window.CSS.supports = function () { return false; };"


def test_a_current_browser_sees_no_notice(page, dental_support):
    log_in(page, "anna@rossi.test", "/")
    page.wait_for_load_state("load")
    assert page.get_by_test_id("browser-outdated").is_hidden()


def test_a_browser_too_old_is_told_on_every_page(browser, live_server, dental_support):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.add_init_script(OLD_BROWSER)
    try:
        page = context.new_page()
        page.goto("/accounts/login/")
        notice = page.get_by_test_id("browser-outdated")
        notice.wait_for()
        assert notice.inner_text().startswith("Your browser is older than the ones Tessera supports")
        assert notice.get_attribute("role") == "status"
        page.locator("details.langmenu summary").click()
        page.locator("#language-select-anon").select_option("it")
        page.locator("details.langmenu form button[type=submit]").click()
        page.wait_for_function("document.documentElement.lang === 'it'")
        notice.wait_for()  # on every page, in the chosen language (its text comes from the catalog, gettext)
    finally:
        close_quietly(context)
