"""The address of the client behind the request, as the login throttle, the audit log and the link throttle see it.

Behind reverse proxies every request reaches Django from the nearest proxy's
address (``REMOTE_ADDR``). Each proxy appends the address it received the
request from to ``X-Forwarded-For``, so with ``TESSERA_PROXY_COUNT`` trusted
proxies in front of Tessera the client is the N-th entry from the right: the
one the outermost trusted proxy appended. Entries to its left come from the
client and may be forged, so they are never read.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The client's IP address; ``REMOTE_ADDR`` without proxies or when the forwarded header is missing or malformed."""
    remote_addr = request.META.get("REMOTE_ADDR") or ""
    proxy_count = settings.TESSERA_PROXY_COUNT
    if proxy_count <= 0:
        return remote_addr
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    # Only the last proxy_count entries were written by trusted proxies; do not even split the rest.
    entries = forwarded.rsplit(",", proxy_count)
    if len(entries) < proxy_count:  # the request did not pass through every proxy: the header is not theirs
        return remote_addr
    forwarded_address = _ip_address(entries[-proxy_count].strip())
    return forwarded_address or remote_addr


def _ip_address(text: str) -> str | None:
    """``text`` in its canonical form if it is a plain IPv4 or IPv6 address, else None."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # A zone ("fe80::1%eth0") names an interface of the proxy's machine, and the database's address columns refuse it.
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id is not None:
        return None
    return str(address)
