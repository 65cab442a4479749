from django import forms
from django.conf import settings
from django.contrib.auth.forms import AdminUserCreationForm, AuthenticationForm, UserChangeForm, UsernameField
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from tessera.core.client_ip import client_ip

from .login_throttle import network_wait_seconds
from .models import SecurityQuestion, User


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


def network_wait_message(seconds: int) -> str:
    if seconds < 60:
        return ngettext(
            "Too many failed logins from your network. Please wait %(seconds)d second and try again.",
            "Too many failed logins from your network. Please wait %(seconds)d seconds and try again.",
            seconds,
        ) % {"seconds": seconds}
    minutes = -(-seconds // 60)
    return ngettext(
        "Too many failed logins from your network. Please wait %(minutes)d minute and try again.",
        "Too many failed logins from your network. Please wait %(minutes)d minutes and try again.",
        minutes,
    ) % {"minutes": minutes}


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
        "unconfirmed": _(
            "You have not confirmed your e-mail address yet. Click the link in the e-mail we sent you, "
            "or have it sent again."
        ),
    }

    #: The address of a self-registration not confirmed yet, when its own password was typed.
    unconfirmed_email = ""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        # TESSERA_LOCAL_LOGIN_CUSTOMERS=false: customers log in through single sign-on only (tessera/sso).
        if not user.is_staff and not settings.TESSERA_LOCAL_LOGIN_CUSTOMERS:
            raise ValidationError(
                _("Please log in with the button above: logging in with a password is for the vendor's staff only."),
                code="local_login_off",
            )

    def clean(self):
        wait = network_wait_seconds(client_ip(self.request)) if self.request is not None else 0
        if wait:
            # Not an account lock: other networks, and this one after the wait, log in as usual.
            raise ValidationError(network_wait_message(wait), code="network_wait")
        try:
            return super().clean()
        except ValidationError as refusal:
            pending = self._pending_registration()
            if pending is None:
                raise
            self.unconfirmed_email = pending.email
            raise ValidationError(self.error_messages["unconfirmed"], code="unconfirmed") from refusal

    def _pending_registration(self):
        """The unconfirmed self-registration this login names, but only to whoever knows its password:
        to anyone else the answer stays "not correct", and says nothing of the account."""
        from .services import registration_is_pending

        login, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not login or not password:
            return None
        user = User.objects.by_login(login)
        if user is None or not registration_is_pending(user) or not user.check_password(password):
            return None
        return user


PASSWORD_POLICY = _("At least 8 characters, with at least one number or special character.")
USERNAME_VALIDATOR = RegexValidator(
    r"^[\w.+-]+\Z",
    _("Use only letters, digits and the characters . + - _ (no spaces, no @)."),
)


