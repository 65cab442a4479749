"""The ticket a merged ticket went into, as its reader may know it (``portal/ticket_merged_notice.html``)."""

from dataclasses import dataclass

from django import template

from ..models import Ticket
from ..policies import ticket_policy

register = template.Library()


@dataclass(frozen=True)
class MergedInto:
    number: str
    visible: bool  # whether the reader may open it (else only its number is shown)


@register.simple_tag(takes_context=True)
def merged_into(context, ticket: Ticket) -> MergedInto | None:
    """Where ``ticket`` was merged, for the user of the request; None if it was not merged.

    Merges stay within one organization (``services.relations.ticket_merge_check``); a customer who may
    see the merged ticket may still not see the other (a basic user who is not its requester nor in CC).
    """
    if ticket.merged_into_id is None:
        return None
    target = Ticket.objects.filter(pk=ticket.merged_into_id).only("pk", "number", "organization_id").first()
    if target is None:
        return None
    user = context.get("user") or getattr(context.get("request"), "user", None)
    visible = user is not None and user.is_authenticated and ticket_policy.can_view(user, target)
    return MergedInto(number=target.number, visible=visible)
