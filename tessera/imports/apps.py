from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """Imports from the systems a vendor already has: an operations app, on top of every domain app."""

    name = "tessera.imports"
    label = "imports"
