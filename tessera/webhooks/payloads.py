"""What a webhook says: the body of each event type (docs/webhooks.md has examples).

A body holds only the one ticket's or the one organization's data: its
organization, the people on it (customers of that organization, or vendor
staff), never a list that could reach into another organization.
"""

import json
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from tessera.organizations.models import Membership, Organization
from tessera.tickets.links import ticket_url
from tessera.tickets.models import Comment, Ticket, TicketEvent


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def _person(user) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"email": user.email, "name": user.get_full_name(), "is_staff": bool(user.is_staff)}


def _organization(organization: Organization) -> dict[str, Any]:
    return {"customer_code": organization.customer_code, "name": organization.name,
            "postal_code": organization.postal_code, "city": organization.city, "country": str(organization.country)}


def ticket_data(ticket: Ticket) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "title": ticket.title,
        "status": ticket.status,
        "priority": ticket.priority,
        "source": ticket.source,
        "category": " › ".join(category.name for category in ticket.category.path()) if ticket.category_id else None,
        "organization": _organization(ticket.organization),
        "requester": _person(ticket.created_by),
        "assignee": _person(ticket.assignee),
        "created_at": _iso(ticket.created_at),
        "updated_at": _iso(ticket.updated_at),
        "url": ticket_url(ticket, for_staff=True),
    }


def ticket_event_data(event: TicketEvent) -> dict[str, Any]:
    ticket = (
        Ticket.objects.select_related("organization", "created_by", "assignee", "category")
        .get(pk=event.ticket_id)
    )
    data: dict[str, Any] = {"ticket": ticket_data(ticket), "actor": _person(event.actor)}
    if event.type == TicketEvent.Type.STATUS_CHANGED:
        data["change"] = {key: event.data.get(key) for key in ("old", "new", "action")}
    elif event.type == TicketEvent.Type.ASSIGNED:
        data["change"] = {"assignee": event.data.get("assignee"), "previous": event.data.get("previous")}
    elif event.type in (TicketEvent.Type.COMMENT_ADDED, TicketEvent.Type.NOTE_ADDED):
        comment = Comment.objects.select_related("author").get(pk=event.data["comment_id"], ticket=ticket)
        data["comment"] = {"id": comment.pk, "body": comment.body, "internal": comment.is_internal,
                           "author": _person(comment.author), "created_at": _iso(comment.created_at)}
    return data


def organization_linked_data(membership: Membership) -> dict[str, Any]:
    return {"organization": _organization(membership.organization), "user": _person(membership.user),
            "role": membership.role}


def body(*, event_type: str, data: dict[str, Any], at: datetime) -> str:
    return json.dumps({"type": event_type, "timestamp": _iso(at), "data": data}, cls=DjangoJSONEncoder,
                      ensure_ascii=False, separators=(",", ":"))
