from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SsoIdentity(models.Model):
    """A user's account at an OpenID provider: the provider's name and its subject (``sub``), never the e-mail.

    A login through a provider finds its user by this pair only. The e-mail address serves once, when the
    identity is first linked (docs/security.md, "Single sign-on").
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identities", verbose_name=_("user")
    )
    provider = models.CharField(_("provider"), max_length=64)
    subject = models.CharField(_("subject"), max_length=255)
    email = models.EmailField(_("e-mail address at the provider"))
    created_at = models.DateTimeField(_("linked at"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("last login"), null=True, blank=True)

    class Meta:
        verbose_name = _("single sign-on identity")
        verbose_name_plural = _("single sign-on identities")
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="sso_identity_provider_subject_unique"),
            models.UniqueConstraint(fields=["user", "provider"], name="sso_identity_user_provider_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}: {self.email}"
