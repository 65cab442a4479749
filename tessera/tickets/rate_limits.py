"""How much one customer, and one organization, may make the support address send in an hour.

Each ticket, comment or CC change of a customer mails the requester, the CC and
support. Without a limit one account could make the support address send
hundreds of mails with text of its choosing (issue 14, finding 2). Counted on the
tickets and events themselves, so every web process and mail receiver sees the
same numbers; support staff are not limited.

A refusal is an ``ApplicationError``: the portal shows it in the form and keeps
what was typed; the mail receiver answers "try again later" (SMTP 451), so a
mail is delayed, not lost.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tessera.accounts.models import User
from tessera.core.errors import ApplicationError
from tessera.organizations.models import Organization

from .models import Ticket, TicketEvent

#: What a customer does that sends mail to others.
MAILING_EVENTS = (TicketEvent.Type.CREATED, TicketEvent.Type.COMMENT_ADDED, TicketEvent.Type.CC_CHANGED)
WINDOW = timedelta(hours=1)


class RateLimited(ApplicationError):
    """Too much in the last hour, from this user or this organization."""

    def __init__(self, *, field: str | None = None) -> None:
        super().__init__(_("You have sent a lot in the last hour. Please wait a little and try again; what you wrote"
                           " is kept."), field=field)


def check_customer_activity(
    *, user: User, organization: Organization, creating: bool = False, field: str | None = None
) -> None:
    """Refuse (``RateLimited``, about ``field`` of the form) a customer's ticket, comment or CC change over the
    hourly limits."""
    if user.is_staff:
        return
    since = timezone.now() - WINDOW
    by_user, by_organization = Q(created_by=user), Q(organization=organization)
    if creating:
        tickets = Ticket.objects.filter(by_user | by_organization, created_at__gte=since).aggregate(
            user=Count("pk", filter=by_user), organization=Count("pk", filter=by_organization)
        )
        if (
            tickets["user"] >= settings.TESSERA_TICKETS_PER_HOUR_PER_USER
            or tickets["organization"] >= settings.TESSERA_TICKETS_PER_HOUR_PER_ORGANIZATION
        ):
            raise RateLimited(field=field)
    by_actor, in_organization = Q(actor=user), Q(ticket__organization=organization)
    actions = TicketEvent.objects.filter(
        by_actor | in_organization, created_at__gte=since, type__in=MAILING_EVENTS, actor__is_staff=False
    ).aggregate(user=Count("pk", filter=by_actor), organization=Count("pk", filter=in_organization))
    if (
        actions["user"] >= settings.TESSERA_CUSTOMER_ACTIONS_PER_HOUR_PER_USER
        or actions["organization"] >= settings.TESSERA_CUSTOMER_ACTIONS_PER_HOUR_PER_ORGANIZATION
    ):
        raise RateLimited(field=field)
