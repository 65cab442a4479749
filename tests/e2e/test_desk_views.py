"""Saved views and a queue that refreshes itself, in Chromium: new tickets appear, ticked ones stay ticked."""

import pytest

from tessera.tickets.models import DeskView
from tests.factories import (
    AgentFactory,
    CategoryFactory,
    MembershipFactory,
    ServiceTeamFactory,
    TicketFactory,
)

from .axe import blocking_violations
from .conftest import SCREENSHOTS, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk(settings):
    settings.TESSERA_DESK_QUEUE_REFRESH_SECONDS = 1
    team = ServiceTeamFactory(name="Imaging")
    agent = AgentFactory(email="marco@vendor.test", first_name="Marco", last_name="Bianchi")
    team.members.add(agent)
    customer = MembershipFactory().user
    category = CategoryFactory(name="X-ray", service_team=team)
    first = TicketFactory(created_by=customer, organization=customer.membership.organization, category=category,
                          title="Scanner calibration drifts", priority=1)
    return {"agent": agent, "customer": customer, "category": category, "first": first}


def test_a_saved_view_opens_its_filters_and_the_list_refreshes_keeping_the_selection(page, desk):
    log_in(page, "marco@vendor.test", "/desk/queues/open/?priority=1")
    page.get_by_text("Save this view").click()
    page.get_by_label("Name of the view").fill("Very high")
    page.get_by_role("button", name="Save the view").click()
    page.get_by_text("The view “Very high” has been saved.").wait_for()
    assert DeskView.objects.get().query == "priority=1"
    views = page.get_by_test_id("saved-views")
    assert views.get_by_role("link", name="Very high").get_attribute("aria-current") == "page"
    assert blocking_violations(page) == []

    page.get_by_label(f"Select ticket {desk['first'].number}").check()
    later = TicketFactory(created_by=desk["customer"], organization=desk["customer"].membership.organization,
                          category=desk["category"], title="Viewer crashes on large studies", priority=1)
    page.get_by_test_id(f"row-{later.number}").wait_for(timeout=8_000)  # came without a reload
    assert page.get_by_label(f"Select ticket {desk['first'].number}").is_checked()
    assert page.get_by_test_id("ticket-count").inner_text() == "2 tickets"
    # The counts beside the queues are refreshed as they are drawn: a number, its words for screen readers only.
    shown = page.get_by_test_id("queue-open").locator(".queue-count [aria-hidden=true]").inner_text()
    assert shown.isdigit(), shown
    page.screenshot(path=str(SCREENSHOTS / "desk-saved-view-1366.png"), full_page=True)
