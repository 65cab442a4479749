import threading
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.utils import timezone
from django.utils.crypto import get_random_string


class ConsoleAndFileBackend(ConsoleBackend):
    """The embedded default: print every message and keep a copy in ``EMAIL_FILE_PATH``.

    A newcomer without an SMTP server can follow activation links from either.
    """

    _lock = threading.RLock()

    def send_messages(self, email_messages):
        sent = super().send_messages(email_messages)
        folder = Path(settings.EMAIL_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            name = f"{timezone.now():%Y%m%d-%H%M%S}-{get_random_string(8)}.eml"
            (folder / name).write_bytes(message.message().as_bytes())
        return sent
