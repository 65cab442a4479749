"""Webhooks against a real HTTP receiver on loopback: signatures, retries and backoff, disabling, order, redelivery."""

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse

from tessera.organizations.services import link_request_approve
from tessera.tickets import services as tickets
from tessera.tickets.workflow import Action
from tessera.webhooks import services
from tessera.webhooks.models import EventType, WebhookDelivery
from tessera.webhooks.tasks import retry_delay
from tests.factories import WebhookSubscriptionFactory, pending_applicant

from .receiver import InvalidSignature, verify

pytestmark = pytest.mark.django_db


def subscribe(receiver, path="/hook", **fields):
    return WebhookSubscriptionFactory(url=receiver.url + path, **fields)


def new_ticket(customer, category, title="Printer driver crashes"):
    return tickets.ticket_create(author=customer, title=title, category=category, description="Since the update.")


def test_a_new_ticket_arrives_signed_as_an_independent_verifier_checks_it(
    receiver, customer, category, deliver, run_worker
):
    subscription = subscribe(receiver)
    with deliver():
        ticket = new_ticket(customer, category)

    [request] = receiver.received
    verify(secret=subscription.secret, headers=request.headers, body=request.body)
    assert request.type == "ticket.created"
    data = request.json["data"]
    assert (data["ticket"]["number"], data["ticket"]["title"]) == (ticket.number, "Printer driver crashes")
    assert data["ticket"]["organization"]["customer_code"] == "100001"
    assert data["ticket"]["requester"]["email"] == "customer@rossi.test"
    with pytest.raises(InvalidSignature):
        verify(secret=WebhookSubscriptionFactory.build().secret, headers=request.headers, body=request.body)
    with pytest.raises(InvalidSignature):  # a body changed on the way
        verify(secret=subscription.secret, headers=request.headers, body=request.body.replace(b"Printer", b"Scanner"))
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_status, delivery.attempts) == ("succeeded", 200, 1)
    assert delivery.message_id == request.headers["webhook-id"]
    assert delivery.response_excerpt == '{"ok": true}' and delivery.duration_ms is not None


def test_after_a_rotation_both_secrets_sign_for_a_day(receiver, customer, category, deliver, vendor_admin):
    subscription = subscribe(receiver)
    old_secret = subscription.secret
    services.subscription_rotate_secret(subscription=subscription, rotated_by=vendor_admin)
    subscription.refresh_from_db()
    assert subscription.secret != old_secret
    assert subscription.previous_secret_expires_at - subscription.updated_at > timedelta(hours=23, minutes=59)

    with deliver():
        new_ticket(customer, category)

    [request] = receiver.received
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    verify(secret=subscription.secret, headers=request.headers, body=request.body)
    verify(secret=old_secret, headers=request.headers, body=request.body)  # receivers not yet switched still accept

    # A day later only the new secret signs.
    subscription.previous_secret_expires_at = subscription.updated_at - timedelta(seconds=1)
    subscription.save()
    with deliver():
        new_ticket(customer, category, title="Second")
    latest = receiver.received[-1]
    assert len(latest.headers["webhook-signature"].split(" ")) == 1
    with pytest.raises(InvalidSignature):
        verify(secret=old_secret, headers=latest.headers, body=latest.body)


def test_backoff_doubles_from_the_base_up_to_the_cap(settings):
    settings.TESSERA_WEBHOOKS_RETRY_BASE_SECONDS = 30
    settings.TESSERA_WEBHOOKS_RETRY_MAX_SECONDS = 300
    assert [retry_delay(n).total_seconds() for n in range(1, 8)] == [30, 60, 120, 240, 300, 300, 300]


