import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: The storage folder that keeps uploaded import files between the preview and the commit.
IMPORTS_DIR = "imports"


def import_file_path(instance: "ImportRun", filename: str) -> str:
    return f"{IMPORTS_DIR}/{timezone.now():%Y/%m}/{secrets.token_hex(16)}"


class ImportRun(models.Model):
    """One import: the file as uploaded, its dry run's report and, once committed, what was written."""

    class Kind(models.TextChoices):
        ORGANIZATIONS = "organizations", _("Organizations and contacts")
        TICKETS = "tickets", _("Tickets")

    class State(models.TextChoices):
        PREVIEWED = "previewed", _("Checked, not imported yet")
        COMMITTED = "committed", _("Imported")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.PREVIEWED)
    original_name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(_("file"), upload_to=import_file_path, max_length=255, blank=True)
    invite = models.BooleanField(_("invite the new contacts"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    committed_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    #: Counts by outcome ("created", "updated", "unchanged", "error", ...), of the last check or commit.
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    #: One entry per row of the file: line, key, outcome, messages (``report.RowResult.as_dict``).
    rows = models.JSONField(_("rows"), default=list, blank=True)
    #: A problem with the file as a whole (wrong columns, not a spreadsheet): then there are no rows.
    file_error = models.TextField(_("file error"), blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"
