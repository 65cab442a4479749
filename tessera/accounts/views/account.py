"""Seed 000's "Account": change password, edit the security question, and the profile."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tessera.core.forms import apply_service_error
from tessera.core.operations import operation

from .. import services, sessions, two_factor
from ..forms import PasswordChangeForm, ProfileForm, SecurityQuestionForm
from .login import remember_language


def _account_page(request, **bound_forms):
    user = request.user
    forms = {
        "password_form": PasswordChangeForm(),
        "security_form": SecurityQuestionForm(initial={"security_question": user.security_question}),
        "profile_form": ProfileForm(
            initial={"first_name": user.first_name, "last_name": user.last_name, "language": user.language,
                     "time_zone": user.time_zone, "notify_ticket_updates": user.notify_ticket_updates}
        ),
        "two_factor_on": two_factor.two_factor_enabled(user),
        **bound_forms,
    }
    return render(request, "accounts/account.html", forms)


@login_required
def account(request):
    return _account_page(request)


@login_required
@require_POST
def password_change(request):
    form = PasswordChangeForm(request.POST)
    if form.is_valid():
        try:
            with operation():  # the new password and this session's new key: one unit of work
                services.password_change(
                    user=request.user, old_password=form.cleaned_data["old_password"],
                    new_password=form.cleaned_data["new_password"],
                )
                # This session stays signed in; every other session of the user ends, now.
                update_session_auth_hash(request, request.user)
                sessions.sessions_end_others(user=request.user, keep_session_key=request.session.session_key or "")
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Your password has been changed."))
            return redirect("accounts:account")
    return _account_page(request, password_form=form)


@login_required
@require_POST
def security_question_change(request):
    form = SecurityQuestionForm(request.POST)
    if form.is_valid():
        try:
            services.security_question_set(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Your security question has been saved."))
            return redirect("accounts:account")
    return _account_page(request, security_form=form)


@login_required
@require_POST
def profile_change(request):
    form = ProfileForm(request.POST)
    if form.is_valid():
        try:
            services.profile_update(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Your profile has been saved."))
            response = redirect("accounts:account")
            remember_language(response, form.cleaned_data["language"])
            return response
    return _account_page(request, profile_form=form)
