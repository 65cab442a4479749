"""The benchmark's ceiling: a page that costs Django nothing but its request cycle.

Mounted by ``bench/urls.py`` only when ``TESSERA_BENCH`` is on (``make bench`` sets it). The body is
built once at import: about 20 KB of static HTML, the size of a typical
Tessera page, so the ceiling includes the same bytes on the wire.
"""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

_ROW = "<tr><td>0800000000</td><td>Printer does not print the prescription</td><td>Open</td></tr>\n"
BODY = (
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Static</title></head><body>\n<table>\n"
    + _ROW * (20_000 // len(_ROW))
    + "</table>\n</body></html>\n"
).encode()


@require_GET
def static_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BODY, content_type="text/html; charset=utf-8")
