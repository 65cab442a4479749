"""The id of the request being served, for the log lines, the 500 page and the e-mails it queues.

A reverse proxy that sets ``X-Request-ID`` (nginx: ``proxy_set_header X-Request-ID $request_id``) names the
request in its own access log too; a header that is missing or not a plain token (letters, digits, ``-``,
``_``, ``.``, at most 64 characters) is replaced by a new random id, so nothing a client sends can break a
log line or an e-mail header.
"""

import re
import uuid
from contextvars import ContextVar

#: The header that carries the id: read from the proxy, sent back with every response, written into e-mails.
HEADER = "X-Request-ID"
_ACCEPTED = re.compile(r"[A-Za-z0-9._-]{8,64}")

_current: ContextVar[str] = ContextVar("tessera_request_id", default="")


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id_from(header_value: str | None) -> str:
    """The proxy's id if it is a plain token, else a new one."""
    if header_value and _ACCEPTED.fullmatch(header_value):
        return header_value
    return new_request_id()


def current_request_id() -> str:
    """The id of the request this code serves; empty outside a request (task worker, mail receiver, commands)."""
    return _current.get()


def set_current_request_id(request_id: str):
    """Make ``request_id`` the current one; returns the token that ``reset_current_request_id`` takes."""
    return _current.set(request_id)


def reset_current_request_id(token) -> None:
    _current.reset(token)
