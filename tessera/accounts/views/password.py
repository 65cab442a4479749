"""Password recovery: a link by e-mail, then the security answer (where set) and the new password."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tessera.core.forms import apply_service_error

from .. import services, tasks
from ..forms import EmailForm, PasswordResetForm
from ..models import TokenPurpose
from ..tokens import TokenInvalid, token_find
from .links import invalid_link_response, link_still_valid


def password_reset(request):
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        tasks.password_reset_send.enqueue(email=form.cleaned_data["email"])
        return redirect("accounts:password_reset_sent")
    return render(request, "accounts/password_reset.html", {"form": form})


def password_reset_sent(request):
    """The same answer whether or not the address has an account."""
    return render(request, "accounts/password_reset_sent.html")


def password_reset_confirm(request, token):
    found = token_find(token, purpose=TokenPurpose.PASSWORD_RESET)
    if found is None or not found.is_valid:
        return invalid_link_response(request, found, TokenPurpose.PASSWORD_RESET)
    user = found.user
    form = PasswordResetForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_complete(
                token=token, security_answer=form.cleaned_data.get("security_answer", ""),
                password=form.cleaned_data["password"],
            )
        except TokenInvalid:
            found.refresh_from_db()
            return invalid_link_response(request, found, TokenPurpose.PASSWORD_RESET)
        except ValidationError as error:
            if not link_still_valid(found):
                return invalid_link_response(request, found, TokenPurpose.PASSWORD_RESET)
            apply_service_error(form, error)
        else:
            messages.success(request, _("Your password has been changed. Log in with the new password."))
            return redirect("accounts:login")
    return render(request, "accounts/password_reset_confirm.html", {"form": form, "reset_user": user})
