from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutgoingEmailQuerySet(models.QuerySet):
    def queued(self):
        return self.filter(status=OutgoingEmail.Status.QUEUED)

    def failed(self):
        return self.filter(status=OutgoingEmail.Status.FAILED)


class OutgoingEmail(models.Model):
    """One message to one address, stored before it is sent and kept after.

    Rendered completely when it is queued, so the task worker only sends
    strings. ``idempotency_key`` is unique: a ticket notification's key names
    its event and recipient, so composing the same event twice queues nothing
    new, and the delivery task, holding the row's lock, never sends a message
    that is already sent.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    idempotency_key = models.CharField(_("idempotency key"), max_length=400, unique=True)
    template = models.CharField(_("message"), max_length=100, blank=True, help_text=_("Name of the e-mail template."))
    to = models.CharField(_("to"), max_length=320)
    subject = models.CharField(_("subject"), max_length=1000)
    text = models.TextField(_("plain text"))
    html = models.TextField(_("HTML"), blank=True)
    reply_to = models.CharField(_("reply-to"), max_length=320, blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True, default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="outgoing_email_status_created"),
            models.Index(fields=["status", "next_attempt_at"], name="outgoing_email_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"

    @property
    def can_retry(self) -> bool:
        return self.status != self.Status.SENT
