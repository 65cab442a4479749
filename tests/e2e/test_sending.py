"""A form being sent says so and cannot be sent twice by a second click (forms.js)."""

import pytest

from tests.factories import PASSWORD, MembershipFactory, UserFactory

from .conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_button_is_disabled_while_the_form_is_sent_and_a_second_submit_is_stopped(page):
    """The request in flight is stood in for by a listener that keeps the browser from leaving the page.

    (A request held on the network freezes the page for Playwright: nothing could be read from it.)
    """
    MembershipFactory(user=UserFactory(email="anna@rossi.test"))
    page.goto("/accounts/login/")
    page.get_by_label("E-mail or user name").fill("anna@rossi.test")
    page.get_by_label("Password").fill(PASSWORD)
    # Added after forms.js's listener, so it sees what forms.js decided, then keeps the page here.
    page.evaluate("""() => {
        window.submitsSent = 0;
        document.addEventListener("submit", (event) => {
            if (!event.defaultPrevented) window.submitsSent += 1;
            event.preventDefault();
        });
    }""")
    button = page.get_by_role("button", name="Log in")
    button.click()
    page.wait_for_function("() => document.querySelector('form[data-sending] button[type=submit]:disabled')")
    assert button.is_disabled()
    assert page.locator("form[data-sending]").get_attribute("aria-busy") == "true"
    assert page.evaluate("window.submitsSent") == 1

    page.get_by_label("Password").press("Enter")  # the keyboard's second submit
    page.evaluate("document.querySelector('form[data-sending]').requestSubmit()")  # and a script's
    assert page.evaluate("window.submitsSent") == 1


def test_the_filter_forms_that_only_read_are_left_alone(page, dental_support):
    log_in(page, "anna@rossi.test", "/tickets/")
    page.get_by_role("searchbox").first.fill("270")
    page.get_by_role("searchbox").first.press("Enter")
    page.wait_for_url("**q=270**")
    assert page.locator("form[data-sending]").count() == 0


def test_a_form_met_again_through_the_back_button_can_be_sent_again(page):
    MembershipFactory(user=UserFactory(email="anna@rossi.test"))
    page.goto("/accounts/login/")
    page.get_by_label("E-mail or user name").fill("anna@rossi.test")
    page.get_by_label("Password").fill("wrong password 1")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("alert").first.wait_for()
    # The answer is a new page: its form is ready.
    assert page.get_by_role("button", name="Log in").is_enabled()
    assert page.locator("form[data-sending]").count() == 0
