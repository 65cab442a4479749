from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "tessera.webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        # The domain apps below know nothing of webhooks: we register with them (docs/architecture.md).
        from . import events

        events.connect()
