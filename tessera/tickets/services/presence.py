"""Who has a ticket's workspace open: the heartbeat of each agent's page, kept in the database.

Every web node answers heartbeats, so the state cannot live in one process: one
row per ticket and agent, written with a single upsert. A row without a
heartbeat for ``PRESENCE_TTL`` is gone; every heartbeat deletes the rows that
have expired (an indexed range on ``last_seen``, usually empty), so the table
stays as small as the number of open workspaces.
"""

from django.utils import timezone

from tessera.accounts.models import User

from ..models import PRESENCE_TTL, Ticket, TicketPresence
from ._common import require_agent_for


def ticket_presence_beat(*, ticket: Ticket, user: User, activity: str) -> None:
    """``user`` has ``ticket`` open and is ``activity`` (viewing or typing); a constant two statements.

    Not a unit of work: the upsert and the sweep each stand alone, and a heartbeat lost is sent again
    ten seconds later.
    """
    require_agent_for(user, ticket)
    if activity not in TicketPresence.Activity.values:
        activity = TicketPresence.Activity.VIEWING
    now = timezone.now()
    TicketPresence.objects.filter(last_seen__lt=now - PRESENCE_TTL).delete()
    TicketPresence.objects.bulk_create(
        [TicketPresence(ticket=ticket, user=user, activity=activity, last_seen=now)],
        update_conflicts=True, unique_fields=["ticket", "user"], update_fields=["activity", "last_seen"],
    )


def ticket_presence_leave(*, ticket: Ticket, user: User) -> None:
    """``user`` closed the workspace of ``ticket`` (the page's last word, when the browser sends it)."""
    TicketPresence.objects.filter(ticket=ticket, user=user).delete()
