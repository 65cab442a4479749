from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class DigitOrSpecialCharacterValidator:
    """Seed 000's policy: at least one number or special character."""

    def validate(self, password, user=None):
        if not any(not ch.isalpha() for ch in password):
            raise ValidationError(
                _("The password must contain at least one number or special character."),
                code="password_no_digit_or_special",
            )

    def get_help_text(self):
        return _("Your password must contain at least one number or special character.")
