"""Who else has a ticket's workspace open (``services.presence`` keeps the rows)."""

from django.utils import timezone

from tessera.accounts.models import User

from ..models import PRESENCE_TTL, Ticket, TicketPresence


def others_present(ticket: Ticket, *, user: User) -> list[TicketPresence]:
    """The agents other than ``user`` whose page of ``ticket`` sent a heartbeat lately, typing ones first; one query."""
    rows = (
        TicketPresence.objects.filter(ticket=ticket, last_seen__gte=timezone.now() - PRESENCE_TTL)
        .exclude(user=user)
        .select_related("user")
    )
    typing_first: dict[str, int] = {TicketPresence.Activity.TYPING: 0, TicketPresence.Activity.VIEWING: 1}
    return sorted(rows, key=lambda row: (typing_first.get(row.activity, 1), row.user.get_full_name(), row.user_id))
