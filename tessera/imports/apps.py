from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """Imports from the systems a vendor already has: an operations app, on top of every domain app."""

    name = "tessera.imports"
    label = "imports"
    #: The storage folders of this app's files and the fields that name them (``sweep_attachments``).
    stored_files = {"imports": ("imports.ImportRun.file",)}
