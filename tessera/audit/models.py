from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logout")
    PASSWORD_CHANGE = "password_change", _("Password changed")
    PASSWORD_RESET = "password_reset", _("Password reset by e-mail link")
    SECURITY_QUESTION_CHANGE = "security_question_change", _("Security question changed")
    INVITATION = "invitation", _("Contact invited")
    INVITATION_ACCEPT = "invitation_accept", _("Invitation accepted")
    REGISTRATION_CONFIRM = "registration_confirm", _("Registration confirmed")
    LINK_REQUEST_APPROVE = "link_request_approve", _("Link request approved")
    LINK_REQUEST_REJECT = "link_request_reject", _("Link request rejected")
    MEMBERSHIP_ACTIVATE = "membership_activate", _("User activated")
    ROLE_CHANGE = "role_change", _("Role changed")
    MEMBERSHIP_DEACTIVATE = "membership_deactivate", _("User deactivated")
    MEMBERSHIP_REACTIVATE = "membership_reactivate", _("User reactivated")
    ATTACHMENT_DOWNLOAD = "attachment_download", _("Attachment downloaded")
    EXPORT = "export", _("Ticket list exported")
    TWO_FACTOR_ENABLE = "two_factor_enable", _("Two-factor authentication turned on")
    TWO_FACTOR_DISABLE = "two_factor_disable", _("Two-factor authentication turned off")
    TWO_FACTOR_RECOVERY_CODES = "two_factor_recovery_codes", _("Recovery codes regenerated")
    TWO_FACTOR_RECOVERY_CODE_USED = "two_factor_recovery_code_used", _("Recovery code used")
    TWO_FACTOR_DEVICE_REMEMBER = "two_factor_device_remember", _("Device remembered for two-factor authentication")
    TWO_FACTOR_DEVICES_FORGET = "two_factor_devices_forget", _("Remembered devices forgotten")
    ORGANIZATION_TWO_FACTOR = "organization_two_factor", _("Two-factor requirement of an organization changed")
    TOKEN_CREATE = "token_create", _("Access token created")
    TOKEN_REVOKE = "token_revoke", _("Access token revoked")
    TOKEN_ROTATE = "token_rotate", _("Access token rotated")
    SSO_ACCOUNT_CREATE = "sso_account_create", _("Account created at the first single sign-on")
    SSO_IDENTITY_LINK = "sso_identity_link", _("Single sign-on linked to the account")
    SSO_IDENTITY_UNLINK = "sso_identity_unlink", _("Single sign-on unlinked from the account")
    WEBHOOK_CREATE = "webhook_create", _("Webhook subscription created")
    WEBHOOK_CHANGE = "webhook_change", _("Webhook subscription changed")
    WEBHOOK_ROTATE = "webhook_rotate", _("Webhook secret rotated")
    WEBHOOK_DELETE = "webhook_delete", _("Webhook subscription deleted")


def audit_action_choices() -> list[tuple[str, Any]]:
    """The actions, read when asked: a new action needs no migration (apps add theirs to AuditAction)."""
    return AuditAction.choices


class AuditEntry(models.Model):
    """Who did what to which object, from which IP address and when; written once, never changed.

    The actor's e-mail address, the target's description and its organization
    are copied at the time, so the entry still tells the story after the user
    or the object is gone.
    """

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=64, choices=audit_action_choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("actor"),
    )
    actor_email = models.CharField(_("actor's e-mail"), max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    target_type = models.CharField(_("target type"), max_length=100, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_repr = models.CharField(_("target"), max_length=300, blank=True)
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("organization"),
    )
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log entries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["action", "created_at"]),
            models.Index(fields=["organization", "created_at"]),
            models.Index(fields=["actor_email"]),
            models.Index(fields=["ip_address"]),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.get_action_display()} {self.actor_email}".strip()
