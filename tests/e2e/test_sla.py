"""The SLA in Chromium with a frozen clock: a ticket opened on a Friday afternoon before a weekend and a holiday.

The server's clock is frozen with time-machine (the live server runs in this process, so its threads read the same
clock): the ticket is opened through the service at Friday 8 January 2027, 15:00 in Rome; the policy gives medium
tickets four business hours for a first response; Saturday, Sunday and Monday the 11th (a holiday) do not count,
so the answer is due on Tuesday at 11:00. The pages are then read on Tuesday at 10:30: thirty minutes left, near.
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tessera.sla.models import Calendar, Holiday, Policy, Target
from tessera.tickets import services

from .axe import blocking_violations
from .conftest import SCREENSHOTS, close_quietly, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
ROME = ZoneInfo("Europe/Rome")


@pytest.fixture
def friday_ticket(dental_support):
    calendar = Calendar.objects.create(
        name="Rome office", time_zone="Europe/Rome", day_starts=time(9), day_ends=time(17)
    )
    Holiday.objects.create(calendar=calendar, date=date(2027, 1, 11), name="Company day")
    policy = Policy.objects.create(name="Standard", calendar=calendar, is_default=True)
    Target.objects.create(policy=policy, priority=3, first_response_minutes=240, resolution_minutes=960)
    with time_machine.travel(datetime(2027, 1, 8, 15, tzinfo=ROME), tick=False):
        return services.ticket_create(
            author=dental_support.customer, title="Panoramic X-ray does not start", category=dental_support.imaging,
        )


def test_due_time_and_colour_in_the_workspace_and_the_promise_in_the_portal(browser, live_server, friday_ticket):
    with time_machine.travel(datetime(2027, 1, 12, 10, 30, tzinfo=ROME), tick=True):
        context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Europe/Rome")
        page = context.new_page()
        page.set_default_timeout(10_000)
        try:
            log_in(page, "marco@vendor.test", f"/desk/tickets/{friday_ticket.number}/")
            first = page.get_by_test_id("sla-first_response")
            assert first.get_attribute("data-state") == "near"
            assert first.get_by_test_id("sla-due-at").inner_text() == "Tue 12 Jan 2027, 11:00"
            left = first.get_by_test_id("sla-left")
            assert left.inner_text().strip() in {"30 min left", "29 min left"}
            assert left.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 240, 199)"
            assert blocking_violations(page) == []
            page.screenshot(path=str(SCREENSHOTS / "sla-workspace.png"), full_page=True)

            page.goto("/desk/queues/breaching-soon/")
            assert page.get_by_test_id(f"row-{friday_ticket.number}").is_visible()

            context.clear_cookies()  # the customer now, in the same browser
            log_in(page, "anna@rossi.test", f"/tickets/{friday_ticket.number}/")
            promise = page.get_by_test_id("sla-answer-by")
            assert promise.inner_text().strip() == "We aim to answer by Jan. 12, 2027, 11 a.m."
            assert page.get_by_text("Service level").count() == 0
        except Exception:
            SCREENSHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "sla-failure.png"), full_page=True)
            raise
        finally:
            close_quietly(context)
