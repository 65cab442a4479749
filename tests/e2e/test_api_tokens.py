"""In Chromium: a token made on the account page, shown once, works against the API; the API docs render from
this site's own assets; the token page passes axe."""

import pytest

from tests.e2e.axe import blocking_violations
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_make_a_token_and_use_it(page, live_server, dental_support):
    log_in(page, "anna@rossi.test", "/accounts/")
    page.get_by_test_id("tokens-link").click()
    assert blocking_violations(page) == []
    page.get_by_label("Name").fill("Practice software")
    page.get_by_label("Scope").select_option("read")
    page.get_by_role("button", name="Create token").click()
    raw = page.get_by_test_id("token-value").inner_text().strip()
    assert raw.startswith("tsr_")
    assert blocking_violations(page) == []
    answer = page.request.get(f"{live_server.url}/api/v1/tickets/", headers={"Authorization": f"Bearer {raw}"})
    assert answer.status == 200 and answer.json()["results"] == []
    page.get_by_role("button", name="Revoke the token Practice software").click()
    assert page.get_by_test_id("tokens").get_by_text("Revoked").is_visible()
    again = page.request.get(f"{live_server.url}/api/v1/tickets/", headers={"Authorization": f"Bearer {raw}"})
    assert again.status == 401


def test_the_api_docs_render_from_this_site_only(page, live_server):
    hosts = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.goto("/api/docs/")
    page.locator(".swagger-ui .info .title").filter(has_text="Tessera API").wait_for()
    assert page.locator(".opblock").count() > 20
    assert hosts == {live_server.url.split("/")[2]}
