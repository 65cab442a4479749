"""Throttle guessing of customer codes at first login: failures per user and per IP address.

Failures are rows in the database, so every web process on every machine counts
the same ones. A user or an address with ``TESSERA_LINK_FAILURE_LIMIT`` failures
within the last ``TESSERA_LINK_COOLOFF_MINUTES`` waits until the oldest of them
leaves that window.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from tessera.core.errors import ApplicationError

from .models import LinkAttempt

if TYPE_CHECKING:
    from tessera.accounts.models import User


class TooManyAttempts(ApplicationError):
    """The user or the address has used up its tries for now."""


def _window_start():
    return timezone.now() - timedelta(minutes=settings.TESSERA_LINK_COOLOFF_MINUTES)


@dataclass(frozen=True)
class LinkThrottle:
    user: "User"
    ip_address: str | None

    def is_blocked(self) -> bool:
        """Whether the user or the address has used up its tries (one query)."""
        limit = settings.TESSERA_LINK_FAILURE_LIMIT
        recent = LinkAttempt.objects.filter(created_at__gte=_window_start())
        if not self.ip_address:
            return recent.filter(user=self.user).count() >= limit
        by_user, by_address = Q(user=self.user), Q(ip_address=self.ip_address)
        counts = recent.filter(by_user | by_address).aggregate(
            user=Count("pk", filter=by_user), address=Count("pk", filter=by_address)
        )
        return counts["user"] >= limit or counts["address"] >= limit

    def record_failure(self) -> None:
        # Old rows are of no use to anyone: drop them while we are here (an indexed range delete).
        LinkAttempt.objects.filter(created_at__lt=_window_start()).delete()
        LinkAttempt.objects.create(user=self.user, ip_address=self.ip_address or None)

    @staticmethod
    def cooloff_minutes() -> int:
        return settings.TESSERA_LINK_COOLOFF_MINUTES
