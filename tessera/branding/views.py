"""The brand's public files: the stylesheet with its colour, the logo and the favicon (login pages show them)."""

from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified
from django.views.decorators.http import require_safe

from .selectors import current_branding
from .validators import FAVICON_TYPES, LOGO_TYPES, sniffed_type

#: A versioned URL (``?v=`` the brand's version) never changes; any other is asked again after a minute.
LONG = "public, max-age=31536000, immutable"
SHORT = "public, max-age=60"


def _cache_headers(request, response, etag: str) -> HttpResponse:
    response["ETag"] = etag
    response["Cache-Control"] = LONG if request.GET.get("v") == current_branding().version else SHORT
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _not_modified(request, etag: str) -> bool:
    return etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]


@require_safe
def stylesheet(request):
    """The brand colour as custom properties: CSS without inline styles, which the CSP refuses."""
    branding = current_branding()
    etag = f'"{branding.version}"'
    if _not_modified(request, etag):
        return _cache_headers(request, HttpResponseNotModified(), etag)
    css = (
        f":root{{--color-primary:{branding.primary_color};--color-primary-hover:{branding.primary_hover};"
        f"--color-primary-soft:{branding.primary_soft}}}\n"
    )
    return _cache_headers(request, HttpResponse(css, content_type="text/css; charset=utf-8"), etag)


def _image(request, field, allowed: dict[str, str]):
    branding = current_branding()
    file = getattr(branding, field)
    if not file:
        raise Http404
    etag = f'"{field}-{branding.version}"'
    if _not_modified(request, etag):
        return _cache_headers(request, HttpResponseNotModified(), etag)
    try:
        handle = file.storage.open(file.name, "rb")
    except OSError:
        raise Http404 from None
    content_type = sniffed_type(handle)
    if content_type not in allowed:  # checked on upload; checked again, as the storage is not ours alone
        handle.close()
        raise Http404
    response = FileResponse(handle, content_type=content_type)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return _cache_headers(request, response, etag)


@require_safe
def logo(request):
    return _image(request, "logo", LOGO_TYPES)


@require_safe
def favicon(request):
    return _image(request, "favicon", FAVICON_TYPES)
