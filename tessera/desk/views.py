from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from tessera.core.errors import ApplicationError
from tessera.core.transactions import atomic_writes
from tessera.organizations import selectors as organization_selectors
from tessera.organizations import services as organization_services
from tessera.organizations.forms import OrganizationSearchForm, RejectForm, add_service_error
from tessera.tickets.selectors import queues
from tessera.tickets.workflow import StatusCategory

from .decorators import staff_required


@atomic_writes
@staff_required
def home(request):
    """The agent's overview: the queues with their counts, and the visible tickets per status category."""
    per_category = queues.status_category_counts(request.user)
    rows = [(category.label, per_category[category]) for category in StatusCategory]
    counts = queues.queue_counts(request.user)
    context = {"rows": rows, "queues": [(queue, counts[queue.key]) for queue in queues.QUEUES]}
    return render(request, "desk/queue_home.html", context)


PAGE_SIZE = 25


def _back_to(request, default: str):
    """Where to return after a decision: a local ``next`` address, else ``default``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        # Not redirect(): it would look up a target without "/" or "." as a view name (a 500 when none matches).
        return HttpResponseRedirect(target)
    return redirect(default)


@staff_required
def approvals(request):
    """The vendor's inbox of link requests waiting for approval, across organizations, oldest first."""
    page = Paginator(organization_selectors.pending_link_requests(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "desk/approvals.html", {"page": page})


@staff_required
def approval_approve(request, pk):
    link_request = organization_selectors.pending_link_request_or_404(pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        organization_services.link_request_approve(link_request=link_request, approved_by=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    except PermissionDenied:
        raise Http404
    else:
        messages.success(
            request,
            _("%(name)s is now a Basic user of %(organization)s.")
            % {"name": link_request.user.get_full_name(), "organization": link_request.organization.name},
        )
    return _back_to(request, "desk:approvals")


@staff_required
def approval_reject(request, pk):
    link_request = organization_selectors.pending_link_request_or_404(pk=pk)
    form = RejectForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            organization_services.link_request_reject(
                link_request=link_request, rejected_by=request.user, reason=form.cleaned_data["reason"]
            )
        except (ValidationError, ApplicationError) as error:
            add_service_error(form, error)
        except PermissionDenied:
            raise Http404
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


@staff_required
def organizations(request):
    """Customers: search by name, customer code or city."""
    form = OrganizationSearchForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(organization_selectors.organization_list(search=search), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "desk/organizations.html", {"form": form, "page": page, "search": search})


@staff_required
def organization_detail(request, pk):
    organization = organization_selectors.organization_or_404(pk=pk)
    context = {
        "org": organization,
        "memberships": organization_selectors.organization_memberships(organization=organization),
        "link_requests": organization_selectors.pending_link_requests(organization=organization),
    }
    return render(request, "desk/organization_detail.html", context)
