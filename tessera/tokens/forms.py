import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import TokenKind, TokenScope


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. the script that uses it.")
    )
    scope = forms.ChoiceField(label=_("Scope"), choices=TokenScope.choices, initial=TokenScope.READ)
    expires_on = forms.DateField(
        label=_("Expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for a token that does not expire."),
    )

    def __init__(self, *args, may_create_service: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if may_create_service:
            self.fields["kind"] = forms.ChoiceField(
                label=_("Kind"), choices=TokenKind.choices, initial=TokenKind.PERSONAL,
                help_text=_("A service token acts as an integration of its own, with a vendor administrator's rights."),
            )

    def expires_at(self):
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
