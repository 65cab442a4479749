"""Customers as the desk sees them: the list, searched, and one organization with its people."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.http import urlencode

from tessera.organizations import selectors as organization_selectors
from tessera.organizations.forms import OrganizationSearchForm

from ..decorators import staff_required
from .pages import page_range

PAGE_SIZE = 25


@staff_required
def organizations(request):
    """Customers: search by name, customer code or city."""
    form = OrganizationSearchForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(organization_selectors.organization_list(search=search), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "form": form,
        "page": page,
        "page_range": page_range(page),
        "search": search,
        "query": urlencode({"q": search}) if search else "",
    }
    return render(request, "desk/organizations.html", context)


@staff_required
def organization_detail(request, pk):
    organization = organization_selectors.organization_or_404(pk=pk)
    context = {
        "org": organization,
        "memberships": organization_selectors.organization_memberships(organization=organization),
        "link_requests": organization_selectors.pending_link_requests(organization=organization),
    }
    return render(request, "desk/organization_detail.html", context)
