"""Signed-in sessions a user can see and end (the account page's "Where you are signed in").

Django keeps the session itself; ``UserSession`` keeps what a person recognizes
it by. Ending a session deletes both, so the next request of that browser is
signed out at once, on every machine that shares the session store.
"""

import re
from datetime import timedelta

from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tessera.core.operations import unit_of_work

from .models import User, UserSession

#: A session's "last used" is written at most this often (one UPDATE, not one per request).
ACTIVITY_INTERVAL = timedelta(minutes=5)
SEEN_KEY = "_tessera_seen"

_BROWSERS = [("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Chromium/", "Chromium"), ("Safari/", "Safari")]
_SYSTEMS = [("Windows", "Windows"), ("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux")]


def device_name(user_agent: str) -> str:
    """"Firefox on Windows" from a User-Agent header; "Unknown device" when nothing is recognized."""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), "")
    system = next((name for marker, name in _SYSTEMS if re.search(re.escape(marker), user_agent)), "")
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system or _("Unknown device")


def session_record(*, user: User, session_key: str, ip_address: str | None, user_agent: str) -> None:
    """Remember the session a login just made (a repeated login with the same key updates it)."""
    UserSession.objects.update_or_create(
        session_key=session_key,
        defaults={"user": user, "ip_address": ip_address or None, "user_agent": user_agent[:300],
                  "last_seen_at": timezone.now()},
    )


def session_touch(*, user: User, session_key: str, ip_address: str | None, user_agent: str) -> None:
    updated = UserSession.objects.filter(session_key=session_key, user=user).update(
        last_seen_at=timezone.now(), ip_address=ip_address or None
    )
    if not updated:  # a session from before sessions were recorded
        session_record(user=user, session_key=session_key, ip_address=ip_address, user_agent=user_agent)


def sessions_of(user: User) -> QuerySet[UserSession]:
    """The user's sessions that are still valid in the session store, last used first."""
    alive = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return UserSession.objects.filter(user=user, session_key__in=alive)


def _end(sessions: QuerySet[UserSession]) -> int:
    keys = list(sessions.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    sessions.delete()
    return len(keys)


@unit_of_work
def session_end(*, user: User, session_id: int) -> int:
    """End one of the user's own sessions; another user's id ends nothing."""
    return _end(UserSession.objects.filter(user=user, pk=session_id))


@unit_of_work
def sessions_end_others(*, user: User, keep_session_key: str) -> int:
    """End every session of the user but the one they are using."""
    return _end(UserSession.objects.filter(user=user).exclude(session_key=keep_session_key))


def sessions_end_all(*, user: User) -> int:
    """End every session of the user (deactivated, removed from their organization): signed out at once."""
    with transaction.atomic():
        return _end(UserSession.objects.filter(user=user))


def forget_session(session_key: str) -> None:
    UserSession.objects.filter(session_key=session_key).delete()
