from django import forms
from django.utils.translation import gettext_lazy

from .models import EventType


class SubscriptionForm(forms.Form):
    url = forms.CharField(
        label=gettext_lazy("URL"), max_length=500,
        help_text=gettext_lazy("Where Tessera sends the events, e.g. https://erp.example.com/hooks/tessera."),
        widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label=gettext_lazy("Events"), choices=EventType.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one event.")},
    )
    include_internal = forms.BooleanField(
        label=gettext_lazy("Internal: also send internal notes"), required=False,
        help_text=gettext_lazy("Only for systems of your own staff: internal notes are never shown to customers."),
    )
