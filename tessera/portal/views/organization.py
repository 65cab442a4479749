"""Seed 001's first login (link to an organization) and the organization administrator's user management.

Every page under /organization/ belongs to the signed-in user's organization
and to its active administrators only; any other user, and any id outside that
organization, finds nothing (404).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tessera.accounts.two_factor import two_factor_user_ids
from tessera.core.client_ip import client_ip
from tessera.core.errors import ApplicationError
from tessera.core.forms import apply_service_error
from tessera.organizations import selectors, services
from tessera.organizations.forms import LinkForm, RejectForm, RoleForm, TwoFactorRequirementForm
from tessera.organizations.models import LinkRequest, Role
from tessera.organizations.throttling import TooManyAttempts

from ..errors import FORM_ERRORS, refusals_shown


def _back_to_users(request, *args, **kwargs):
    return redirect("portal:organization_users")


def _back_to_link(request, *args, **kwargs):
    return redirect("portal:link")


@login_required
@refusals_shown(_back_to_link, hide_denied=True)
def link(request):
    """Ask for customer code and postal code; afterwards, show that the request waits for approval."""
    user = request.user
    if user.is_staff:
        return redirect("desk:home")
    latest = selectors.link_request_latest_for_user(user)
    pending = latest if latest is not None and latest.state == LinkRequest.State.PENDING else None
    if pending is None and getattr(user, "membership", None) is not None:
        return redirect("portal:home")
    rejected = latest if latest is not None and latest.state == LinkRequest.State.REJECTED else None
    form = None if pending else LinkForm(request.POST if request.method == "POST" else None)
    status = 200
    if form is not None and form.is_bound and form.is_valid():
        try:
            services.link_request_create(
                user=user,
                customer_code=form.cleaned_data["customer_code"],
                postal_code=form.cleaned_data["postal_code"],
                ip_address=client_ip(request) or None,
            )
        except FORM_ERRORS as error:
            apply_service_error(form, error)
            if isinstance(error, TooManyAttempts):
                status = 429
        else:
            return redirect("portal:link")
    context = {"form": form, "pending": pending, "rejected": rejected}
    return render(request, "portal/link_request.html", context, status=status)


def _render_users(request, organization, *, role_forms=None, row_errors=None, two_factor_form=None):
    role_forms = role_forms or {}
    row_errors = row_errors or {}
    link_requests = list(selectors.pending_link_requests(organization=organization))
    waiting_user_ids = {link_request.user_id for link_request in link_requests}
    memberships = list(selectors.organization_memberships(organization=organization))
    with_two_factor = two_factor_user_ids(membership.user_id for membership in memberships)
    rows = [
        {
            "membership": membership,
            "form": role_forms.get(membership.pk) or RoleForm(membership=membership),
            "error": row_errors.get(membership.pk),
            "is_waiting": membership.user_id in waiting_user_ids,
            "is_self": membership.user_id == request.user.pk,
            "two_factor": membership.user_id in with_two_factor,
        }
        for membership in memberships
    ]
    context = {
        "organization": organization, "rows": rows, "link_requests": link_requests,
        "two_factor_form": two_factor_form
        or TwoFactorRequirementForm(initial={"required": organization.require_two_factor}),
    }
    return render(request, "portal/organization_users.html", context)


@login_required
def organization_users(request):
    """Seed 001's "Administrator" page: the organization's users and the requests waiting for approval."""
    organization = selectors.administered_organization_or_404(request.user)
    return _render_users(request, organization)


@login_required
@refusals_shown(_back_to_users, hide_denied=True)
def organization_two_factor(request):
    """The administrator requires two-factor authentication of every user of the organization, or no longer."""
    organization = selectors.administered_organization_or_404(request.user)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = TwoFactorRequirementForm(request.POST)
    if not form.is_valid():
        return _render_users(request, organization, two_factor_form=form)
    required = form.cleaned_data["required"]
    services.organization_two_factor_require(organization=organization, required=required, changed_by=request.user)
    messages.success(request, TwoFactorRequirementForm.saved_message(organization, required))
    return redirect("portal:organization_users")


def _membership_action(request, pk):
    """Scope first (404 for anything outside the admin's organization), then insist on POST."""
    organization = selectors.administered_organization_or_404(request.user)
    membership = selectors.membership_in_organization_or_404(organization=organization, pk=pk)
    if request.method != "POST":
        return organization, membership, HttpResponseNotAllowed(["POST"])
    return organization, membership, None


def _after_change(request, membership, text):
    messages.success(request, text)
    if membership.user_id == request.user.pk and not membership.is_admin:
        # The administrator gave up their own rights: this page is no longer theirs.
        return redirect("portal:home")
    return redirect("portal:organization_users")


def _role_action(request, pk, service, actor_argument, success_text):
    """Activation and change of role: the same form, one service each."""
    organization, membership, refused = _membership_action(request, pk)
    if refused:
        return refused
    form = RoleForm(request.POST, membership=membership)
    if form.is_valid():
        try:
            role = form.cleaned_data["role"]
            membership = service(membership=membership, role=role, **{actor_argument: request.user})
        except FORM_ERRORS as error:
            apply_service_error(form, error)
        else:
            return _after_change(
                request, membership,
                success_text % {"name": membership.user.get_full_name(), "role": membership.get_role_display()},
            )
    return _render_users(request, organization, role_forms={membership.pk: form})


@login_required
@refusals_shown(_back_to_users, hide_denied=True)
def organization_user_activate(request, pk):
    return _role_action(
        request, pk, services.membership_activate, "activated_by", _("%(name)s is now active as %(role)s.")
    )


@login_required
@refusals_shown(_back_to_users, hide_denied=True)
def organization_user_role(request, pk):
    return _role_action(
        request, pk, services.membership_change_role, "changed_by", _("%(name)s's role is now %(role)s.")
    )


def _toggle(request, pk, service, actor_argument, success_text):
    organization, membership, refused = _membership_action(request, pk)
    if refused:
        return refused
    try:
        membership = service(membership=membership, **{actor_argument: request.user})
    except ApplicationError as error:  # shown in the user's row, as a form's error next to its field
        return _render_users(request, organization, row_errors={membership.pk: error.message})
    return _after_change(request, membership, success_text % {"name": membership.user.get_full_name()})


@login_required
@refusals_shown(_back_to_users, hide_denied=True)
def organization_user_deactivate(request, pk):
    """Deactivation asks first: the button's POST shows the question, only the confirmed POST changes anything.

    A page of its own rather than a script's dialog, so it works without JavaScript.
    """
    organization, membership, refused = _membership_action(request, pk)
    if refused:
        return refused
    if request.POST.get("confirm") != "yes":
        context = {
            "organization": organization,
            "membership": membership,
            "member": membership.user,
            "is_self": membership.user_id == request.user.pk,
        }
        return render(request, "portal/organization_user_deactivate.html", context)
    return _toggle(request, pk, services.membership_deactivate, "deactivated_by",
                   _("%(name)s has been deactivated."))


@login_required
@refusals_shown(_back_to_users, hide_denied=True)
def organization_user_reactivate(request, pk):
    return _toggle(request, pk, services.membership_reactivate, "reactivated_by",
                   _("%(name)s has been reactivated."))


def _link_request_in_scope(request, pk):
    organization = selectors.administered_organization_or_404(request.user)
    return selectors.pending_link_request_or_404(organization=organization, pk=pk)


@login_required
@refusals_shown(_back_to_users, hide_denied=True)
def organization_link_approve(request, pk):
    link_request = _link_request_in_scope(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.link_request_approve(link_request=link_request, approved_by=request.user, role=Role.BASIC)
    messages.success(
        request, _("%(name)s is now active as Basic user.") % {"name": link_request.user.get_full_name()}
    )
    return redirect("portal:organization_users")


@login_required
@refusals_shown(_back_to_users, hide_denied=True)
def organization_link_reject(request, pk):
    link_request = _link_request_in_scope(request, pk)
    form = RejectForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.link_request_reject(
                link_request=link_request, rejected_by=request.user, reason=form.cleaned_data["reason"]
            )
        except FORM_ERRORS as error:
            apply_service_error(form, error)
        else:
            messages.success(
                request, _("The request of %(name)s has been rejected.") % {"name": link_request.user.get_full_name()}
            )
            return redirect("portal:organization_users")
    return render(request, "portal/organization_link_reject.html", {"link_request": link_request, "form": form})
