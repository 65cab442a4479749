"""Making, using and revoking access tokens; every change is audited."""

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tessera.accounts.models import User
from tessera.audit.models import AuditAction
from tessera.audit.services import audit_record
from tessera.core.operations import unit_of_work

from .models import AccessToken, TokenKind, TokenRateWindow, TokenScope

#: Every token starts with this, so a secret scanner (and a person) can recognise one.
TOKEN_PREFIX = "tsr_"  # noqa: S105 (a marker, not a secret)


def token_hash(raw: str) -> str:
    """The stored form of a token: a token is 256 random bits, so one SHA-256 round is enough (no salt needed)."""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: AccessToken
    #: The token itself: shown once, never stored.
    raw: str


def _check(name: str, scope: str, expires_at: datetime | None) -> str:
    name = name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Give the token a name.")
    elif len(name) > 100:
        errors["name"] = _("The name may have at most 100 characters.")
    if scope not in TokenScope.values:
        errors["scope"] = _("Choose read only or read and write.")
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = _("The expiry date must lie in the future.")
    if errors:
        raise ValidationError(errors)
    return name


def _issue(
    *, user: User, created_by: User, name: str, scope: str, expires_at: datetime | None, kind: str
) -> IssuedToken:
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AccessToken.objects.create(
        user=user, created_by=created_by, name=name, scope=scope, expires_at=expires_at, kind=kind,
        prefix=raw[: len(TOKEN_PREFIX) + 6], key_hash=token_hash(raw),
    )
    audit_record(action=AuditAction.TOKEN_CREATE, actor=created_by, target=token, kind=kind, scope=scope,
                 name=name, expires_at=expires_at.isoformat() if expires_at else None)
    return IssuedToken(token=token, raw=raw)


@unit_of_work
def personal_token_create(*, user: User, name: str, scope: str, expires_at: datetime | None) -> IssuedToken:
    """A token that acts as ``user``, with at most ``scope``'s rights."""
    if not user.is_active:
        raise PermissionDenied
    name = _check(name, scope, expires_at)
    return _issue(user=user, created_by=user, name=name, scope=scope, expires_at=expires_at,
                  kind=TokenKind.PERSONAL)


@unit_of_work
def service_token_create(*, created_by: User, name: str, scope: str, expires_at: datetime | None) -> IssuedToken:
    """A vendor administrator's token for an integration: it acts as a service account of its own (a vendor
    administrator that cannot log in), so what the integration does is told apart from any person's."""
    if not (created_by.is_active and created_by.is_superuser):
        raise PermissionDenied(_("Only vendor administrators can create service tokens."))
    name = _check(name, scope, expires_at)
    account = User(
        email=f"service-{secrets.token_hex(6)}@service.invalid", first_name=name[:150], last_name="",
        is_staff=True, is_superuser=True, is_active=True,
    )
    account.set_unusable_password()
    account.save()
    return _issue(user=account, created_by=created_by, name=name, scope=scope, expires_at=expires_at,
                  kind=TokenKind.SERVICE)


@unit_of_work
def token_revoke(*, token: AccessToken, revoked_by: User) -> AccessToken:
    """The token stops working at once; a service token's account is deactivated with it."""
    mine = token.user_id == revoked_by.pk or token.created_by_id == revoked_by.pk
    if not (mine or revoked_by.is_superuser):
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        if token.kind == TokenKind.SERVICE:
            User.objects.filter(pk=token.user_id).update(is_active=False)
        audit_record(action=AuditAction.TOKEN_REVOKE, actor=revoked_by, target=token, name=token.name)
    return token


@unit_of_work
def token_rotate(*, token: AccessToken, expires_at: datetime | None = None) -> IssuedToken:
    """A new token in place of ``token``, which stops working at once: same owner, kind, name and scope.

    An integration renews its own credentials without a person at the account page. Without ``expires_at``
    the new token lives as long as the old one was meant to (none: no expiry). A service token's account
    stays active: only the token changes.
    """
    token = AccessToken.objects.select_for_update().get(pk=token.pk)
    now = timezone.now()
    if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        raise PermissionDenied(_("This token was revoked or has expired."))
    if expires_at is None and token.expires_at is not None:
        expires_at = now + (token.expires_at - token.created_at)
    _check(token.name, token.scope, expires_at)
    issued = _issue(user=token.user, created_by=token.created_by or token.user, name=token.name,
                    scope=token.scope, expires_at=expires_at, kind=token.kind)
    token.revoked_at = now
    token.save(update_fields=["revoked_at"])
    audit_record(action=AuditAction.TOKEN_ROTATE, actor=token.user, target=token, name=token.name,
                 replaced_by=issued.token.pk)
    return issued


def token_authenticate(raw: str) -> AccessToken | None:
    """The usable token ``raw`` names (its user active), or None; notes when it was last used (at most once a
    minute, so a busy integration does not write on every request)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = (
        AccessToken.objects.usable().select_related("user").filter(key_hash=token_hash(raw)).first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def token_rate_limit_hit(*, token: AccessToken) -> int | None:
    """Count one request of ``token``; when it is over its limit, the seconds until it may ask again.

    The counter is a database row per token and minute, so every web process on every node counts together.
    """
    limit = settings.TESSERA_API_TOKEN_RATE_PER_MINUTE
    now = timezone.now()
    window_start = now.replace(second=0, microsecond=0)
    windows = TokenRateWindow.objects.filter(token=token, window_start=window_start)
    if not windows.update(count=F("count") + 1):
        try:
            with transaction.atomic():
                TokenRateWindow.objects.create(token=token, window_start=window_start, count=1)
        except IntegrityError:  # another process made the row a moment ago
            windows.update(count=F("count") + 1)
    count = windows.values_list("count", flat=True).first() or 0
    if count <= limit:
        if count == 1:  # once a minute per token: forget the windows that are over
            TokenRateWindow.objects.filter(token=token, window_start__lt=window_start).delete()
        return None
    return max(1, math.ceil((window_start + timedelta(minutes=1) - now).total_seconds()))
