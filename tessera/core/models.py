from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class FormSubmission(models.Model):
    """A form sent once: its one-time token (``core.idempotency``) and where what it made can be seen.

    A second submit with the same token (a double click, a reload, a retry after a
    timeout) makes nothing new and is sent to ``result_url``.
    """

    token = models.CharField(_("form token"), max_length=64, unique=True)
    user_id = models.BigIntegerField(_("user"), db_index=False)
    result_url = models.CharField(_("result"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    def __str__(self) -> str:
        return self.token


class Lease(models.Model):
    """A named piece of work one process of the whole installation holds until ``expires_at`` (``core.leases``).

    Several web nodes and workers share one database: a lease is how exactly one of them does what must happen
    once (the automation's pass), without a scheduler process of its own.
    """

    name = models.CharField(_("name"), max_length=100, primary_key=True)
    holder = models.CharField(_("holder"), max_length=200, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("lease")
        verbose_name_plural = _("leases")

    def __str__(self) -> str:
        return self.name
