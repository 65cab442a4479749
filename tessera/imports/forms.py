from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class OrganizationsImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV or Excel file"),
        help_text=gettext_lazy(
            "One row per contact: customer_code, name, postal_code (name and postal code needed for a new "
            "organization), city, country, language, email, first_name, last_name, role. A row without e-mail "
            "names the organization only."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    invite = forms.BooleanField(
        label=gettext_lazy("Send the new contacts the invitation e-mail"), required=False,
        help_text=gettext_lazy("They choose their user name and password through the link in it."),
    )

    def __init__(self, *args, oversized: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.oversized = oversized or []

    def full_clean(self):
        super().full_clean()
        # The upload handler drops a file that is too large before the form sees it: say so, not "required".
        if self.is_bound and self.oversized and "file" in self.errors:
            self.errors["file"] = self.error_class([
                _("The file is larger than %(max)s. Import it with manage.py import_organizations instead.")
                % {"max": filesizeformat(settings.TESSERA_ATTACHMENT_MAX_BYTES)}
            ])
