from collections.abc import Callable
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from tessera.core.client_ip import client_ip

from .sessions import ACTIVITY_INTERVAL, SEEN_KEY, session_touch

#: The session key the record was written for: a key cycled since (password change) is recorded again.
RECORDED_KEY = "_tessera_recorded"


class SessionActivityMiddleware:
    """Keep the account page's list of sessions current: "last used" at most every five minutes.

    Reads only the session, which authentication has loaded already; writes one row when due.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        session = request.session
        if user is not None and user.is_authenticated and session.session_key:
            seen = session.get(SEEN_KEY)
            due = seen is None or timezone.now() - datetime.fromisoformat(seen) >= ACTIVITY_INTERVAL
            if due or session.get(RECORDED_KEY) != session.session_key:
                session_touch(
                    user=user,
                    session_key=session.session_key, ip_address=client_ip(request) or None,
                    user_agent=request.META.get("HTTP_USER_AGENT", ""),
                )
                mark_seen(request)
        return self.get_response(request)


def mark_seen(request: HttpRequest) -> None:
    request.session[SEEN_KEY] = timezone.now().isoformat()
    request.session[RECORDED_KEY] = request.session.session_key
