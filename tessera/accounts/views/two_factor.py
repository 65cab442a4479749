"""The account's two-factor authentication: set it up, see the recovery codes once, forget devices, turn it off."""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from tessera.core.forms import apply_service_error

from .. import two_factor
from ..forms import TwoFactorCodeForm, TwoFactorSetupForm
from .login import remember_cookie_delete

#: The secret shown on the set-up page, until a code from the app confirms it.
SETUP_KEY = "_tessera_2fa_setup_key"


def _page(request, **forms: TwoFactorCodeForm) -> HttpResponse:
    user = request.user
    enabled = two_factor.two_factor_enabled(user)
    context = {
        "enabled": enabled,
        "required": two_factor.two_factor_required(user),
        "codes_left": two_factor.recovery_codes_left(user) if enabled else 0,
        "remember_days": two_factor.REMEMBER_DAYS,
        "regenerate_form": forms.get("regenerate_form") or TwoFactorCodeForm(prefix="regenerate"),
        "disable_form": forms.get("disable_form") or TwoFactorCodeForm(prefix="disable"),
    }
    return render(request, "accounts/two_factor.html", context)


@login_required
def two_factor_settings(request):
    return _page(request)


@login_required
def two_factor_setup(request):
    """Scan the QR code (or type the secret), then confirm with a code: two-factor authentication is on."""
    user = request.user
    if two_factor.two_factor_enabled(user):
        return redirect("accounts:two_factor")
    key = request.session.get(SETUP_KEY)
    if not isinstance(key, str) or len(key) != 40:
        key = request.session[SETUP_KEY] = two_factor.totp_key_new()
    form = TwoFactorSetupForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            codes = two_factor.two_factor_enable(user=user, key=key, code=form.cleaned_data["code"])
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            request.session.pop(SETUP_KEY, None)
            request.session[two_factor.VERIFIED_SESSION_KEY] = True
            return _codes_page(request, codes, done=_("Two-factor authentication is on."))
    url = two_factor.totp_config_url(user=user, key=key)
    context = {
        "form": form,
        "qr_code": two_factor.totp_qr_data_uri(url),
        "secret": two_factor.totp_secret_for_display(key),
        "required": two_factor.two_factor_required(user),
    }
    return render(request, "accounts/two_factor_setup.html", context)


def _codes_page(request, codes: list[str], *, done: str) -> HttpResponse:
    """The recovery codes, this once: only their hashes are kept, and they are never stored in the session."""
    response = render(request, "accounts/two_factor_codes.html", {"codes": codes, "done": done})
    response["Cache-Control"] = "no-store"
    return response


def _with_code(request, prefix: str, service):
    """Check the code a sensitive change asks for. Wrong codes count towards the account's lock as wrong
    passwords do; while it is locked, no code is tried."""
    form = TwoFactorCodeForm(request.POST, prefix=prefix)
    if not form.is_valid():
        return form, None
    credentials = {"username": request.user.email}
    if AxesProxyHandler.is_locked(request, credentials):
        minutes = max(round(settings.AXES_COOLOFF_TIME * 60), 1)
        form.add_error("code", ngettext(
            "Too many wrong codes. Please wait %(minutes)d minute and try again.",
            "Too many wrong codes. Please wait %(minutes)d minutes and try again.", minutes,
        ) % {"minutes": minutes})
        return form, None
    try:
        return form, service(user=request.user, code=form.cleaned_data["code"])
    except ValidationError as error:
        if two_factor.is_wrong_code(error):
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            request.axes_locked_out = False  # a message in the form, not the login's lock page
        apply_service_error(form, error)
        return form, None


@login_required
@require_POST
def two_factor_recovery_codes(request):
    """New recovery codes; the old ones stop working."""
    form, codes = _with_code(request, "regenerate", two_factor.recovery_codes_regenerate)
    if codes is None:
        return _page(request, regenerate_form=form)
    return _codes_page(request, codes, done=_("You have new recovery codes. The old ones no longer work."))


@login_required
@require_POST
def two_factor_disable(request):
    form, _done = _with_code(request, "disable", two_factor.two_factor_disable)
    if form.errors:
        return _page(request, disable_form=form)
    request.session.pop(two_factor.VERIFIED_SESSION_KEY, None)
    messages.success(request, _("Two-factor authentication is off."))
    response = redirect("accounts:two_factor")
    remember_cookie_delete(response)
    return response


@login_required
@require_POST
def two_factor_forget_devices(request):
    if two_factor.two_factor_enabled(request.user):
        two_factor.remembered_devices_forget(user=request.user)
        messages.success(request, _("Every remembered device asks for a code again at the next login."))
    response = redirect("accounts:two_factor")
    remember_cookie_delete(response)
    return response
