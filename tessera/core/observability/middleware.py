"""The outermost middleware: the request id, the request's log line and its latency sample."""

import logging
import time

from django.db import connections
from django.utils.functional import empty

from .metrics import REQUEST_LATENCY, REQUESTS
from .request_id import HEADER, request_id_from, reset_current_request_id, set_current_request_id

#: One line per request, at INFO: JSON with TESSERA_LOG_FORMAT=json (docs/deploy.md, "Logs").
request_logger = logging.getLogger("tessera.request")

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class _QueryCounter:
    """A database execute wrapper that counts the queries run through it."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def view_name(request) -> str:
    """The URL's name (``portal:ticket_detail``), never its path: paths carry ticket numbers and tokens."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unresolved>"  # a 404 for an unknown path, or a request refused before the URL was resolved
    return match.view_name or match._func_path


class RequestObservabilityMiddleware:
    """Give the request its id, then write one log line and one latency sample once it is answered.

    Put first in MIDDLEWARE, so the duration covers every other middleware, and a 500 drawn by Django's handler
    for a failing view or middleware is still seen here (its page shows the id).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_from(request.headers.get(HEADER))
        token = set_current_request_id(request.request_id)
        counter = _QueryCounter()
        started = time.perf_counter()
        try:
            with _counting_queries(counter):
                response = self.get_response(request)
            duration = time.perf_counter() - started
            response[HEADER] = request.request_id
            self._record(request, response.status_code, duration, counter.count)
            return response
        finally:
            reset_current_request_id(token)

    @staticmethod
    def _record(request, status: int, duration: float, queries: int) -> None:
        view = view_name(request)
        # A client chooses the method: any other than these is one label value, not a new series per name.
        method = request.method if request.method in METHODS else "OTHER"
        REQUEST_LATENCY.labels(view=view, method=method).observe(duration)
        REQUESTS.labels(view=view, method=method, status=str(status)).inc()
        if not request_logger.isEnabledFor(logging.INFO):
            return
        user_id = _user_id(request)
        request_logger.info(
            "%s %s %s %.1f ms, %d queries", method, view, status, duration * 1000, queries,
            extra={
                "request_id": request.request_id, "user_id": user_id, "view": view, "method": method,
                "status": status, "duration_ms": round(duration * 1000, 2), "queries": queries,
            },
        )


def _user_id(request) -> int | None:
    """The signed-in user's id, if the request loaded its user: loading it here would cost queries of its own."""
    user = getattr(request, "user", None)
    wrapped = getattr(user, "_wrapped", user)  # request.user is a SimpleLazyObject until something reads it
    if wrapped is None or wrapped is empty or not getattr(wrapped, "is_authenticated", False):
        return None
    return wrapped.pk


class _counting_queries:
    """Count the queries of every database connection of this thread while the block runs."""

    def __init__(self, counter: _QueryCounter) -> None:
        self.counter = counter
        self.contexts: list = []

    def __enter__(self):
        for connection in connections.all(initialized_only=False):
            context = connection.execute_wrapper(self.counter)
            context.__enter__()
            self.contexts.append(context)
        return self.counter

    def __exit__(self, *exc):
        for context in reversed(self.contexts):
            context.__exit__(*exc)
        return False
