"""Generic form pieces: fields whose choices are loaded once, and service errors shown in a form."""

from collections.abc import Iterable, Mapping
from typing import cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Model

from .errors import ApplicationError


class InstanceChoiceField(forms.ChoiceField):
    """One of a list of objects loaded beforehand; cleans to the object.

    Rendering and validating run no query of their own. A ModelChoiceField
    queries each time it renders, on PostgreSQL through a server-side cursor
    (declare, fetch, close), and again to validate; the workspace instead
    loads each list once (agents, teams, canned responses, category paths), the
    customer's form its category tree.
    """

    # The message of a model choice: it does not repeat the value sent.
    default_error_messages = {"invalid_choice": forms.ModelChoiceField.default_error_messages["invalid_choice"]}

    def __init__(self, *, empty_label, **kwargs):
        super().__init__(**kwargs)
        self.empty_label = empty_label
        self.offer(())

    def offer(self, choices: Iterable[tuple[Model, str]]) -> None:
        """The objects to choose from, each with its label, in the order shown."""
        choices = list(choices)
        self.instances = [instance for instance, _label in choices]
        self._by_value = {str(instance.pk): instance for instance in self.instances}
        self.choices = [("", self.empty_label), *((instance.pk, label) for instance, label in choices)]

    def prepare_value(self, value):
        return value.pk if isinstance(value, Model) else value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self._by_value[str(value)]
        except KeyError:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None

    def validate(self, value):
        forms.Field.validate(self, value)  # "required" only: to_python has already checked the choice


class ListedModelChoiceIterator(forms.models.ModelChoiceIterator):
    """A model field's choices from one plain query, kept with the queryset.

    Django's iterator reads them through ``QuerySet.iterator()``: on PostgreSQL a
    server-side cursor (DECLARE, FETCH, CLOSE) for a list of a few dozen people.
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for instance in self.queryset:
            yield self.choice(instance)


def apply_service_error(
    form: forms.BaseForm, error: ValidationError | PermissionDenied | ApplicationError,
    field_map: Mapping[str, str] | None = None,
) -> None:
    """Show a service's refusal in ``form``: next to the field it is about, or above the form; typed values stay.

    ``field_map`` renames the service's argument names to the form's field names
    (``{"target": "number"}``). A message about an argument the form has no
    field for goes above the form.
    """
    field_map = field_map or {}

    def field_of(name: str | None) -> str | None:
        field = field_map.get(name, name) if name is not None else None
        return field if field is not None and field in form.fields else None

    if isinstance(error, ApplicationError):
        form.add_error(field_of(error.field), error.message)
    elif isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            for item in errors:
                form.add_error(field_of(None if name == NON_FIELD_ERRORS else name), item)
    elif isinstance(error, ValidationError):
        form.add_error(None, error)
    else:
        form.add_error(None, str(error))


def instance_field(form: forms.BaseForm, name: str) -> InstanceChoiceField:
    """The form's own ``name`` field (a copy of the class's), declared as an InstanceChoiceField."""
    return cast(InstanceChoiceField, form.fields[name])


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's own ``name`` field (a copy of the class's), declared as a ChoiceField."""
    return cast(forms.ChoiceField, form.fields[name])