def test_a_receiver_answering_500_is_tried_again_with_backoff_until_it_accepts(
    receiver, customer, category, deliver, time_passes, settings
):
    settings.TESSERA_WEBHOOKS_RETRY_BASE_SECONDS = 30
    subscribe(receiver)
    receiver.statuses = [500, 503]
    with deliver():
        new_ticket(customer, category)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, 500)
    assert delivery.response_excerpt == "receiver failed on purpose"
    assert delivery.next_attempt_at - delivery.last_attempt_at == timedelta(seconds=30)

    time_passes()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 2, 503)
    assert delivery.next_attempt_at - delivery.last_attempt_at == timedelta(seconds=60)

    time_passes()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("succeeded", 3, 200)
    assert len(receiver.received) == 3
    assert len({request.headers["webhook-id"] for request in receiver.received}) == 1  # one message, three tries
    assert len({request.body for request in receiver.received}) == 1


def test_a_delivery_is_given_up_after_the_last_attempt(receiver, customer, category, deliver, time_passes, settings):
    settings.TESSERA_WEBHOOKS_MAX_ATTEMPTS = 3
    subscribe(receiver)
    receiver.statuses = [500] * 10
    with deliver():
        new_ticket(customer, category)
    time_passes()
    time_passes()
    time_passes()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 3, None)
    assert len(receiver.received) == 3


def test_a_subscription_that_keeps_failing_is_disabled_and_the_vendor_admins_are_told(
    receiver, customer, category, deliver, time_passes, settings, vendor_admin, mailoutbox, agent, client
):
    settings.TESSERA_WEBHOOKS_DISABLE_AFTER_FAILURES = 3
    subscription = subscribe(receiver)
    receiver.statuses = [500] * 3
    with deliver():
        new_ticket(customer, category)
    time_passes()
    time_passes()

    subscription.refresh_from_db()
    assert not subscription.is_active and subscription.disabled_at is not None
    [mail] = [message for message in mailoutbox if "webhook" in message.subject.lower()]
    assert mail.to == ["root@vendor.test"]  # vendor administrators only, not the agent
    assert mail.subject == "A webhook subscription has been disabled"
    assert subscription.url in mail.body and "failed 3 times in a row" in mail.body
    assert reverse("webhooks:detail", kwargs={"pk": subscription.pk}) in mail.body

    time_passes()  # nothing more is sent to a disabled subscription
    assert len(receiver.received) == 3
    assert WebhookDelivery.objects.get().status == "pending"

    client.force_login(vendor_admin)
    with deliver():
        client.post(reverse("webhooks:enable", kwargs={"pk": subscription.pk}))
    assert len(receiver.received) == 4
    assert WebhookDelivery.objects.get().status == "succeeded"
    subscription.refresh_from_db()
    assert subscription.is_active and subscription.consecutive_failures == 0


def test_events_of_one_ticket_arrive_in_order_even_when_the_first_has_to_be_retried(
    receiver, customer, category, deliver, time_passes, agent
):
    subscribe(receiver)
    receiver.statuses = [500]
    with deliver():
        ticket = new_ticket(customer, category)
    with deliver():
        tickets.ticket_change_status(ticket=ticket, user=agent, action=Action.START)
        tickets.comment_add(ticket=ticket, author=agent, body="We are looking into it.")
        other = new_ticket(customer, category, title="Another ticket")

    # The other ticket is not held up; this ticket's later events wait for its first.
    assert [request.type for request in receiver.received] == ["ticket.created", "ticket.created"]
    assert receiver.received[1].json["data"]["ticket"]["number"] == other.number
    assert set(WebhookDelivery.objects.filter(status="pending").values_list("event_type", flat=True)) == {
        EventType.TICKET_CREATED, EventType.TICKET_STATUS_CHANGED, EventType.COMMENT_ADDED,
    }

    time_passes()
    of_ticket = [r for r in receiver.received if r.json["data"]["ticket"]["number"] == ticket.number]
    assert [request.type for request in of_ticket] == [
        "ticket.created", "ticket.created", "ticket.status_changed", "comment.added",
    ]
    assert of_ticket[2].json["data"]["change"]["new"] == "in_process"
    assert of_ticket[3].json["data"]["comment"]["body"] == "We are looking into it."
    assert not WebhookDelivery.objects.filter(status="pending").exists()