def _password_field(label, *, autocomplete="new-password", help_text=""):
    return forms.CharField(
        label=label, strip=False, help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


def _email_field(label=None):
    return forms.EmailField(
        label=label or _("E-mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


def _question_field():
    return forms.ChoiceField(
        label=_("Security question"),
        choices=[("", _("Choose a question…")), *SecurityQuestion.choices],
        help_text=_("Used to recover your password if you forget it."),
    )


def _answer_field():
    return forms.CharField(
        label=_("Security answer"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("Upper and lower case and extra spaces do not matter."),
    )


class RepeatedPasswordMixin(forms.Form):
    """The password typed twice; ``password_field`` names the first, ``<name>_repeat`` the second."""

    password_field = "password"  # noqa: S105 (a field name)

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        first, second = cleaned.get(self.password_field), cleaned.get(f"{self.password_field}_repeat")
        if first and second and first != second:
            self.add_error(f"{self.password_field}_repeat", _("The two passwords do not match."))
        return cleaned


class InvitationAcceptForm(RepeatedPasswordMixin, forms.Form):
    username = UsernameField(  # NFKC first, then the allowed characters
        label=_("User name"), max_length=150, validators=[USERNAME_VALIDATOR],
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
        help_text=_("You can log in with it or with your e-mail address."),
    )
    password = _password_field(_("Password"), help_text=PASSWORD_POLICY)
    password_repeat = _password_field(_("Repeat password"))
    security_question = _question_field()
    security_answer = _answer_field()


class EmailForm(forms.Form):
    email = _email_field()


class RegistrationForm(RepeatedPasswordMixin, forms.Form):
    # Agents and colleagues see this name, not a bare e-mail address.
    first_name = forms.CharField(
        label=_("First name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = _email_field(_("E-mail address"))
    password = _password_field(_("Password"), help_text=PASSWORD_POLICY)
    password_repeat = _password_field(_("Repeat password"))
    consent = forms.BooleanField(
        required=True,
        error_messages={"required": _("Please accept the terms of use and the privacy policy.")},
        # The template puts the box inside its label and the error, when there is one, under this id.
        widget=forms.CheckboxInput(attrs={"aria-describedby": "id_consent_error"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = format_html(
            gettext("I have read the {terms} and the {privacy} and accept them."),
            terms=format_html(
                '<a href="{}" target="_blank" rel="noopener">{}</a>', reverse("accounts:terms"),
                gettext("Terms of use"),
            ),
            privacy=format_html(
                '<a href="{}" target="_blank" rel="noopener">{}</a>', reverse("accounts:privacy"),
                gettext("Privacy policy"),
            ),
        )


class RegistrationConfirmForm(forms.Form):
    password = _password_field(_("Password"), autocomplete="current-password")


class PasswordResetForm(RepeatedPasswordMixin, forms.Form):
    """The new password twice, and the answer to the user's security question when there is one."""

    security_answer = _answer_field()
    password = _password_field(_("New password"), help_text=PASSWORD_POLICY)
    password_repeat = _password_field(_("Repeat password"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not user.security_question:
            del self.fields["security_answer"]


class PasswordChangeForm(RepeatedPasswordMixin, forms.Form):
    password_field = "new_password"  # noqa: S105 (a field name)

    old_password = _password_field(_("Old password"), autocomplete="current-password")
    new_password = _password_field(_("New password"), help_text=PASSWORD_POLICY)
    new_password_repeat = _password_field(_("Repeat password"))


class SecurityQuestionForm(forms.Form):
    security_question = _question_field()
    security_answer = _answer_field()
    # The answer can reset the password: changing it asks for the password, as changing the password does.
    current_password = _password_field(_("Current password"), autocomplete="current-password")


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(
        label=_("Time zone"), required=False,
        help_text=_("Dates are shown in this time zone."),
    )
    notify_ticket_updates = forms.BooleanField(
        label=_("E-mail me about ticket updates"), required=False,
        help_text=_("Confirmations, answers and status changes of your tickets. "
                    "Account and security e-mails are always sent."),
    )


def _time_zone_choices():
    import zoneinfo

    default = _("Portal default (%(zone)s)") % {"zone": settings.TIME_ZONE}
    return [("", default), *((zone, zone) for zone in sorted(zoneinfo.available_timezones()) if "/" in zone)]


ProfileForm.base_fields["time_zone"].choices = _time_zone_choices  # type: ignore[attr-defined]  # a ChoiceField



class TwoFactorCodeForm(forms.Form):
    """A code from the authenticator app, or one of the recovery codes."""

    code = forms.CharField(
        label=_("Authentication code"), max_length=32,
        help_text=_("The 6-digit code your authenticator app shows now, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "off"}),
    )


class TwoFactorSetupForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"), max_length=16,
        help_text=_("After adding the account, your app shows a 6-digit code that changes every 30 seconds."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class LoginVerifyForm(TwoFactorCodeForm):
    remember = forms.BooleanField(
        label=_("Remember this device for 30 days"), required=False,
        help_text=_("Only on a computer you alone use. You can forget remembered devices in your account."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs["autofocus"] = True
