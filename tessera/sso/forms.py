from django import forms
from django.utils.translation import gettext_lazy as _


class LinkPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Your password in this portal"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
