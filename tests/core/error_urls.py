"""The site's URLs, plus three that fail on purpose, for tests/core/test_error_pages.py."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from tessera.urls import handler400, handler403, handler404, handler500
from tessera.urls import urlpatterns as site_urlpatterns


def _denied(request):
    raise PermissionDenied


def _suspicious(request):
    raise SuspiciousOperation("broken request")


def _broken(request):
    raise RuntimeError("a bug")


urlpatterns = [
    path("test-errors/403/", _denied),
    path("test-errors/400/", _suspicious),
    path("test-errors/500/", _broken),
    *site_urlpatterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
