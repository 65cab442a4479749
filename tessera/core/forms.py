"""Form fields whose choices come from lists loaded once, not from a query each time they render."""

from collections.abc import Iterable

from django import forms
from django.db.models import Model


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
