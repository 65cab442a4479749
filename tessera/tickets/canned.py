"""Macros (canned responses): prepared answers and actions, with the ticket's details filled in.

The text is written by administrators but rendered into what agents send to
customers, so placeholders are replaced by plain substitution of three known
names. Anything else in braces stays exactly as written: no attribute or item
access ("{ticket.__class__}"), no format specifications ("{ticket_title:>999999}"),
and unbalanced braces are just text.
"""

import re

from django.db.models import Q, QuerySet

from .models import CannedResponse, Ticket

PLACEHOLDERS = ("customer_name", "ticket_number", "ticket_title")
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


def canned_responses_for(ticket: Ticket, user=None) -> QuerySet[CannedResponse]:
    """The active macros of the ticket's service team, those offered to every team, and ``user``'s own."""
    team_filter = Q(team=None)
    if ticket.service_team_id is not None:
        team_filter |= Q(team_id=ticket.service_team_id)
    owner_filter = Q(owner=None) | Q(owner_id=user.pk) if user is not None else Q(owner=None)
    return (
        CannedResponse.objects.filter(team_filter, owner_filter, is_active=True)
        .select_related("set_team", "set_assignee")
        .order_by("owner_id", "position", "title", "pk")
    )


def placeholder_values(ticket: Ticket) -> dict[str, str]:
    return {
        "customer_name": ticket.created_by.get_full_name(),
        "ticket_number": ticket.number,
        "ticket_title": ticket.title,
    }


def render_text(text: str, values: dict[str, str]) -> str:
    """``text`` with the known placeholders replaced; everything else left as it is."""
    return _PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), text)


def render_canned_response(canned: CannedResponse, *, ticket: Ticket) -> str:
    return render_text(canned.body, placeholder_values(ticket))
