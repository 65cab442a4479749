"""``/metrics``: the Prometheus exposition, for the monitoring system only.

Off (404) unless ``TESSERA_METRICS_TOKEN`` or ``TESSERA_METRICS_ALLOWED_NETWORKS`` is set. When the token is
set, a scrape must send ``Authorization: Bearer <token>`` (401 otherwise); when networks are set, the client's
address (``tessera.core.client_ip``, behind ``TESSERA_PROXY_COUNT`` proxies) must be in one of them (403
otherwise). When both are set, both are asked. The answer is never cached.
"""

import hmac
import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from tessera.core.client_ip import client_ip

from .metrics import exposition


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(network, strict=False) for network in spec)


def _address_allowed(request: HttpRequest, networks: tuple[str, ...]) -> bool:
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in network for network in _networks(networks))


def _token_given(request: HttpRequest, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    token = settings.TESSERA_METRICS_TOKEN
    networks = tuple(settings.TESSERA_METRICS_ALLOWED_NETWORKS)
    if not token and not networks:
        raise Http404  # not configured: the URL is not there
    if networks and not _address_allowed(request, networks):
        return HttpResponse("Forbidden: this address may not read the metrics.\n", status=403,
                            content_type="text/plain; charset=utf-8")
    if token and not _token_given(request, token):
        response = HttpResponse("Unauthorized: send Authorization: Bearer <TESSERA_METRICS_TOKEN>.\n", status=401,
                                content_type="text/plain; charset=utf-8")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
