"""The request being served, as the audit log needs it: the client's IP address and the signed-in user.

Services do not receive the request; AuditContextMiddleware puts what they need
here for the length of one request. A context variable keeps concurrent
requests (threads or asyncio tasks) apart.
"""

from contextvars import ContextVar
from dataclasses import dataclass

from tessera.core.client_ip import client_ip


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None
    request: object  # the HttpRequest: its ``user`` is read when an entry is written, after any login or logout

    @property
    def user(self):
        user = getattr(self.request, "user", None)
        return user if user is not None and user.is_authenticated else None


_current: ContextVar[RequestContext | None] = ContextVar("tessera_audit_request", default=None)


def client_ip_address(request) -> str | None:
    """The client's address as the login throttle sees it (behind proxies too); None when there is none."""
    return client_ip(request) or None


def current() -> RequestContext | None:
    return _current.get()


def activate(request):
    """Set the context for ``request``; returns the token ``deactivate`` needs."""
    return _current.set(RequestContext(ip_address=client_ip_address(request), request=request))


def deactivate(token) -> None:
    _current.reset(token)