def test_redeliver_sends_the_same_message_again_and_logs_it(
    receiver, customer, category, deliver, vendor_admin, client
):
    subscription = subscribe(receiver)
    with deliver():
        new_ticket(customer, category)
    first = WebhookDelivery.objects.get()

    client.force_login(vendor_admin)
    with deliver():
        response = client.post(reverse("webhooks:redeliver", kwargs={"pk": subscription.pk, "delivery_pk": first.pk}))
    assert response.status_code == 302
    assert len(receiver.received) == 2
    assert receiver.received[0].headers["webhook-id"] == receiver.received[1].headers["webhook-id"]
    assert receiver.received[0].body == receiver.received[1].body
    verify(secret=subscription.secret, headers=receiver.received[1].headers, body=receiver.received[1].body)
    again = WebhookDelivery.objects.exclude(pk=first.pk).get()
    assert (again.redelivery_of_id, again.status, again.response_status) == (first.pk, "succeeded", 200)
    page = client.get(reverse("webhooks:detail", kwargs={"pk": subscription.pk})).content.decode()
    assert f'data-testid="delivery-{again.pk}"' in page and f'data-testid="delivery-{first.pk}"' in page


def test_internal_notes_reach_only_internal_subscriptions(receiver, customer, category, deliver, agent):
    subscribe(receiver, "/public", event_types=[EventType.COMMENT_ADDED])
    subscribe(receiver, "/internal", event_types=[EventType.COMMENT_ADDED], include_internal=True)
    ticket = new_ticket(customer, category)
    with deliver():
        tickets.comment_add(ticket=ticket, author=agent, body="Public answer")
        tickets.comment_add(ticket=ticket, author=agent, body="INTERNAL: the customer's licence expired",
                            is_internal=True)

    public = receiver.for_path("/public")
    internal = receiver.for_path("/internal")
    assert [request.json["data"]["comment"]["body"] for request in public] == ["Public answer"]
    assert all(b"INTERNAL" not in request.body for request in public)
    assert [(r.json["data"]["comment"]["body"], r.json["data"]["comment"]["internal"]) for r in internal] == [
        ("Public answer", False), ("INTERNAL: the customer's licence expired", True),
    ]


def test_only_the_chosen_events_are_sent_and_assignment_and_links_have_theirs(
    receiver, customer, category, deliver, agent, vendor_admin, other_organization
):
    subscribe(receiver, "/assign", event_types=[EventType.TICKET_ASSIGNED])
    subscribe(receiver, "/links", event_types=[EventType.ORGANIZATION_LINKED])
    ticket = new_ticket(customer, category)
    with deliver():
        tickets.ticket_assign(ticket=ticket, user=agent, assignee=agent)
        request = pending_applicant(other_organization, email="new@weber.test")
        link_request_approve(link_request=request, approved_by=vendor_admin)

    [assigned] = receiver.for_path("/assign")
    assert assigned.type == "ticket.assigned"
    assert assigned.json["data"]["ticket"]["assignee"]["email"] == "agent@vendor.test"
    [linked] = receiver.for_path("/links")
    assert linked.type == "organization.linked"
    assert linked.json["data"]["organization"]["customer_code"] == "200002"
    assert linked.json["data"]["user"]["email"] == "new@weber.test"
    # No payload carries another organization's data.
    assert b"Praxis Rossi" not in linked.body and b"100001" not in linked.body
    assert b"Zahnarzt Weber" not in assigned.body and b"200002" not in assigned.body


def test_nothing_is_sent_for_a_write_that_was_rolled_back(receiver, customer, category, deliver):
    subscribe(receiver)
    with deliver(), pytest.raises(RuntimeError), transaction.atomic():
        new_ticket(customer, category)
        raise RuntimeError
    assert receiver.received == [] and not WebhookDelivery.objects.exists()


def test_the_body_is_compact_json_with_type_timestamp_and_data(receiver, customer, category, deliver):
    subscribe(receiver)
    with deliver():
        new_ticket(customer, category)
    body = receiver.received[0].body.decode()
    assert set(json.loads(body)) == {"type", "timestamp", "data"}
    assert json.loads(body)["timestamp"].endswith("Z")
