"""Webhooks leave only from the task worker, one delivery at a time per ticket (docs/webhooks.md).

``deliver_webhook`` holds the delivery's row lock while it talks to the
receiver, so a duplicate task waits and then finds it done. A delivery waits
while an earlier one with the same ordering key (the same ticket, the same
organization) is still pending; when that one is done (delivered, or given up)
it starts the next. A failed attempt is tried again after
``TESSERA_WEBHOOKS_RETRY_BASE_SECONDS`` × 2^(n-1) seconds, capped at
``TESSERA_WEBHOOKS_RETRY_MAX_SECONDS``, at most ``TESSERA_WEBHOOKS_MAX_ATTEMPTS``
times. After ``TESSERA_WEBHOOKS_DISABLE_AFTER_FAILURES`` failed attempts in a
row the subscription is disabled and the vendor administrators are e-mailed.
"""

import http.client
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from tessera.notifications.emails import absolute_url, send_email_to_user
from tessera.notifications.tasks import enqueue_after_commit

from . import http as webhook_http
from . import signing
from .addresses import AddressRefused
from .models import WebhookDelivery, WebhookSubscription

logger = logging.getLogger(__name__)

DUE_TOLERANCE = timedelta(seconds=5)
ERROR_MAX_LENGTH = 500


def retry_delay(failed_attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: base, 2 × base, 4 × base, … never more than the cap."""
    seconds = settings.TESSERA_WEBHOOKS_RETRY_BASE_SECONDS * 2 ** max(failed_attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.TESSERA_WEBHOOKS_RETRY_MAX_SECONDS))


def enqueue(delivery: WebhookDelivery) -> None:
    """Queue the delivery's task with the current transaction (at its next attempt, if one is set)."""
    task_ = deliver_webhook
    if delivery.next_attempt_at is not None and task_.get_backend().supports_defer:
        task_ = task_.using(run_after=delivery.next_attempt_at)
    enqueue_after_commit(task_, delivery_id=delivery.pk)


def _same_key(delivery: WebhookDelivery):
    return WebhookDelivery.objects.filter(
        subscription_id=delivery.subscription_id, ordering_key=delivery.ordering_key,
        status=WebhookDelivery.Status.PENDING,
    )


def _start_next(delivery: WebhookDelivery) -> None:
    following = _same_key(delivery).filter(pk__gt=delivery.pk).order_by("pk").first()
    if following is not None:
        enqueue(following)


def _attempt(delivery: WebhookDelivery, subscription: WebhookSubscription) -> None:
    timestamp = int(time.time())
    headers = signing.headers(secrets_=subscription.signing_secrets(), message_id=delivery.message_id,
                              timestamp=timestamp, body=delivery.body)
    started = time.monotonic()
    delivery.response_status = None
    delivery.response_excerpt = ""
    delivery.error = ""
    try:
        response = webhook_http.post(subscription.url, body=delivery.body.encode(), headers=headers,
                                     timeout=settings.TESSERA_WEBHOOKS_TIMEOUT_SECONDS)
    except AddressRefused as error:
        delivery.error = f"Refused: {error}"[:ERROR_MAX_LENGTH]
    except (OSError, http.client.HTTPException) as error:
        delivery.error = f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH]
    else:
        delivery.response_status = response.status
        delivery.response_excerpt = response.excerpt[:500]
    delivery.duration_ms = int((time.monotonic() - started) * 1000)
    delivery.attempts += 1
    delivery.last_attempt_at = timezone.now()


def _succeeded(delivery: WebhookDelivery) -> bool:
    return delivery.response_status is not None and 200 <= delivery.response_status < 300


def _disable(subscription: WebhookSubscription) -> None:
    subscription.is_active = False
    subscription.disabled_at = timezone.now()
    subscription.save(update_fields=["is_active", "disabled_at", "updated_at"])
    logger.error("Webhook subscription id=%s (%s) disabled after %s failed attempts",
                 subscription.pk, subscription.url, subscription.consecutive_failures)
    admins = get_user_model().objects.filter(is_active=True, is_staff=True, is_superuser=True)
    page = absolute_url(reverse("webhooks:detail", kwargs={"pk": subscription.pk}))
    for admin in admins:
        send_email_to_user(
            "webhook_disabled", user=admin,
            context={"subscription": subscription, "failures": subscription.consecutive_failures, "page_url": page},
            idempotency_key=f"webhook-disabled:{subscription.pk}:{subscription.disabled_at.isoformat()}",
        )


def _record(delivery: WebhookDelivery, subscription: WebhookSubscription) -> None:
    if _succeeded(delivery):
        delivery.status = WebhookDelivery.Status.SUCCEEDED
        delivery.next_attempt_at = None
        if subscription.consecutive_failures:
            WebhookSubscription.objects.filter(pk=subscription.pk).update(consecutive_failures=0)
    else:
        WebhookSubscription.objects.filter(pk=subscription.pk).update(
            consecutive_failures=F("consecutive_failures") + 1
        )
        subscription.refresh_from_db(fields=["consecutive_failures"])
        refused = delivery.error.startswith("Refused:")
        if refused or delivery.attempts >= settings.TESSERA_WEBHOOKS_MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = (delivery.last_attempt_at or timezone.now()) + retry_delay(delivery.attempts)
        if subscription.consecutive_failures >= settings.TESSERA_WEBHOOKS_DISABLE_AFTER_FAILURES:
            _disable(subscription)
    delivery.save(update_fields=["status", "attempts", "next_attempt_at", "last_attempt_at", "response_status",
                                 "response_excerpt", "duration_ms", "error"])
    if delivery.status != WebhookDelivery.Status.PENDING:
        _start_next(delivery)
    elif subscription.is_active:
        enqueue(delivery)


@task()
def deliver_webhook(delivery_id: int) -> str:
    """Make one attempt at a delivery if it is pending, due and first in its order; returns what became of it."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",)).select_related("subscription")
            .filter(pk=delivery_id).first()
        )
        if delivery is None:
            return "missing"
        if delivery.status != WebhookDelivery.Status.PENDING:
            return delivery.status  # done already (a duplicate task, another worker)
        subscription = delivery.subscription
        if not subscription.is_active:
            return "disabled"  # enabling the subscription queues its pending deliveries again
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > timezone.now() + DUE_TOLERANCE:
            return "not due"  # a later attempt is scheduled, with its own task
        if _same_key(delivery).filter(pk__lt=delivery.pk).exists():
            return "waiting"  # the earlier delivery starts this one when it is done
        _attempt(delivery, subscription)
        _record(delivery, subscription)
        return delivery.status
