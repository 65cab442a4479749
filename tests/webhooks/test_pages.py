"""The vendor administrator's webhook pages: subscribe, edit, rotate, disable, delete; the log in constant queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tessera.audit.models import AuditAction, AuditEntry
from tessera.webhooks.models import EventType, WebhookSubscription
from tests.factories import WebhookDeliveryFactory, WebhookSubscriptionFactory
from tests.html import parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, vendor_admin):
    client.force_login(vendor_admin)
    return client


def test_the_navigation_leads_vendor_admins_to_webhooks_and_nobody_else(client, vendor_admin, agent):
    client.force_login(agent)
    assert not parse(client.get(reverse("desk:home"))).find_all(testid="nav-webhooks")
    client.force_login(vendor_admin)
    link = parse(client.get(reverse("desk:home"))).find(testid="nav-webhooks")
    assert link.get("href") == reverse("webhooks:list")


def test_a_vendor_admin_subscribes_a_url_and_sees_its_secret(admin_client, vendor_admin):
    response = admin_client.post(reverse("webhooks:create"), {
        "url": "https://erp.example.com/hooks/tessera", "description": "ERP",
        "event_types": [EventType.TICKET_CREATED, EventType.COMMENT_ADDED], "include_internal": "on",
    })
    subscription = WebhookSubscription.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("webhooks:detail", args=[subscription.pk])
    assert subscription.event_types == ["ticket.created", "comment.added"]
    assert subscription.include_internal and subscription.is_active and subscription.created_by == vendor_admin
    assert subscription.secret.startswith("whsec_")
    page = parse(admin_client.get(response["Location"]))
    assert page.find(testid="webhook-secret").text == subscription.secret
    assert page.find(testid="no-deliveries")
    listing = parse(admin_client.get(reverse("webhooks:list")))
    assert "Ticket created, Comment added" in listing.find(testid=f"webhook-{subscription.pk}").text
    assert AuditEntry.objects.filter(action=AuditAction.WEBHOOK_CREATE).count() == 1


def test_bad_input_is_shown_at_each_field_and_in_the_summary(admin_client):
    response = admin_client.post(reverse("webhooks:create"), {"url": "ftp://files.example.com/", "description": "x"})
    page = parse(response)
    assert response.status_code == 200
    summary = page.find(testid="error-summary").text
    assert "Events: Choose at least one event." in summary
    assert page.find(id="id_event_types_error").text == "Choose at least one event."
    assert page.find(id="id_event_types").tag == "fieldset"  # the summary's link lands on the group
    assert page.find(id="id_url").get("value") == "ftp://files.example.com/"

    response = admin_client.post(reverse("webhooks:create"), {
        "url": "ftp://files.example.com/", "event_types": [EventType.TICKET_CREATED],
    })
    assert parse(response).find(id="id_url_error").text == "Enter an address that starts with https:// or http://."
    assert not WebhookSubscription.objects.exists()


def test_edit_rotate_disable_enable_delete(admin_client):
    subscription = WebhookSubscriptionFactory()
    old_secret = subscription.secret
    response = admin_client.post(reverse("webhooks:edit", args=[subscription.pk]), {
        "url": "https://crm.example.com/in", "event_types": [EventType.ORGANIZATION_LINKED],
    })
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.url, subscription.event_types) == ("https://crm.example.com/in", ["organization.linked"])

    admin_client.post(reverse("webhooks:rotate", args=[subscription.pk]))
    subscription.refresh_from_db()
    assert subscription.previous_secret == old_secret and subscription.secret != old_secret
    assert subscription.signing_secrets() == [subscription.secret, old_secret]
    page = admin_client.get(reverse("webhooks:detail", args=[subscription.pk])).content.decode()
    assert "The previous secret also signs until" in page

    admin_client.post(reverse("webhooks:disable", args=[subscription.pk]))
    subscription.refresh_from_db()
    assert not subscription.is_active
    assert parse(admin_client.get(reverse("webhooks:detail", args=[subscription.pk]))).find(testid="webhook-disabled")
    admin_client.post(reverse("webhooks:enable", args=[subscription.pk]))
    subscription.refresh_from_db()
    assert subscription.is_active

    response = admin_client.post(reverse("webhooks:delete", args=[subscription.pk]))
    assert response["Location"] == reverse("webhooks:list")
    assert not WebhookSubscription.objects.exists()


def test_the_delivery_log_and_the_list_take_the_same_queries_for_3_or_60_rows(admin_client):
    subscription = WebhookSubscriptionFactory()
    url = reverse("webhooks:detail", args=[subscription.pk])

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(path).status_code == 200
        return len(captured)

    WebhookDeliveryFactory.create_batch(3, subscription=subscription)
    WebhookSubscriptionFactory.create_batch(2)
    few, few_list = queries(url), queries(reverse("webhooks:list"))
    WebhookDeliveryFactory.create_batch(57, subscription=subscription, status="failed", response_status=500,
                                        error="", response_excerpt="Internal Server Error")
    WebhookSubscriptionFactory.create_batch(30)
    assert queries(url) == few
    assert queries(reverse("webhooks:list")) == few_list
    page = parse(admin_client.get(url))
    assert len(page.find_all(testid_prefix="delivery-", tag="tr")) == 50  # one page of the log
    assert page.find_all(testid="delivery-code")[0].text == "500"


def test_the_log_page_stays_within_its_query_budget(admin_client, django_assert_max_num_queries):
    subscription = WebhookSubscriptionFactory()
    WebhookDeliveryFactory.create_batch(40, subscription=subscription)
    with django_assert_max_num_queries(6):  # session, user, subscription, count, one page of rows, …
        admin_client.get(reverse("webhooks:detail", args=[subscription.pk]))


def test_a_redelivery_of_another_subscriptions_delivery_is_not_found(admin_client):
    delivery = WebhookDeliveryFactory()
    other = WebhookSubscriptionFactory()
    response = admin_client.post(reverse("webhooks:redeliver", kwargs={"pk": other.pk, "delivery_pk": delivery.pk}))
    assert response.status_code == 404
