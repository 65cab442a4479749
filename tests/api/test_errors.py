"""Every error is RFC 9457 problem details; the schema is OpenAPI 3.1; the docs load nothing from elsewhere."""

import json
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from tests.html import parse

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def _problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body = json.loads(response.content)
    assert body["status"] == status and body["title"] and body["type"].endswith(body["type"].rsplit("/", 1)[-1])
    return body


def test_an_unknown_url_under_api_is_a_json_404_not_the_html_page(api, customer):
    for path in ("/api/nothing/", "/api/v1/tickets", "/api/v2/tickets/", "/api/v1/%00/"):
        body = _problem(api(customer).get(path), 404)
        assert body["instance"].startswith("/api/")


def test_without_credentials_401_with_a_bearer_challenge(api):
    response = api().get("/api/v1/tickets/")
    _problem(response, 401)
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize("header", ["Bearer tsr_wrong", "Bearer", "Bearer a b", "Bearer tsr_\u00e9"])
def test_an_unknown_or_malformed_token_is_401(api, header):
    client = api()
    client.credentials(HTTP_AUTHORIZATION=header.encode("utf-8").decode("latin-1"))
    assert "token" in _problem(client.get("/api/v1/tickets/"), 401)["detail"].lower()


def test_a_missing_ticket_is_a_problem_404(api, customer):
    _problem(api(customer).get("/api/v1/tickets/0000000001/"), 404)
    _problem(api(customer).get("/api/v1/tickets/not-a-number/"), 404)


def test_a_wrong_method_is_405(api, customer):
    _problem(api(customer).delete("/api/v1/tickets/"), 405)


def test_a_customer_on_an_agent_endpoint_is_403(api, customer):
    assert "support staff" in _problem(api(customer).get("/api/v1/queues/"), 403)["detail"]


def test_invalid_fields_each_with_their_messages(api, customer, category):
    body = _problem(api(customer).post("/api/v1/tickets/", {"category": "x", "priority": 9}, format="json"), 400)
    assert set(body["errors"]) == {"title", "category", "priority"}
    assert all(isinstance(messages, list) and messages for messages in body["errors"].values())


def test_a_refusal_of_a_service_names_its_field(api, customer, category):
    body = _problem(api(customer).post("/api/v1/tickets/", {"title": "   ", "category": category.pk},
                                       format="json"), 400)
    assert body["errors"] == {"title": ["This field may not be blank."]}


def test_broken_json_is_a_problem_400(api, customer):
    response = api(customer).post("/api/v1/tickets/", "{not json", content_type="application/json")
    _problem(response, 400)


def test_too_many_requests_429_with_retry_after(api, customer, settings):
    settings.TESSERA_API_TOKEN_RATE_PER_MINUTE = 2
    client = api(customer)
    # The limit counts per clock minute: a clock stopped 20 s into one keeps the three requests in it.
    with time_machine.travel(datetime(2026, 12, 6, 10, 0, 20, tzinfo=UTC), tick=False):
        assert [client.get("/api/v1/categories/").status_code for _ in range(2)] == [200, 200]
        response = client.get("/api/v1/categories/")
    _problem(response, 429)
    assert response["Retry-After"] == "40"


def test_the_schema_is_openapi_3_1_and_public(client):
    response = client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.1")
    assert "/api/v1/tickets/" in schema["paths"]
    assert schema["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status", "detail"]


def test_the_docs_load_their_assets_from_this_site_only(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    page = parse(response)
    sources = [tag.get("src") for tag in page.find_all("script")] + [tag.get("href") for tag in page.find_all("link")]
    assert sources and all(src.startswith("/") and not src.startswith("//") for src in sources), sources
    script = client.get(reverse("api:docs") + "?script=")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content
