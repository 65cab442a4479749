"""Login throttling: lock the account, slow the network down, never lock out a whole practice.

django-axes locks an *account* after ``TESSERA_LOGIN_FAILURE_LIMIT`` failures, whatever
the address they come from (``AXES_LOCKOUT_PARAMETERS = ["username"]``), and its owner
gets an unlock link by e-mail. An *address* (a practice's router, a clinic's proxy) is
never locked at that count: from ``TESSERA_LOGIN_NETWORK_DELAY_AFTER`` failures on, each
further try from it has to wait twice as long as the one before, and only at
``TESSERA_LOGIN_NETWORK_FAILURE_LIMIT`` does it wait out the cool-off. Everything is
counted in the database (axes' failure log), so every web node counts the same.
"""

import math
from datetime import timedelta

from axes.models import AccessFailureLog
from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone

from .models import User


def login_identity(request: object, credentials: dict | None) -> str:
    """What axes counts failures against: the account, however it was named.

    ``AXES_USERNAME_CALLABLE``. Typing the e-mail address three times and the user name
    twice is five failures of one account, not two counts of three and two. A name that
    belongs to no account is counted as typed (normalized).
    """
    typed = str((credentials or {}).get("username") or getattr(request, "POST", {}).get("username") or "")
    user = User.objects.by_login(typed)
    return (user.email if user is not None else User.normalize_username(typed.strip())).lower()


def network_wait_seconds(ip_address: str | None) -> int:
    """How long a login from ``ip_address`` has to wait before it may try again (0: it may now).

    One query. Failures older than the cool-off count for nothing.
    """
    if not ip_address:
        return 0
    cooloff = timedelta(hours=settings.AXES_COOLOFF_TIME)
    now = timezone.now()
    recent = AccessFailureLog.objects.filter(ip_address=ip_address, attempt_time__gte=now - cooloff).aggregate(
        failures=Count("pk"), last=Max("attempt_time")
    )
    failures, last = recent["failures"], recent["last"]
    delay_after = settings.TESSERA_LOGIN_NETWORK_DELAY_AFTER
    if last is None or failures < delay_after:
        return 0
    if failures >= settings.TESSERA_LOGIN_NETWORK_FAILURE_LIMIT:
        wait = cooloff
    else:
        wait = min(timedelta(seconds=2 ** (failures - delay_after)), cooloff)
    left = (last + wait - now).total_seconds()
    return max(math.ceil(left), 0)
