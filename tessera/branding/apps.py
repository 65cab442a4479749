from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrandingConfig(AppConfig):
    name = "tessera.branding"
    label = "branding"
    verbose_name = _("Branding")
    #: The storage folders of this app's files and the fields that name them (``sweep_attachments``).
    stored_files = {"branding": ("branding.Branding.logo", "branding.Branding.favicon")}
