"""Single-use links that expire: the invitation, the e-mail confirmation and the password reset.

The raw token exists only in the e-mail. The database keeps its SHA-256 hash:
a token carries 256 random bits, so a fast unsalted hash is enough to make a
stolen database useless for opening the links, and it can be looked up by index.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from tessera.core.errors import ApplicationError

from .models import AccountToken, TokenPurpose, TokenState

# Longer input is not a token of ours; refuse it before hashing.
_MAX_TOKEN_LENGTH = 128


class TokenInvalid(ApplicationError):
    """The link is expired, used, revoked or unknown; ``state`` says which (None: unknown)."""

    def __init__(self, state: TokenState | None) -> None:
        super().__init__(str(state.label if state else "unknown"))
        self.state = state


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_issue(*, user, purpose: TokenPurpose, valid_for: timedelta) -> str:
    """Create a link for ``user`` and return the raw token; earlier open links of that purpose stop working."""
    now = timezone.now()
    token_revoke_all(user=user, purpose=purpose)
    raw = secrets.token_urlsafe(32)
    AccountToken.objects.create(user=user, purpose=purpose, token_hash=_hash(raw), expires_at=now + valid_for)
    return raw


def token_find(raw: str, *, purpose: TokenPurpose) -> AccountToken | None:
    """The token behind a link, in whatever state, or None when there is no such link."""
    if not raw or len(raw) > _MAX_TOKEN_LENGTH:
        return None
    return AccountToken.objects.select_related("user").filter(token_hash=_hash(raw), purpose=purpose).first()


def token_claim(raw: str, *, purpose: TokenPurpose) -> AccountToken:
    """The valid token behind a link, locked until the transaction ends; TokenInvalid otherwise.

    The lock makes two simultaneous submissions of one link take turns: the
    second finds the token used.
    """
    found = token_find(raw, purpose=purpose)
    if found is None:
        raise TokenInvalid(None)
    token = AccountToken.objects.select_for_update().select_related("user").get(pk=found.pk)
    if not token.is_valid:
        raise TokenInvalid(token.state)
    return token


def token_use(token: AccountToken) -> None:
    token.used_at = timezone.now()
    token.save(update_fields=["used_at"])


def token_record_failure(token: AccountToken) -> int:
    """Count a wrong answer on the link's page; return the tries left (at 0 the link is void)."""
    AccountToken.objects.filter(pk=token.pk).update(failed_attempts=F("failed_attempts") + 1)
    token.refresh_from_db(fields=["failed_attempts"])
    left = max(settings.TESSERA_TOKEN_MAX_FAILED_ATTEMPTS - token.failed_attempts, 0)
    if left == 0:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return left


def token_revoke_all(*, user, purpose: TokenPurpose) -> None:
    AccountToken.objects.filter(user=user, purpose=purpose, used_at=None, revoked_at=None).update(
        revoked_at=timezone.now()
    )
