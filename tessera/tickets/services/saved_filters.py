"""The customer's default filter of "My tickets"."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from tessera.accounts.models import User
from tessera.core.operations import unit_of_work

from ..models import SavedTicketFilter
from ..selectors.listing import clean_statuses


@unit_of_work
def saved_ticket_filter_save(*, user: User, statuses: Iterable[object], only_own: bool = False) -> SavedTicketFilter:
    """Keep ``statuses`` (and "Only own tickets") as the user's default filter of "My tickets"."""
    membership = getattr(user, "membership", None)
    if user.is_staff or membership is None or not membership.may_use_tickets:
        raise PermissionDenied(gettext("You cannot see tickets yet."))
    saved, _created = SavedTicketFilter.objects.update_or_create(
        user=user,
        defaults={
            "statuses": list(clean_statuses(statuses)),
            # Basic users see colleagues' tickets they are in CC of: "only own" narrows their list too.
            "only_own": bool(only_own),
        },
    )
    return saved
