"""Access tokens for the REST API: personal ones of a user, service ones for an integration.

Only a SHA-256 hash of a token is stored: the token itself is shown once, when it is made. A token's
first characters (its prefix) are kept in clear so its owner can tell tokens apart.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TokenScope(models.TextChoices):
    READ = "read", _("Read only")
    READ_WRITE = "read_write", _("Read and write")


class TokenKind(models.TextChoices):
    PERSONAL = "personal", _("Personal access token")
    SERVICE = "service", _("Service token")


class AccessTokenQuerySet(models.QuerySet):
    def usable(self) -> "AccessTokenQuerySet":
        now = timezone.now()
        return self.filter(revoked_at=None).filter(models.Q(expires_at=None) | models.Q(expires_at__gt=now))


class AccessToken(models.Model):
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=TokenKind.choices, default=TokenKind.PERSONAL)
    #: Whom the API sees: the person for a personal token, the integration's service account for a service token.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens", verbose_name=_("user")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )
    prefix = models.CharField(_("prefix"), max_length=16)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    scope = models.CharField(_("scope"), max_length=16, choices=TokenScope.choices, default=TokenScope.READ)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = AccessTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("access token")
        verbose_name_plural = _("access tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def may_write(self) -> bool:
        return self.scope == TokenScope.READ_WRITE


class TokenRateWindow(models.Model):
    """How many requests a token made in one window of time: the rate limit every web process shares."""

    token = models.ForeignKey(AccessToken, on_delete=models.CASCADE, related_name="+")
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "window_start"], name="token_rate_window_unique")]

    def __str__(self) -> str:
        return f"{self.token_id} @ {self.window_start}: {self.count}"
