"""Seed 000's registration: the invited contact chooses user name, password and security question."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from tessera.core.forms import apply_service_error
from tessera.core.operations import operation

from .. import services
from ..forms import EmailForm, InvitationAcceptForm
from ..models import TokenPurpose
from ..tokens import TokenInvalid, token_find
from .links import invalid_link_response
from .login import login_or_second_step

BACKEND = "tessera.accounts.backends.EmailOrUsernameBackend"


def invitation_accept(request, token):
    found = token_find(token, purpose=TokenPurpose.INVITATION)
    if found is None or not found.is_valid:
        return invalid_link_response(request, found, TokenPurpose.INVITATION)
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with operation():  # the registration and its first login: one unit of work
                user = services.invitation_accept(
                    token=token, username=data["username"], password=data["password"],
                    security_question=data["security_question"], security_answer=data["security_answer"],
                )
                # As every login: the second step first, where the account has two-factor authentication.
                response = login_or_second_step(request, user, backend=BACKEND, next_url=reverse("portal:home"))
        except TokenInvalid:
            found.refresh_from_db()
            return invalid_link_response(request, found, TokenPurpose.INVITATION)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            # The next page speaks the user's language (UserLanguageMiddleware): so does its welcome.
            language = translation.get_language()
            if user.language and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
                language = user.language
            with translation.override(language):
                messages.success(request, _("Welcome! Your registration is complete."))
            return response
    invited = found.user
    membership = getattr(invited, "membership", None)
    context = {
        "form": form,
        "invited": invited,
        "organization": membership.organization if membership else None,
    }
    return render(request, "accounts/invitation_accept.html", context)


def invitation_renew(request):
    """Ask for a new activation link; the answer is the same whether or not the address was invited."""
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.invitation_renew(email=form.cleaned_data["email"])
        return redirect("accounts:invitation_renew_sent")
    return render(request, "accounts/invitation_renew.html", {"form": form})


def invitation_renew_sent(request):
    return render(request, "accounts/invitation_renew_sent.html")
