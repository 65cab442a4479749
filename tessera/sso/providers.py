"""The OpenID providers of settings.TESSERA_OIDC_PROVIDERS, and their discovery documents (fetched, cached)."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from tessera.core.errors import ApplicationError

CUSTOMERS, STAFF = "customers", "staff"


class ProviderUnavailable(ApplicationError):
    """The provider did not answer, or not with a usable discovery document."""


@dataclass(frozen=True)
class Provider:
    name: str
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    label: str
    logo: str
    audience: str

    def __post_init__(self) -> None:
        if self.audience not in (CUSTOMERS, STAFF):
            raise ImproperlyConfigured(
                f"TESSERA_OIDC_{self.name.upper()}_AUDIENCE must be {CUSTOMERS} or {STAFF}, not {self.audience!r}"
            )
        if not self.issuer.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise ImproperlyConfigured(f"TESSERA_OIDC_{self.name.upper()}_ISSUER must be an https:// address")

    @property
    def for_staff(self) -> bool:
        return self.audience == STAFF

    def configuration(self) -> dict[str, Any]:
        """The discovery document; read again after TESSERA_OIDC_DISCOVERY_CACHE_SECONDS. A failure is not kept."""
        key = f"tessera.sso.discovery:{self.issuer}"
        document = cache.get(key)
        if document is not None:
            return document
        try:
            response = requests.get(
                f"{self.issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT
            )
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError):
            raise ProviderUnavailable(_unavailable_message(self)) from None
        needed = ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint")
        if not isinstance(document, dict) or document.get("issuer") != self.issuer or not all(
            isinstance(document.get(name), str) for name in needed
        ):
            raise ProviderUnavailable(_unavailable_message(self))
        cache.set(key, document, settings.TESSERA_OIDC_DISCOVERY_CACHE_SECONDS)
        return document

    @property
    def origin(self) -> str:
        parts = urlsplit(self.issuer)
        return f"{parts.scheme}://{parts.netloc}"


def _unavailable_message(provider: Provider) -> str:
    return _(
        "%(provider)s cannot be reached at the moment. Please try again in a few minutes, or log in with "
        "your e-mail address and password if you have one."
    ) % {"provider": provider_display_name(provider)}


def provider_display_name(provider: Provider) -> str:
    """The provider's name as users know it: the button's label without "Log in with"."""
    return provider.label.removeprefix("Log in with ").strip() or provider.name


def providers() -> list[Provider]:
    return [Provider(**entry) for entry in settings.TESSERA_OIDC_PROVIDERS]


def provider_get(name: str) -> Provider | None:
    return next((provider for provider in providers() if provider.name == name), None)
