"""mozilla-django-oidc's backend, configured per provider from its discovery document.

The library does the protocol: the code exchange (with the PKCE verifier), the ID token's RS256 signature
against the provider's keys, its expiry and nonce, the user info. This backend adds what the library leaves
unchecked (the token's issuer and audience) and hands the claims to ``services.sso_login_resolve``.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from tessera.accounts.backends import EmailOrUsernameBackend

from . import services
from .providers import Provider

#: The attribute the callback view sets on the request: which provider this login comes back from.
REQUEST_PROVIDER = "tessera_sso_provider"


class OidcBackend(OIDCAuthenticationBackend):
    provider: Provider | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The library reads one provider's endpoints from settings here; ours come with the request.
        self.UserModel = get_user_model()

    def get_settings(self, attr: str, *args: Any) -> Any:
        provider = self.provider
        if provider is not None:
            if attr == "OIDC_RP_SCOPES":
                return provider.scopes
            if attr == "OIDC_CREATE_USER":
                return False
        return import_from_settings(attr, *args)

    def authenticate(self, request, **kwargs):
        provider = getattr(request, REQUEST_PROVIDER, None) if request is not None else None
        if provider is None or "nonce" not in kwargs:
            return None
        self.provider = provider
        configuration = provider.configuration()
        self.OIDC_OP_TOKEN_ENDPOINT = configuration["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = configuration["userinfo_endpoint"]
        self.OIDC_OP_JWKS_ENDPOINT = configuration["jwks_uri"]
        self.OIDC_RP_CLIENT_ID = provider.client_id
        self.OIDC_RP_CLIENT_SECRET = provider.client_secret
        self.OIDC_RP_SIGN_ALGO = import_from_settings("OIDC_RP_SIGN_ALGO", "RS256")
        self.OIDC_RP_IDP_SIGN_KEY = None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        assert self.provider is not None
        # The library checks neither: a token the provider issued to another client, or another provider's
        # token, must not log anyone in here.
        if payload.get("iss") != self.provider.issuer:
            raise SuspiciousOperation("ID token from another issuer")
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.provider.client_id not in audiences:
            raise SuspiciousOperation("ID token for another client")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        assert self.provider is not None
        claims = self.get_userinfo(access_token, id_token, payload)
        if not isinstance(claims, dict) or claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("User info for another subject")
        # What the ID token says wins over the user info, which is not signed.
        identity = services.identity_from_claims(self.provider, {**claims, **payload})
        return services.sso_login_resolve(provider=self.provider, identity=identity)

    def get_user(self, user_id):
        # The same user, with the same related rows loaded, as after a local login.
        return EmailOrUsernameBackend().get_user(user_id)
