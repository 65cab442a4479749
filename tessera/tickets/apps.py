from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tessera.tickets"
    label = "tickets"
    verbose_name = _("Tickets")
    #: The storage folders of this app's files and the fields that name them (``sweep_attachments``).
    stored_files = {"attachments": ("tickets.Attachment.file",)}

    def ready(self) -> None:
        # Received mail is read by ``notifications`` (a lower floor, which may not import tickets) and handed to
        # the handler registered here. Registering it from this app, rather than naming it in a setting loaded
        # with ``import_string``, keeps the dependency pointing down, visible to the import contract, and needs
        # no setting that could name the wrong code.
        from tessera.notifications.inbound import register_handler

        from .inbound_mail import TicketMailHandler

        register_handler(TicketMailHandler())
