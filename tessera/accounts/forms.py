from django import forms
from django.contrib.auth.forms import AdminUserCreationForm, AuthenticationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from .models import User


class UserAdminCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "username")

    def clean_username(self):
        return super().clean_username() or None


class UserAdminChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_username(self):
        return self.cleaned_data.get("username") or None


class LoginForm(AuthenticationForm):
    """Sign in with e-mail address or user name; one message whatever was wrong."""

    username = forms.CharField(
        label=_("E-mail or user name"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    error_messages = {
        "invalid_login": _(
            "The e-mail address, user name or password is not correct. Both may be case-sensitive."
        ),
        "inactive": _("This account is inactive."),
    }
