from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "tessera.sla"
    label = "sla"
    verbose_name = _("Service levels")

    def ready(self) -> None:
        # Tickets never import sla: sla follows their events and joins their automation by registering here.
        from tessera.tickets import automation, events

        from .services import check_breaches, on_ticket_event

        events.register_listener(on_ticket_event)
        automation.register_pass("sla_breaches", check_breaches)
