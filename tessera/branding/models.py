"""The vendor's brand: one row, edited in the administration, read on every page through the cache."""

import hashlib
import logging
import uuid

from django.core.cache import cache
from django.core.files.storage import Storage
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from tessera.core.operations import delete_file_on_rollback, operation

from .colors import darken, tint
from .validators import validate_favicon, validate_logo, validate_primary_color

CACHE_KEY = "tessera:branding:v1"
#: Other processes with a process-local cache see a change after at most this many seconds.
CACHE_SECONDS = 60
DEFAULT_PRIMARY_COLOR = "#0b4f8a"
FILE_FIELDS = ("logo", "favicon")

logger = logging.getLogger(__name__)


def _logo_path(instance, filename: str) -> str:
    # The uploader's file name is never used: it could say anything.
    return f"branding/logo-{uuid.uuid4().hex}"


def _favicon_path(instance, filename: str) -> str:
    return f"branding/favicon-{uuid.uuid4().hex}"


def _delete_after_commit(storage: Storage, name: str) -> None:
    def delete() -> None:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("Could not delete the replaced branding file %s", name)

    transaction.on_commit(delete)


class Branding(models.Model):
    """The product name, logo, colour and support contact every page and e-mail shows (a single row)."""

    SINGLETON_PK = 1

    product_name = models.CharField(_("product name"), max_length=60, default="Tessera")
    tagline = models.CharField(
        _("tagline"),
        max_length=120,
        blank=True,
        help_text=_("Shown next to the logo, e.g. “Synchronizing Healthcare”."),
    )
    logo = models.FileField(
        _("logo"),
        upload_to=_logo_path,
        blank=True,
        max_length=255,
        validators=[validate_logo],
        help_text=_("PNG, JPEG or WebP, at most 512 KB; about 40 pixels high looks best. SVG is not accepted."),
    )
    favicon = models.FileField(
        _("favicon"),
        upload_to=_favicon_path,
        blank=True,
        max_length=255,
        validators=[validate_favicon],
        help_text=_("PNG or ICO, at most 100 KB."),
    )
    primary_color = models.CharField(
        _("primary colour"),
        max_length=7,
        default=DEFAULT_PRIMARY_COLOR,
        validators=[validate_primary_color],
        help_text=_("#rrggbb. White text on it must reach a contrast of 4.5:1 (WCAG AA)."),
    )
    support_phone = models.CharField(_("support phone"), max_length=40, blank=True)
    support_email = models.EmailField(_("support e-mail"), blank=True)
    support_hours = models.CharField(
        _("support hours"), max_length=200, blank=True, help_text=_("Free text, e.g. “Mon–Fri 8:00–18:00”.")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("branding")
        verbose_name_plural = _("branding")

    def __str__(self) -> str:
        return self.product_name

    def save(self, *args, **kwargs) -> None:
        """Like an attachment's, a new logo's file is stored before the row: if the row's write or its commit fails,
        the file is deleted again; a logo replaced or removed is deleted once the change is committed."""
        self.pk = self.SINGLETON_PK
        self.primary_color = self.primary_color.lower()
        new_files = [getattr(self, field) for field in FILE_FIELDS if getattr(self, field)
                     and not getattr(self, field)._committed]
        with operation():
            before = Branding.objects.filter(pk=self.pk).values(*FILE_FIELDS).first() or {}
            try:
                super().save(*args, **kwargs)
            finally:  # stored by the field as the row was written, whether or not the write then failed
                for file in new_files:
                    if file._committed and file.name:
                        delete_file_on_rollback(file.storage, file.name)
            for field in FILE_FIELDS:
                previous = before.get(field)
                if previous and previous != getattr(self, field).name:
                    _delete_after_commit(getattr(self, field).storage, previous)
        cache.delete(CACHE_KEY)
        # Again after the commit: a page rendered meanwhile may have cached the row as it was.
        transaction.on_commit(lambda: cache.delete(CACHE_KEY))

    @property
    def primary_hover(self) -> str:
        return darken(self.primary_color)

    @property
    def primary_soft(self) -> str:
        return tint(self.primary_color)

    @property
    def version(self) -> str:
        """Changes whenever the row does: appended to the URLs of the stylesheet, logo and favicon."""
        stamp = f"{self.updated_at and self.updated_at.isoformat()}|{self.primary_color}|{self.logo}|{self.favicon}"
        return hashlib.sha256(stamp.encode()).hexdigest()[:12]

    @property
    def has_support_contact(self) -> bool:
        return bool(self.support_phone or self.support_email or self.support_hours)
