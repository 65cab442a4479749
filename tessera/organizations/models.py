from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tessera.core.limits import REASON_MAX_LENGTH
from tessera.core.models import TimeStampedModel


class Organization(TimeStampedModel):
    """A customer of the vendor: a practice, a clinic, a lab."""

    customer_code = models.CharField(
        _("customer code"), max_length=32, unique=True,
        help_text=_("As printed on the vendor's invoices."),
    )
    name = models.CharField(_("name"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=16)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166 code, e.g. IT"))
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    is_active = models.BooleanField(_("active"), default=True)
    require_two_factor = models.BooleanField(
        _("two-factor authentication required"), default=False,
        help_text=_("Every user of the organization sets up two-factor authentication before using the portal."),
    )

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.customer_code})"


class Role(models.TextChoices):
    RESTRICTED = "restricted", _("Restricted user")
    BASIC = "basic", _("Basic user")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Administrator")


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def admins(self):
        return self.active().filter(role=Role.ADMIN)


class Membership(TimeStampedModel):
    """Links a customer user to the one organization they work for, with a role."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership",
        verbose_name=_("user"),
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="memberships",
        verbose_name=_("organization"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.RESTRICTED)
    is_active = models.BooleanField(_("active"), default=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        indexes = [models.Index(fields=["organization", "role"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.organization} ({self.get_role_display()})"

    @property
    def is_admin(self) -> bool:
        return self.is_active and self.role == Role.ADMIN

    @property
    def is_restricted(self) -> bool:
        return self.role == Role.RESTRICTED

    @property
    def may_use_tickets(self) -> bool:
        return self.is_active and self.role != Role.RESTRICTED

    @property
    def sees_organization_tickets(self) -> bool:
        return self.is_active and self.role in (Role.MANAGER, Role.ADMIN)


class LinkRequest(TimeStampedModel):
    """A user's request, at first login, to be linked to an organization."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="link_requests",
        verbose_name=_("user"),
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="link_requests",
        verbose_name=_("organization"),
    )
    customer_code = models.CharField(_("customer code"), max_length=32)
    postal_code = models.CharField(_("postal code"), max_length=16)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True, max_length=REASON_MAX_LENGTH)

    class Meta:
        verbose_name = _("link request")
        verbose_name_plural = _("link requests")
        indexes = [models.Index(fields=["organization", "state"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(state="pending"), name="one_pending_link_request_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.organization} ({self.get_state_display()})"


class LinkAttempt(models.Model):
    """A wrong customer code / postal code pair; counted per user, per organization and per IP address.

    Kept in the database, not a cache, so every web process sees the same count.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("user"),
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    organization = models.ForeignKey(
        "Organization", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("organization"), help_text=_("The organization whose customer code was given."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("failed link attempt")
        verbose_name_plural = _("failed link attempts")
        indexes = [
            models.Index(fields=["user", "created_at"]),
            models.Index(fields=["ip_address", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.ip_address} {self.created_at:%Y-%m-%d %H:%M}"


class OrganizationNote(TimeStampedModel):
    """What the vendor's agents want each other to know about a customer; customers never see it."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="agent_notes", verbose_name=_("organization"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("note"), max_length=REASON_MAX_LENGTH)

    class Meta:
        verbose_name = _("note about an organization")
        verbose_name_plural = _("notes about organizations")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.organization.customer_code}: {self.body[:40]}"
