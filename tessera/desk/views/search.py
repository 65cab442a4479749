"""The desk's global search (``/desk/search/?q=…``): every ticket the agent may see, closed ones included."""

from urllib.parse import urlencode

from django.shortcuts import render

from tessera.tickets.selectors import global_search

from ..decorators import staff_required
from ..forms import GlobalSearchForm


def _page_number(value: str | None) -> int:
    # A page out of range is not worth a message: the selector shows the nearest page.
    try:
        return max(1, min(int(value or 1), 10_000))
    except ValueError:
        return 1


@staff_required
def search(request):
    form = GlobalSearchForm(request.GET if "q" in request.GET else None)
    results = None
    if form.is_bound and form.is_valid() and form.cleaned_data["q"].strip():
        results = global_search.global_search(
            request.user, form.cleaned_data["q"], page=_page_number(request.GET.get("page"))
        )
    context = {"form": form, "results": results, "query_string": urlencode({"q": results.query}) if results else ""}
    return render(request, "desk/search.html", context)
