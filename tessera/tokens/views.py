"""The account page's "Access tokens": make a token (shown once), see and revoke one's tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tessera.core.forms import apply_service_error

from . import selectors, services
from .forms import TokenCreateForm
from .models import TokenKind


def _page(request, *, form: TokenCreateForm, issued: services.IssuedToken | None = None, status: int = 200):
    return render(
        request, "tokens/token_list.html",
        {"form": form, "tokens": selectors.tokens_of(request.user), "issued": issued},
        status=status,
    )


@login_required
def token_list(request):
    may_create_service = request.user.is_superuser
    if request.method != "POST":
        return _page(request, form=TokenCreateForm(may_create_service=may_create_service))
    form = TokenCreateForm(request.POST, may_create_service=may_create_service)
    if form.is_valid():
        data = form.cleaned_data
        create = (
            services.service_token_create if data.get("kind") == TokenKind.SERVICE else None
        )
        try:
            if create is not None:
                issued = create(created_by=request.user, name=data["name"], scope=data["scope"],
                                expires_at=form.expires_at())
            else:
                issued = services.personal_token_create(user=request.user, name=data["name"], scope=data["scope"],
                                                        expires_at=form.expires_at())
        except (ValidationError, PermissionDenied) as error:
            apply_service_error(form, error, field_map={"expires_at": "expires_on"})
        else:
            # Shown on this response only: the token is not stored, a reload cannot show it again.
            return _page(request, form=TokenCreateForm(may_create_service=may_create_service), issued=issued)
    return _page(request, form=form, status=400)


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = selectors.token_of_or_404(request.user, pk=pk)
    services.token_revoke(token=token, revoked_by=request.user)
    messages.success(request, _("The token %(name)s has been revoked.") % {"name": token.name})
    return redirect("tokens:token_list")
