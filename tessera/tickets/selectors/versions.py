"""A ticket's version: what an agent's page showed of it, and what happened since.

The version is the id of the ticket's latest event. Every write to a ticket
leaves an event (``events.py``), and ids only grow, so "an event with a higher
id" is exactly "a change the page did not show", whatever the clocks of the web
nodes say. Pages treat the number as opaque.
"""

from django.db.models import Max

from tessera.accounts.models import User

from ..models import Ticket, TicketEvent

Type = TicketEvent.Type
#: Bookkeeping by Tessera itself that changes nothing an agent acts on: never a reason to stop an action.
UNNOTICED = (Type.SLA_BREACHED, Type.REMINDER_SENT)
#: The most recent changes told; older ones are on the timeline.
CHANGES_TOLD = 20


def ticket_version(ticket: Ticket) -> int:
    """The id of ``ticket``'s latest event (0 before the first); one query."""
    return TicketEvent.objects.filter(ticket=ticket).aggregate(latest=Max("pk"))["latest"] or 0


def changes_since(ticket: Ticket, *, version: int, user: User) -> list[TicketEvent]:
    """What others did to ``ticket`` after ``version``, oldest first (at most ``CHANGES_TOLD``, the latest); one query.

    ``user``'s own changes are not news to them: an action of theirs in another tab, or one whose
    answer they did not wait for, does not stop the next.
    """
    events = (
        TicketEvent.objects.filter(ticket=ticket, pk__gt=version)
        .exclude(actor=user)
        .exclude(type__in=UNNOTICED)
        .select_related("actor")
        .order_by("-pk")[:CHANGES_TOLD]
    )
    return list(reversed(events))
