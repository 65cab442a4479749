from django.apps import AppConfig


class BackupConfig(AppConfig):
    """``manage.py backup`` and ``restore``: an operations app, on top of every domain app."""

    name = "tessera.backup"
    label = "backup"
