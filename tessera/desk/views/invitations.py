"""Vendor staff invite a contact of a customer organization (seed 000's registration)."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from tessera.accounts import services
from tessera.accounts.selectors import invitations_pending
from tessera.core.forms import apply_service_error
from tessera.organizations.models import Organization

from ..decorators import staff_required
from ..errors import FORM_ERRORS
from ..forms import ContactInviteForm


@staff_required
def contact_invite(request, pk):
    organization = get_object_or_404(Organization, pk=pk)
    form = ContactInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.contact_invite(organization=organization, invited_by=request.user, **form.cleaned_data)
        except FORM_ERRORS as error:
            apply_service_error(form, error)
        else:
            messages.success(
                request,
                _("We sent the activation e-mail to %(email)s. The link works for %(days)d days.")
                % {"email": user.email, "days": settings.TESSERA_INVITATION_VALID_DAYS},
            )
            return redirect("desk:organization_invite", pk=organization.pk)
    context = {"organization": organization, "form": form, "pending": invitations_pending(organization)}
    return render(request, "desk/invite_contact.html", context)
