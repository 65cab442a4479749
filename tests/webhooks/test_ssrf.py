"""SSRF: with TESSERA_WEBHOOKS_ALLOW_PRIVATE off, nothing goes to this machine or its networks."""

import pytest
from django.urls import reverse

from tessera.tickets.services import ticket_create
from tessera.webhooks.addresses import literal_address_problem
from tessera.webhooks.models import EventType, WebhookDelivery, WebhookSubscription
from tests.factories import WebhookSubscriptionFactory
from tests.html import parse

from .receiver import start_receiver

pytestmark = pytest.mark.django_db

PRIVATE_MESSAGE = "This is a private, loopback or link-local address; webhooks are only sent to public addresses."


@pytest.fixture
def private_off(settings):
    settings.TESSERA_WEBHOOKS_ALLOW_PRIVATE = False


@pytest.fixture
def listening():
    """A receiver on loopback that must hear nothing."""
    receiver, server = start_receiver()
    yield receiver
    server.shutdown()
    server.server_close()


def _urls(port: int) -> list[str]:
    return [
        f"http://127.0.0.1:{port}/hook",
        "http://10.20.30.40/hook",
        "http://169.254.169.254/latest/meta-data/",
        f"http://[::1]:{port}/hook",
        f"http://[::ffff:127.0.0.1]:{port}/hook",
        "https://192.168.1.10/hook",
        f"http://localhost:{port}/hook",  # a name that resolves to loopback
    ]


@pytest.mark.parametrize("index", range(7))
def test_no_delivery_reaches_a_non_public_address(
    private_off, listening, index, customer, category, deliver
):
    url = _urls(int(listening.url.rsplit(":", 1)[1]))[index]
    subscription = WebhookSubscriptionFactory(url=url)  # as if saved while the setting was on
    with deliver():
        ticket_create(author=customer, title="Hello", category=category)

    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.error.startswith("Refused:") and "non-public address" in delivery.error
    assert delivery.response_status is None
    assert listening.received == []


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/hook", "http://10.0.0.5/hook", "http://169.254.169.254/", "http://[::1]/hook",
    "http://172.16.0.1/", "http://192.168.0.1/", "http://0.0.0.0/", "http://localhost:8000/", "http://[fe80::1]/",
])
def test_a_literal_private_address_is_refused_when_subscribing(private_off, url):
    assert literal_address_problem(url) is not None


@pytest.mark.parametrize("url", ["https://erp.example.com/hook", "https://93.184.216.34/hook", "https://[2606:4700::1]/"])
def test_public_addresses_and_names_pass_the_subscription_check(private_off, url):
    assert literal_address_problem(url) is None


def test_the_form_says_so_next_to_the_field_and_keeps_what_was_typed(private_off, client, vendor_admin):
    client.force_login(vendor_admin)
    response = client.post(reverse("webhooks:create"), {
        "url": "http://10.1.2.3/hooks", "description": "ERP", "event_types": [EventType.TICKET_CREATED],
    })
    assert response.status_code == 200
    html = parse(response.content)
    assert f"URL: {PRIVATE_MESSAGE}" in html.find(testid="error-summary").text
    assert html.find(id="id_url_error").text == PRIVATE_MESSAGE
    assert html.find(id="id_url").get("value") == "http://10.1.2.3/hooks"
    assert html.find(id="id_description").get("value") == "ERP"
    assert html.find("input", value=EventType.TICKET_CREATED).has("checked")
    assert not WebhookSubscription.objects.exists()


def test_the_setting_allows_private_addresses(settings, client, vendor_admin):
    settings.TESSERA_WEBHOOKS_ALLOW_PRIVATE = True
    client.force_login(vendor_admin)
    response = client.post(reverse("webhooks:create"), {
        "url": "http://10.1.2.3/hooks", "event_types": [EventType.TICKET_CREATED],
    })
    assert response.status_code == 302
    assert WebhookSubscription.objects.get().url == "http://10.1.2.3/hooks"
