"""Reply-To addresses that tie an e-mail reply to one ticket and one recipient.

``support+<ticket id>.<user id>.<signature>@example.com``: the signature is an
HMAC over both ids with the secret key, so nobody can forge an address for a
ticket they were not sent, and a stolen address names only its own recipient.
"""

import hmac
import re
from hashlib import sha256

from django.conf import settings
from django.utils.encoding import force_bytes

SIGNATURE_LENGTH = 20
_LOCAL_PART = re.compile(r"^(?P<base>[^+@]+)\+(?P<ticket>\d+)\.(?P<user>\d+)\.(?P<sig>[0-9a-f]+)$")


def _signature(ticket_id: int, user_id: int, *, secret: str | None = None) -> str:
    key = force_bytes("tessera.reply-token:" + (secret or settings.SECRET_KEY))
    return hmac.new(key, f"{ticket_id}.{user_id}".encode(), sha256).hexdigest()[:SIGNATURE_LENGTH]


def _signed_by_a_key_in_use(signature: str, ticket_id: int, user_id: int) -> bool:
    """The current key, or one of SECRET_KEY_FALLBACKS: replies to mails sent before a key rotation still count."""
    return any(
        hmac.compare_digest(signature, _signature(ticket_id, user_id, secret=secret))
        for secret in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)
    )


def reply_to_address(*, ticket_id: int, user_id: int) -> str:
    """The address a notification about ticket ``ticket_id`` to user ``user_id`` gives as Reply-To."""
    local, _, domain = settings.TESSERA_REPLY_ADDRESS.partition("@")
    return f"{local}+{ticket_id}.{user_id}.{_signature(ticket_id, user_id)}@{domain}"


def parse_reply_address(address: str) -> tuple[int, int] | None:
    """(ticket id, user id) of a genuine reply address; None for anything else."""
    local, _, domain = address.strip().lower().partition("@")
    expected_local, _, expected_domain = settings.TESSERA_REPLY_ADDRESS.lower().partition("@")
    match = _LOCAL_PART.match(local)
    if match is None or domain != expected_domain or match["base"] != expected_local:
        return None
    ticket_id, user_id = int(match["ticket"]), int(match["user"])
    if not _signed_by_a_key_in_use(match["sig"], ticket_id, user_id):
        return None
    return ticket_id, user_id
