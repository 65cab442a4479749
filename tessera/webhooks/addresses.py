"""Where a webhook may go: never to this machine or its networks (SSRF), unless the setting allows it.

A URL is checked twice. When it is saved, a literal private address (or
``localhost``) is refused with a message. At each delivery every address the
name resolves to is checked, and the request goes to the checked address
itself, so a name that resolves elsewhere a moment later (DNS rebinding) gains
nothing. Redirects are never followed.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


class AddressRefused(Exception):
    """The URL leads somewhere webhooks may not go."""


def private_allowed() -> bool:
    return bool(settings.TESSERA_WEBHOOKS_ALLOW_PRIVATE)


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def literal_address_problem(url: str) -> str | None:
    """At subscription time: a message if the URL names a private address literally, else None."""
    if private_allowed():
        return None
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        return _("This address points to this server itself; webhooks cannot be sent there.")
    try:
        public = _is_public(host)
    except ValueError:
        return None  # a name: checked at each delivery, on what it resolves to then
    if not public:
        return _("This is a private, loopback or link-local address; webhooks are only sent to public addresses.")
    return None


def resolve(host: str, port: int) -> str:
    """The address to connect to for ``host``; refused when any address it resolves to is not public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise AddressRefused(f"cannot resolve {host}: {error}") from error
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise AddressRefused(f"cannot resolve {host}")
    if not private_allowed():
        refused = [address for address in addresses if not _is_public(address)]
        if refused:
            raise AddressRefused(f"{host} resolves to a non-public address ({', '.join(sorted(set(refused)))})")
    return addresses[0]
