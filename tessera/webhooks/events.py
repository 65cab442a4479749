"""What the domain tells webhooks: ticket events and organization links, once their transaction has committed.

``tickets.events`` calls ``on_ticket_event`` after the commit of the service
that wrote the event, and organizations' ``membership_linked`` signal is
turned into an on-commit callback here; nothing is sent for a rolled-back
write. The listener makes the delivery rows and queues their tasks in one
transaction of its own: from then on delivery is durable (``tasks``).
"""

from functools import partial

from django.db import transaction

from tessera.organizations import signals as organization_signals
from tessera.organizations.models import Membership
from tessera.tickets import events as ticket_events
from tessera.tickets.models import TicketEvent

from . import payloads, services
from .models import EventType, WebhookSubscription

TICKET_EVENT_TYPES: dict[str, str] = {
    TicketEvent.Type.CREATED: EventType.TICKET_CREATED,
    TicketEvent.Type.STATUS_CHANGED: EventType.TICKET_STATUS_CHANGED,
    TicketEvent.Type.COMMENT_ADDED: EventType.COMMENT_ADDED,
    TicketEvent.Type.NOTE_ADDED: EventType.COMMENT_ADDED,
    TicketEvent.Type.ASSIGNED: EventType.TICKET_ASSIGNED,
}


def connect() -> None:
    ticket_events.add_listener(on_ticket_event)
    organization_signals.membership_linked.connect(
        _on_membership_linked, sender=Membership, dispatch_uid="tessera.webhooks.membership_linked"
    )


def subscriptions_for(event_type: str, *, internal: bool = False) -> list[WebhookSubscription]:
    """The active subscriptions to ``event_type``; an internal note only for those marked internal."""
    subscriptions = WebhookSubscription.objects.filter(is_active=True)
    if internal:
        subscriptions = subscriptions.filter(include_internal=True)
    # JSON containment is not portable to SQLite: the few subscriptions are filtered here.
    return [subscription for subscription in subscriptions if event_type in subscription.event_types]


def on_ticket_event(event: TicketEvent) -> None:
    event_type = TICKET_EVENT_TYPES.get(event.type)
    if event_type is None:
        return
    subscriptions = subscriptions_for(event_type, internal=event.type == TicketEvent.Type.NOTE_ADDED)
    if subscriptions:
        services.deliveries_create(event_type=event_type, data=payloads.ticket_event_data(event),
                                   ordering_key=f"ticket:{event.ticket_id}", subscriptions=subscriptions)


def on_membership_linked(membership_id: int) -> None:
    subscriptions = subscriptions_for(EventType.ORGANIZATION_LINKED)
    membership = Membership.objects.select_related("user", "organization").filter(pk=membership_id).first()
    if subscriptions and membership is not None:
        services.deliveries_create(
            event_type=EventType.ORGANIZATION_LINKED, data=payloads.organization_linked_data(membership),
            ordering_key=f"organization:{membership.organization_id}", subscriptions=subscriptions,
        )


def _on_membership_linked(sender, membership: Membership, **kwargs) -> None:
    transaction.on_commit(partial(on_membership_linked, membership.pk), robust=True)
