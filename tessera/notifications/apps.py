from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "tessera.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from tessera.core.observability.metrics import register_scrape_time_collector

        from .metrics import collect_outbox

        register_scrape_time_collector("outbox", collect_outbox)
