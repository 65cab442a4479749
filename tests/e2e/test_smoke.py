import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_demo_customer_logs_in_and_sees_home(page):
    call_command("seed_demo", verbosity=0)
    page.goto("/")
    page.get_by_label("E-mail or user name").fill("user@praxis-rossi.example")
    page.get_by_label("Password").fill("tessera-demo-1")
    page.get_by_role("button", name="Log in").click()
    # The demo user of Praxis Rossi chose Italian: the home page speaks it at once.
    page.get_by_role("heading", name="Segnala un problema").wait_for()
    assert page.get_by_role("heading", name="I miei ticket").is_visible()
    assert "ticket apert" in page.get_by_test_id("open-count").inner_text()


def test_wrong_password_shows_message_and_keeps_login(page):
    call_command("seed_demo", verbosity=0)
    page.goto("/accounts/login/")
    page.get_by_label("E-mail or user name").fill("user@praxis-rossi.example")
    page.get_by_label("Password").fill("wrong-password-1")
    page.get_by_role("button", name="Log in").click()
    error = page.locator("#login-error").inner_text()
    assert error.startswith("The e-mail address, user name or password is not correct")
    assert page.get_by_label("E-mail or user name").input_value() == "user@praxis-rossi.example"
