"""Rate limits per token, shared by every process (the counter lives in the database: tokens.services)."""

from rest_framework.throttling import BaseThrottle

from tessera.tokens.models import AccessToken
from tessera.tokens.services import token_rate_limit_hit


class TokenRateThrottle(BaseThrottle):
    def allow_request(self, request, view) -> bool:
        self._wait: int | None = None
        if not isinstance(request.auth, AccessToken):
            return True  # the browser's session: its user is limited by the site's own limits
        self._wait = token_rate_limit_hit(token=request.auth)
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait
