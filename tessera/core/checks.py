"""Deployment checks of our own, run by `manage.py check --deploy`."""

from django.conf import settings
from django.core.checks import Error, Tags, register

DEVELOPMENT_KEY_PREFIX = "insecure-development-key"
PLACEHOLDERS = frozenset({"change-me", "..."})  # what .env.example and docs/deploy.md show


@register(Tags.security, deploy=True)
def secret_key_is_not_the_development_key(app_configs, **kwargs):
    """The key printed in settings.py is public: a deployment that runs on it can have its signatures forged."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if any(str(key).startswith(DEVELOPMENT_KEY_PREFIX) or key in PLACEHOLDERS for key in keys):
        return [Error(
            "The secret key is the development key of settings.py or the placeholder of .env.example.",
            hint="Set TESSERA_SECRET_KEY to a long random value of your own (docs/deploy.md).",
            id="tessera.E001",
        )]
    return []
