import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from tessera.notifications.inbound_smtp import build_controller


class Command(BaseCommand):
    help = (
        "Receive support mail over SMTP (aiosmtpd): replies to notifications become comments, mail to the "
        "support address opens tickets. Let the mail server relay the support address and its plus-addresses "
        "here. Mail that cannot be kept now (database or attachment storage unavailable) is answered with "
        "451, so the sending server delivers it again later. Runs until stopped (Ctrl+C or SIGTERM)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.TESSERA_INBOUND_SMTP_HOST,
                            help="Address to listen on (default: TESSERA_INBOUND_SMTP_HOST).")
        parser.add_argument("--port", type=int, default=settings.TESSERA_INBOUND_SMTP_PORT,
                            help="Port to listen on (default: TESSERA_INBOUND_SMTP_PORT).")

    def handle(self, *args, host, port, **options):
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_args: stop.set())
        controller = build_controller(host=host, port=port)
        controller.start()
        self.stdout.write(f"Receiving mail on {host}:{port}; stop with Ctrl+C.")
        try:
            while not stop.wait(1):
                pass
        finally:
            controller.stop()
        self.stdout.write("Mail receiver stopped.")
