"""The vendor's inbox of link requests: a user asks to join a customer organization, staff decide."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from tessera.core.forms import apply_service_error
from tessera.organizations import selectors as organization_selectors
from tessera.organizations import services as organization_services
from tessera.organizations.forms import RejectForm

from ..decorators import staff_required
from ..errors import FORM_ERRORS, refusals_shown
from .pages import page_range

PAGE_SIZE = 25


def _back_to(request, default: str):
    """Where to return after a decision: a local ``next`` address, else ``default``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        # Not redirect(): it would look up a target without "/" or "." as a view name (a 500 when none matches).
        return HttpResponseRedirect(target)
    return redirect(default)


def _back_to_approvals(request, pk):
    return _back_to(request, "desk:approvals")


@staff_required
def approvals(request):
    """The vendor's inbox of link requests waiting for approval, across organizations, oldest first."""
    page = Paginator(organization_selectors.pending_link_requests(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "desk/approvals.html", {"page": page, "page_range": page_range(page)})


@staff_required
@refusals_shown(_back_to_approvals, hide_denied=True)
def approval_approve(request, pk):
    link_request = organization_selectors.pending_link_request_or_404(pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    organization_services.link_request_approve(link_request=link_request, approved_by=request.user)
    messages.success(
        request,
        _("%(name)s is now a Basic user of %(organization)s.")
        % {"name": link_request.user.get_full_name(), "organization": link_request.organization.name},
    )
    return _back_to(request, "desk:approvals")


@staff_required
@refusals_shown(_back_to_approvals, hide_denied=True)
def approval_reject(request, pk):
    link_request = organization_selectors.pending_link_request_or_404(pk=pk)
    form = RejectForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            organization_services.link_request_reject(
                link_request=link_request, rejected_by=request.user, reason=form.cleaned_data["reason"]
            )
        except FORM_ERRORS as error:
            apply_service_error(form, error)
        else:
            messages.success(
                request, _("The request of %(name)s has been rejected.") % {"name": link_request.user.get_full_name()}
            )
            return _back_to(request, "desk:approvals")
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    context = {"link_request": link_request, "form": form, "next": next_url}
    return render(request, "desk/approvals_reject.html", context)
