"""Every write to webhook subscriptions and deliveries; only vendor administrators may make them."""

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tessera.audit.models import AuditAction
from tessera.audit.services import audit_record
from tessera.core.operations import unit_of_work

from . import payloads, signing
from .addresses import literal_address_problem
from .models import EventType, WebhookDelivery, WebhookSubscription
from .tasks import enqueue

if TYPE_CHECKING:
    from tessera.accounts.models import User

#: How long the secret replaced by a rotation stays valid (both signatures are sent meanwhile).
ROTATION_OVERLAP = timedelta(hours=24)


def may_manage_webhooks(user: "User") -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff and user.is_superuser)


def _check_may_manage(user: "User") -> None:
    if not may_manage_webhooks(user):
        raise PermissionDenied


def _clean(*, url: str, event_types: Sequence[str]) -> list[str]:
    errors: dict[str, str] = {}
    if not url.lower().startswith(("http://", "https://")):
        errors["url"] = _("Enter an address that starts with https:// or http://.")
    else:
        problem = literal_address_problem(url)
        if problem:
            errors["url"] = problem
    known = [value for value in EventType.values if value in event_types]
    if not known:
        errors["event_types"] = _("Choose at least one event.")
    if errors:
        raise ValidationError(errors)
    return known


@unit_of_work
def subscription_create(
    *, url: str, event_types: Sequence[str], created_by: "User", description: str = "",
    include_internal: bool = False,
) -> WebhookSubscription:
    _check_may_manage(created_by)
    types = _clean(url=url, event_types=event_types)
    subscription = WebhookSubscription.objects.create(
        url=url, description=description, event_types=types, include_internal=include_internal,
        secret=signing.new_secret(), created_by=created_by,
    )
    audit_record(action=AuditAction.WEBHOOK_CREATE, actor=created_by, target=subscription, url=url)
    return subscription


@unit_of_work
def subscription_update(
    *, subscription: WebhookSubscription, url: str, event_types: Sequence[str], changed_by: "User",
    description: str = "", include_internal: bool = False,
) -> WebhookSubscription:
    _check_may_manage(changed_by)
    subscription.event_types = _clean(url=url, event_types=event_types)
    subscription.url = url
    subscription.description = description
    subscription.include_internal = include_internal
    subscription.save(update_fields=["url", "description", "event_types", "include_internal", "updated_at"])
    audit_record(action=AuditAction.WEBHOOK_CHANGE, actor=changed_by, target=subscription, url=url)
    return subscription


@unit_of_work
def subscription_rotate_secret(*, subscription: WebhookSubscription, rotated_by: "User") -> WebhookSubscription:
    """A new secret; the old one signs too for ``ROTATION_OVERLAP``, so receivers can switch without a gap."""
    _check_may_manage(rotated_by)
    subscription.previous_secret = subscription.secret
    subscription.previous_secret_expires_at = timezone.now() + ROTATION_OVERLAP
    subscription.secret = signing.new_secret()
    subscription.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"])
    audit_record(action=AuditAction.WEBHOOK_ROTATE, actor=rotated_by, target=subscription)
    return subscription


@unit_of_work
def subscription_enable(*, subscription: WebhookSubscription, enabled_by: "User") -> WebhookSubscription:
    """Active again: the failures are forgotten and the deliveries that waited are sent, in order."""
    _check_may_manage(enabled_by)
    subscription.is_active = True
    subscription.disabled_at = None
    subscription.consecutive_failures = 0
    subscription.save(update_fields=["is_active", "disabled_at", "consecutive_failures", "updated_at"])
    pending = subscription.deliveries.filter(status=WebhookDelivery.Status.PENDING).order_by("pk")
    for delivery in pending:
        delivery.next_attempt_at = None
        enqueue(delivery)
    pending.update(next_attempt_at=None)
    audit_record(action=AuditAction.WEBHOOK_CHANGE, actor=enabled_by, target=subscription, enabled=True)
    return subscription


@unit_of_work
def subscription_disable(*, subscription: WebhookSubscription, disabled_by: "User") -> WebhookSubscription:
    _check_may_manage(disabled_by)
    subscription.is_active = False
    subscription.disabled_at = timezone.now()
    subscription.save(update_fields=["is_active", "disabled_at", "updated_at"])
    audit_record(action=AuditAction.WEBHOOK_CHANGE, actor=disabled_by, target=subscription, enabled=False)
    return subscription


@unit_of_work
def subscription_delete(*, subscription: WebhookSubscription, deleted_by: "User") -> None:
    _check_may_manage(deleted_by)
    audit_record(action=AuditAction.WEBHOOK_DELETE, actor=deleted_by, target=subscription, url=subscription.url)
    subscription.delete()


@unit_of_work
def delivery_redeliver(*, delivery: WebhookDelivery, redelivered_by: "User") -> WebhookDelivery:
    """Send the same message (same id and body, signed afresh) once more, after what waits for its ticket."""
    _check_may_manage(redelivered_by)
    copy = WebhookDelivery.objects.create(
        subscription=delivery.subscription, message_id=delivery.message_id, event_type=delivery.event_type,
        ordering_key=delivery.ordering_key, body=delivery.body, redelivery_of=delivery,
    )
    enqueue(copy)
    return copy


@unit_of_work
def deliveries_create(
    *, event_type: str, data: dict[str, Any], ordering_key: str, subscriptions: Sequence[WebhookSubscription],
) -> list[WebhookDelivery]:
    """One delivery of one event to each subscription, queued with this transaction."""
    now = timezone.now()
    body = payloads.body(event_type=event_type, data=data, at=now)
    message_id = signing.new_message_id()
    deliveries = []
    for subscription in subscriptions:
        delivery = WebhookDelivery.objects.create(
            subscription=subscription, message_id=message_id, event_type=event_type, ordering_key=ordering_key,
            body=body, created_at=now,
        )
        enqueue(delivery)
        deliveries.append(delivery)
    return deliveries
