"""Who calls the API: a bearer access token (tessera.tokens), or the browser's session with its CSRF token."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from tessera.tokens.services import token_authenticate


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer tsr_…``: a personal or service token; an unknown, expired or revoked one is a 401."""

    keyword = "bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the token as: Authorization: Bearer <token>."))
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This token is not valid, has expired or was revoked."))
        token = token_authenticate(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(_("This token is not valid, has expired or was revoked."))
        return token.user, token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (with this challenge), not 403, to a request without credentials.
        return 'Bearer realm="api"'


class CsrfSessionAuthentication(authentication.SessionAuthentication):
    """The signed-in browser: a write needs the CSRF token, as every form of the site does."""
