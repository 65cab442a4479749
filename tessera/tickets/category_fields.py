"""Values of a category's extra fields: checked and normalised the same way for every interface."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import CategoryField

Kind = CategoryField.Kind
MAX_TEXT_LENGTH = 1000


def _clean_one(field: CategoryField, raw):
    if field.kind == Kind.CHECKBOX:
        return raw in (True, "on", "true", "1", 1)
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    if field.kind == Kind.TEXT:
        if len(text) > MAX_TEXT_LENGTH:
            raise ValidationError(_("At most %(max)d characters.") % {"max": MAX_TEXT_LENGTH})
        return text
    if field.kind == Kind.NUMBER:
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise ValidationError(_("Enter a number.")) from None
        if not number.is_finite():
            raise ValidationError(_("Enter a number."))
        return str(number)
    if field.kind == Kind.DATE:
        try:
            return datetime.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValidationError(_("Enter a date as YYYY-MM-DD.")) from None
    if field.kind == Kind.CHOICE:
        if text not in field.choice_list:
            raise ValidationError(_("Choose one of the options offered."))
        return text
    raise ValidationError(_("Unknown field kind."))


def clean_field_values(fields: list[CategoryField], raw: dict) -> dict:
    """Return the stored form of ``raw`` for ``fields``; raise ValidationError keyed by field key.

    Keys that are not fields of the category are dropped.
    """
    values, errors = {}, {}
    for field in fields:
        try:
            value = _clean_one(field, raw.get(field.key))
        except ValidationError as error:
            errors[field.key] = error
            continue
        if field.required and value in (None, False):
            errors[field.key] = ValidationError(_("This field is required."), code="required")
            continue
        if value is not None:
            values[field.key] = value
    if errors:
        raise ValidationError(errors)
    return values
