"""Read support mail from an IMAP mailbox (TESSERA_IMAP_URL) and process each unread message.

A message is fetched without marking it read (``BODY.PEEK[]``) and only marked
read, or moved to TESSERA_IMAP_PROCESSED_FOLDER, once it has been processed:
a message that fails (database down, no default category, an attachment the
storage cannot keep) stays unread and is tried again at the next poll, so none
is lost. Processing is idempotent by Message-ID, so a message read twice (two
pollers, a crash between processing and marking) changes nothing twice.
"""

import contextlib
import imaplib
import logging
import signal
import ssl
import threading
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from tessera.notifications.inbound import InboundResult, Outcome, process_inbound_message

logger = logging.getLogger(__name__)

_SECURITY = {"imaps": "ssl", "imap": "none", "imap+starttls": "starttls"}
_DEFAULT_PORT = {"ssl": 993, "none": 143, "starttls": 143}


@dataclass(frozen=True)
class ImapConfig:
    host: str
    port: int
    username: str
    password: str = field(repr=False)
    folder: str = "INBOX"
    security: str = "ssl"  # "ssl", "starttls" or "none"
    processed_folder: str = ""
    timeout: float = 60


def parse_imap_url(url: str, *, processed_folder: str = "") -> ImapConfig:
    """imaps://user:password@host[:port]/FOLDER (imap:// without TLS, imap+starttls:// with STARTTLS)."""
    parts = urlsplit(url.strip())
    security = _SECURITY.get(parts.scheme.lower())
    if security is None or not parts.hostname or not parts.username:
        raise ImproperlyConfigured("TESSERA_IMAP_URL must look like imaps://user:password@host/INBOX")
    return ImapConfig(
        host=parts.hostname,
        port=parts.port or _DEFAULT_PORT[security],
        username=unquote(parts.username),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
        security=security,
        processed_folder=processed_folder,
    )


def _mailbox(name: str) -> str:
    """A mailbox name as an IMAP quoted string."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def connect(config: ImapConfig) -> imaplib.IMAP4:
    context = ssl.create_default_context()
    imap: imaplib.IMAP4
    if config.security == "ssl":
        imap = imaplib.IMAP4_SSL(config.host, config.port, ssl_context=context, timeout=config.timeout)
    else:
        imap = imaplib.IMAP4(config.host, config.port, timeout=config.timeout)
        if config.security == "starttls":
            imap.starttls(context)
    try:
        imap.login(config.username, config.password)
    except BaseException:
        imap.shutdown()
        raise
    return imap


def _check(typ: str, what: str) -> None:
    if typ != "OK":
        raise imaplib.IMAP4.error(f"IMAP {what} failed")


def _mark_done(imap: imaplib.IMAP4, uid: str, config: ImapConfig) -> None:
    _check(imap.uid("STORE", uid, "+FLAGS", "(\\Seen)")[0], "STORE")
    if not config.processed_folder:
        return
    if "MOVE" in imap.capabilities:
        _check(imap.uid("MOVE", uid, _mailbox(config.processed_folder))[0], "MOVE")
    else:
        _check(imap.uid("COPY", uid, _mailbox(config.processed_folder))[0], "COPY")
        _check(imap.uid("STORE", uid, "+FLAGS", "(\\Deleted)")[0], "STORE")
        imap.expunge()


def process_uid(imap: imaplib.IMAP4, uid: str, config: ImapConfig) -> InboundResult | None:
    """Process one message of the selected mailbox; None when it stays unread for the next poll."""
    typ, data = imap.uid("FETCH", uid, "(BODY.PEEK[])")
    raw = next((item[1] for item in data or [] if isinstance(item, tuple)), None) if typ == "OK" else None
    if raw is None:
        logger.warning("IMAP message %s could not be fetched; it stays unread", uid)
        return None
    try:
        result = process_inbound_message(raw)
    except Exception:
        logger.exception("IMAP message %s could not be processed; it stays unread and is tried again", uid)
        return None
    if result.outcome == Outcome.TEMPORARY_FAILURE:
        logger.warning("IMAP message %s (%s): %s; it stays unread and is tried again", uid, result.message_id,
                       result.reason)
        return None
    _mark_done(imap, uid, config)
    logger.info("IMAP message %s (%s): %s %s", uid, result.message_id, result.outcome, result.reason)
    return result


def poll_once(config: ImapConfig) -> list[InboundResult | None]:
    """Log in, process every unread message of the folder, log out; one entry per message."""
    imap = connect(config)
    try:
        _check(imap.select(_mailbox(config.folder))[0], "SELECT")
        typ, data = imap.uid("SEARCH", "UNSEEN")
        _check(typ, "SEARCH")
        uids = [uid.decode() for uid in (data[0] or b"").split()] if data else []
        return [process_uid(imap, uid, config) for uid in uids]
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            imap.logout()


class Command(BaseCommand):
    help = (
        "Read unread mail from the IMAP mailbox in TESSERA_IMAP_URL: replies to notifications become comments, "
        "mail to the support address opens tickets. Polls every TESSERA_IMAP_POLL_SECONDS until stopped, "
        "or once with --once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Poll once and exit (for cron).")
        parser.add_argument("--interval", type=int, default=settings.TESSERA_IMAP_POLL_SECONDS,
                            help="Seconds between two polls (default: TESSERA_IMAP_POLL_SECONDS).")

    def handle(self, *args, once, interval, **options):
        if not settings.TESSERA_IMAP_URL:
            raise CommandError("TESSERA_IMAP_URL is not set: there is no mailbox to poll.")
        try:
            config = parse_imap_url(settings.TESSERA_IMAP_URL, processed_folder=settings.TESSERA_IMAP_PROCESSED_FOLDER)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        if once:
            try:
                results = poll_once(config)
            except (OSError, imaplib.IMAP4.error) as error:
                raise CommandError(f"IMAP polling of {config.host} failed: {error}") from None
            self.stdout.write(f"{len(results)} message(s) read, {results.count(None)} left for the next poll.")
            return
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_args: stop.set())
        self.stdout.write(f"Polling {config.folder} on {config.host} every {interval} s; stop with Ctrl+C.")
        while not stop.is_set():
            close_old_connections()
            try:
                poll_once(config)
            except (OSError, imaplib.IMAP4.error):
                logger.exception("IMAP polling of %s failed; trying again in %s s", config.host, interval)
            stop.wait(interval)
