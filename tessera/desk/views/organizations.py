"""Customers as the desk sees them: the list, searched, and one organization with its people."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tessera.core.forms import apply_service_error
from tessera.organizations import selectors as organization_selectors
from tessera.organizations import services as organization_services
from tessera.organizations.forms import OrganizationNoteForm, OrganizationSearchForm, TwoFactorRequirementForm

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


def render_organization(request, organization, *, note_form=None, two_factor_form=None, status=200):
    context = {
        "org": organization,
        "memberships": organization_selectors.organization_memberships(organization=organization),
        "link_requests": organization_selectors.pending_link_requests(organization=organization),
        "notes": organization_selectors.organization_notes(organization_id=organization.pk),
        "note_form": note_form or OrganizationNoteForm(),
        "two_factor_form": two_factor_form
        or TwoFactorRequirementForm(initial={"required": organization.require_two_factor}),
    }
    return render(request, "desk/organization_detail.html", context, status=status)


@staff_required
def organization_detail(request, pk):
    return render_organization(request, organization_selectors.organization_or_404(pk=pk))


@staff_required
@require_POST
def organization_note_add(request, pk):
    """A note for agents about the organization; back to the ticket it was written from, or to the organization."""
    organization = organization_selectors.organization_or_404(pk=pk)
    form = OrganizationNoteForm(request.POST)
    if form.is_valid():
        try:
            organization_services.organization_note_add(
                organization=organization, author=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            apply_service_error(form, error)
    if not form.is_valid():
        return render_organization(request, organization, note_form=form, status=400)
    messages.success(request, _("Your note about %(name)s was saved.") % {"name": organization.name})
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(back)
    return redirect("desk:organization_detail", pk=organization.pk)


@staff_required
@require_POST
def organization_two_factor(request, pk):
    """Vendor staff require two-factor authentication of every user of an organization, or no longer."""
    organization = organization_selectors.organization_or_404(pk=pk)
    form = TwoFactorRequirementForm(request.POST)
    if not form.is_valid():
        return render_organization(request, organization, two_factor_form=form, status=400)
    required = form.cleaned_data["required"]
    organization_services.organization_two_factor_require(
        organization=organization, required=required, changed_by=request.user
    )
    messages.success(request, TwoFactorRequirementForm.saved_message(organization, required))
    return redirect("desk:organization_detail", pk=organization.pk)
