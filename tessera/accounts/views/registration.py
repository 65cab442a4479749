"""Self-registration (seed 001): e-mail, password and consent; the confirmation link; "send the e-mail again"."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tessera.core.forms import apply_service_error

from .. import services
from ..forms import RegistrationConfirmForm, RegistrationForm
from ..models import TokenPurpose
from ..throttling import EmailRateLimited
from ..tokens import TokenInvalid, token_find
from .links import invalid_link_response, link_still_valid

# The address just registered, for the waiting page and its "send again" button.
SESSION_KEY = "accounts_registered_email"


def register(request):
    if not settings.TESSERA_LOCAL_LOGIN_CUSTOMERS:
        raise Http404  # customers come through single sign-on only (tessera/sso)
    if request.user.is_authenticated:
        return redirect("portal:home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_register(
                email=data["email"], password=data["password"], consent=data["consent"],
                language=request.LANGUAGE_CODE, first_name=data["first_name"], last_name=data["last_name"],
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            request.session[SESSION_KEY] = services.normalize_email(data["email"])
            return redirect("accounts:register_done")
    return render(request, "accounts/register.html", {"form": form})


def _waiting_page(request, *, resend_error: str = "", status: int = 200):
    email = request.session.get(SESSION_KEY)
    if not email:
        return redirect("accounts:register")
    return render(
        request, "accounts/register_done.html", {"email": email, "resend_error": resend_error}, status=status
    )


def register_done(request):
    """"Confirm your e-mail": the same page whether or not the address already had an account."""
    return _waiting_page(request)


@require_POST
def register_resend(request):
    email = request.session.get(SESSION_KEY)
    if not email:
        return redirect("accounts:register")
    try:
        services.registration_email_resend(email=email)
    except EmailRateLimited as error:
        return _waiting_page(request, resend_error=error.message, status=429)
    messages.success(request, _("We sent the e-mail again."))
    return redirect("accounts:register_done")


def register_confirm(request, token):
    """The link in the confirmation e-mail: the password once more activates the account."""
    found = token_find(token, purpose=TokenPurpose.EMAIL_CONFIRMATION)
    if found is None or not found.is_valid:
        return invalid_link_response(request, found, TokenPurpose.EMAIL_CONFIRMATION)
    form = RegistrationConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_confirm(token=token, password=form.cleaned_data["password"])
        except TokenInvalid:
            found.refresh_from_db()
            return invalid_link_response(request, found, TokenPurpose.EMAIL_CONFIRMATION)
        except ValidationError as error:
            if not link_still_valid(found):
                return invalid_link_response(request, found, TokenPurpose.EMAIL_CONFIRMATION)
            apply_service_error(form, error)
        else:
            request.session.pop(SESSION_KEY, None)
            messages.success(request, _("Your account is active. Log in with your e-mail address and password."))
            return redirect("accounts:login")
    return render(request, "accounts/register_confirm.html", {"form": form, "email": found.user.email})
