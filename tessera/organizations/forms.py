"""Forms of the organization flows, shared by the portal and the desk."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tessera.core.limits import REASON_MAX_LENGTH

from .models import Role

ASSIGNABLE_ROLES = [(role.value, role.label) for role in (Role.BASIC, Role.MANAGER, Role.ADMIN)]


class LinkForm(forms.Form):
    """Seed 001's first login: customer code and postal code."""

    customer_code = forms.CharField(
        label=_("Customer code"), max_length=32,
        help_text=_("You find your customer code on any invoice we sent you."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
    postal_code = forms.CharField(
        label=_("Postal code"), max_length=16,
        help_text=_("The postal code of your practice's address."),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )


class RoleForm(forms.Form):
    """Activation of a restricted user, or a change of role."""

    role = forms.ChoiceField(label=_("Role"), choices=ASSIGNABLE_ROLES, initial=Role.BASIC)

    def __init__(self, *args, membership=None, **kwargs):
        # Each row of the users page has its own form: distinct ids keep every label tied to its select.
        if membership is not None:
            kwargs.setdefault("auto_id", f"id_m{membership.pk}_%s")
            if membership.role != Role.RESTRICTED:
                kwargs.setdefault("initial", {"role": membership.role})
        super().__init__(*args, **kwargs)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000,
        help_text=_("Sent to the user by e-mail."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class OrganizationSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        help_text=_("Name, customer code, city, or a user's e-mail address or last name"))



class OrganizationNoteForm(forms.Form):
    """An agent's note about a customer, shown to agents beside the customer's tickets."""

    body = forms.CharField(
        label=_("Note for agents"), max_length=REASON_MAX_LENGTH,
        help_text=_("Only the vendor's staff see it, beside every ticket of this organization."),
        widget=forms.Textarea(attrs={"rows": 3}), error_messages={"required": _("Write the note first.")},
    )

    def __init__(self, *args, **kwargs):
        # Its own ids: on a ticket's workspace it sits beside the reply form, whose box is also "body".
        kwargs.setdefault("auto_id", "id_note_%s")
        super().__init__(*args, **kwargs)


class TwoFactorRequirementForm(forms.Form):
    """The organization administrator requires two-factor authentication of every user, or not."""

    required = forms.BooleanField(
        label=_("Require two-factor authentication for every user of the organization"), required=False,
        help_text=_("Users without it are led to set it up at their next page and can do nothing else before."),
    )

    @staticmethod
    def saved_message(organization, required: bool) -> str:
        """What the page says once the requirement is saved (the portal's and the desk's alike)."""
        if required:
            return _("Two-factor authentication is now required for every user of %(name)s.") % {
                "name": organization.name}
        return _("Two-factor authentication is no longer required for the users of %(name)s.") % {
            "name": organization.name}
