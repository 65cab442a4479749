"""The link of the unlock e-mail, sent when failed logins locked an account."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import services
from ..models import TokenPurpose
from ..tokens import TokenInvalid, token_find
from .links import invalid_link_response


def unlock(request, token):
    """A page with a button, not an action on GET: mail scanners that open links must not use it up."""
    found = token_find(token, purpose=TokenPurpose.UNLOCK)
    if found is None or not found.is_valid:
        return invalid_link_response(request, found, TokenPurpose.UNLOCK)
    if request.method == "POST":
        try:
            services.account_unlock(token=token)
        except TokenInvalid:
            found.refresh_from_db()
            return invalid_link_response(request, found, TokenPurpose.UNLOCK)
        messages.success(request, _("Your account is unlocked. You can log in again."))
        return redirect("accounts:login")
    return render(request, "accounts/unlock.html", {"email": found.user.email})
