"""The SLA's pieces of the desk's and the portal's pages (their templates include ``templates/sla/``)."""

from datetime import datetime

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _

from tessera.tickets.models import Ticket

from .. import selectors

register = template.Library()


@register.simple_tag
def ticket_due_times(ticket: Ticket) -> list[selectors.DueTime]:
    return selectors.due_times(selectors.ticket_sla(ticket))


@register.simple_tag
def organization_tier(organization_id: int) -> selectors.Tier | None:
    return selectors.organization_tier(organization_id)


@register.simple_tag
def customer_answer_by(ticket: Ticket) -> datetime | None:
    return selectors.customer_answer_by(ticket)


@register.simple_tag
def queue_due(ticket: Ticket) -> selectors.DueTime | None:
    """The due time that runs now, from the row the queue read with its ticket (``select_related("sla")``)."""
    try:
        sla = ticket.sla
    except ObjectDoesNotExist:
        return None
    for due in selectors.due_times(sla, now=timezone.now()):
        if due.kind == sla.next_due_kind and due.due_at is not None:
            return due
    return None


@register.filter
def duration(minutes: int) -> str:
    """Minutes as "2 d 3 h", "3 h 20 min" or "20 min"."""
    days, rest = divmod(int(minutes), 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": mins}
    return _("%(minutes)d min") % {"minutes": mins}
