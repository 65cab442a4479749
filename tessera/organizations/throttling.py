"""Throttle guessing of customer codes at first login: per user, per organization and per network address.

Failures are rows in the database, so every web process on every machine counts
the same ones. Within the last ``TESSERA_LINK_COOLOFF_MINUTES``:

- a user with ``TESSERA_LINK_FAILURE_LIMIT`` failures waits (their own guesses);
- an organization whose customer code was given with a wrong postal code
  ``TESSERA_LINK_ORGANIZATION_FAILURE_LIMIT`` times takes no new link requests
  (many accounts guessing one practice's postal code);
- a network address with ``TESSERA_LINK_NETWORK_FAILURE_LIMIT`` failures waits.
  This limit is much higher: a practice's colleagues share one router, and one
  of them mistyping must not lock out the others.

The check and the recorded failure happen under a lock of the user's row
(``link_request_create``), so parallel guesses of one user are counted one after
the other and no more than the limit are ever tried.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from tessera.core.errors import ApplicationError

from .models import LinkAttempt, Organization

if TYPE_CHECKING:
    from tessera.accounts.models import User


class TooManyAttempts(ApplicationError):
    """The user, the organization or the address has used up its tries for now."""


def _window_start():
    return timezone.now() - timedelta(minutes=settings.TESSERA_LINK_COOLOFF_MINUTES)


@dataclass(frozen=True)
class LinkThrottle:
    user: "User"
    ip_address: str | None

    def is_blocked(self, organization: Organization | None = None) -> bool:
        """Whether the user, the address or ``organization`` (the one the code names) has used up its tries."""
        by_user = Q(user=self.user)
        by_address = Q(ip_address=self.ip_address) if self.ip_address else Q(pk__in=[])
        by_organization = Q(organization=organization) if organization is not None else Q(pk__in=[])
        counts = LinkAttempt.objects.filter(created_at__gte=_window_start()).filter(
            by_user | by_address | by_organization
        ).aggregate(
            user=Count("pk", filter=by_user),
            address=Count("pk", filter=by_address),
            organization=Count("pk", filter=by_organization),
        )
        return (
            counts["user"] >= settings.TESSERA_LINK_FAILURE_LIMIT
            or counts["address"] >= settings.TESSERA_LINK_NETWORK_FAILURE_LIMIT
            or counts["organization"] >= settings.TESSERA_LINK_ORGANIZATION_FAILURE_LIMIT
        )

    def record_failure(self, organization: Organization | None = None) -> None:
        """Count a wrong pair; ``organization`` is the one whose customer code was given with a wrong postal code."""
        # Old rows are of no use to anyone: drop them while we are here (an indexed range delete).
        LinkAttempt.objects.filter(created_at__lt=_window_start()).delete()
        LinkAttempt.objects.create(user=self.user, ip_address=self.ip_address or None, organization=organization)

    @staticmethod
    def cooloff_minutes() -> int:
        return settings.TESSERA_LINK_COOLOFF_MINUTES
