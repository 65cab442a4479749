"""/healthz and /readyz: no login, no session, no version, no setting; JSON a load balancer and a person can read."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .checks import readiness


def _answer(body: dict, status: int) -> JsonResponse:
    return JsonResponse(body, status=status)  # never_cache: no proxy keeps an old answer


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """The process answers. Nothing else is asked (no database): a node whose database is down stays alive,
    and a load balancer that restarts dead processes does not restart every node at once for it."""
    return _answer({"status": "ok"}, 200)


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """The node can serve: the database answers, the storage can be used, workers keep up with the queue.
    503, with what failed, when not: the load balancer sends it no requests until it is ready again."""
    results = readiness()
    failed = {name: reason for name, reason in results.items() if reason}
    body = {
        "status": "fail" if failed else "ok",
        "checks": {name: ("fail" if reason else "ok") for name, reason in results.items()},
        "failed": failed,
    }
    return _answer(body, 503 if failed else 200)
