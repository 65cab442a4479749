from collections.abc import Callable
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from tessera.core.client_ip import client_ip

from .sessions import ACTIVITY_INTERVAL, SEEN_KEY, session_touch
from .two_factor import VERIFIED_SESSION_KEY, two_factor_enabled, two_factor_required

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


class TwoFactorRequiredMiddleware:
    """Whoever must use two-factor authentication and has not set it up yet can do nothing else.

    Staff when TESSERA_REQUIRE_2FA_STAFF is on, members of an organization that requires it: every page
    leads to the set-up page, but for logging out, the language and the public pages a login needs. A
    session that passed the second step (or set it up) is marked and costs no query afterwards.
    """

    ALLOWED = frozenset({
        "accounts:two_factor_setup", "accounts:logout", "accounts:language", "accounts:terms", "accounts:privacy",
        "branding:css", "branding:logo", "branding:favicon", "metrics",
    })

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.session.get(VERIFIED_SESSION_KEY):
            return None
        if not two_factor_required(user):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in self.ALLOWED:
            return None
        if two_factor_enabled(user):  # set up in another session: this one asks no more
            request.session[VERIFIED_SESSION_KEY] = True
            return None
        return redirect("accounts:two_factor_setup")
