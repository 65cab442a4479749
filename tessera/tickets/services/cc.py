"""Who else is kept informed of a ticket: colleagues and plain e-mail addresses in CC."""

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tessera.accounts.models import User
from tessera.core.operations import unit_of_work

from .. import events
from ..cc_rules import check_cc
from ..models import Ticket, TicketCC
from ..policies import ticket_policy
from ..rate_limits import check_customer_activity
from ._common import clean_cc, locked, require_agent_for, touch


@unit_of_work
def ticket_cc_add(
    *, ticket: Ticket, user: User, cc_users: Sequence[User] = (), cc_emails: Sequence[str] = ()
) -> list[str]:
    """Keep more people informed of a ticket; returns the addresses added."""
    ticket = locked(ticket)
    if not ticket_policy.can_comment(user, ticket):
        raise PermissionDenied(_("This ticket is closed; open a follow-up ticket instead."))
    entries = clean_cc(ticket.organization, cc_users, cc_emails)
    existing = set(ticket.cc_entries.values_list("email", flat=True))
    check_cc(ticket.organization, entries, existing, by_staff=user.is_staff)
    check_customer_activity(user=user, organization=ticket.organization, field="cc_emails")
    added = [email for email in entries if email not in existing]
    TicketCC.objects.bulk_create(TicketCC(ticket=ticket, email=email, user=entries[email]) for email in added)
    if added:
        events.cc_changed_event(ticket=ticket, actor=user, added=added, removed=[])
        touch(ticket)
    return added


@unit_of_work
def ticket_cc_remove(*, ticket: Ticket, user: User, emails: Sequence[str]) -> list[str]:
    """Stop keeping addresses informed of a ticket (support staff only); returns the addresses removed."""
    ticket = locked(ticket)
    require_agent_for(user, ticket)
    if ticket.is_closed:
        raise PermissionDenied(_("This ticket is closed and can no longer be changed."))
    wanted = {email.strip().lower() for email in emails if email.strip()}
    entries = ticket.cc_entries.filter(email__in=wanted)
    removed = sorted(entries.values_list("email", flat=True))
    if removed:
        entries.delete()
        events.cc_changed_event(ticket=ticket, actor=user, added=[], removed=removed)
        touch(ticket)
    return removed
