"""The audit log for the vendor's administrators: who did what, from where and when."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from tessera.audit import selectors

from ..decorators import staff_required
from ..forms import AuditFilterForm
from .pages import page_range

PAGE_SIZE = 50


@staff_required
def audit_log(request):
    """Every audited action, newest first; only vendor administrators (superusers) find this page."""
    if not request.user.is_superuser:
        raise Http404
    form = AuditFilterForm(request.GET or None)
    filters = {}
    if form.is_bound:
        form.is_valid()  # a filter typed wrong is shown with its error; the others still apply
        filters = {name: value for name, value in form.cleaned_data.items() if value not in (None, "")}
    page = Paginator(selectors.audit_entries(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "page_range": page_range(page), "query": query.urlencode()}
    return render(request, "desk/audit_log.html", context)
