"""Customer forms: reporting a problem and working on a ticket."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tessera.accounts.models import User
from tessera.core.forms import InstanceChoiceField, ListedModelChoiceIterator
from tessera.organizations.selectors import active_member_users
from tessera.tickets.forms import (
    AttachmentsField,
    UploadErrorsMixin,
    attachments_help,
    colleagues_field,
    split_addresses,
)
from tessera.tickets.models import Category, CategoryField, Priority
from tessera.tickets.uploads import max_size_text

MAX_CATEGORY_LEVEL = 4
FIELD_PREFIX = "cf_"
TITLE_MAX_LENGTH = 200


class TicketCreateForm(UploadErrorsMixin, forms.Form):
    """Seed 000 "Create Ticket" and seed 001 "Apri un ticket", one form.

    Category levels are dependent selects: each level lists the children of the
    level above. With JavaScript the next level appears as soon as one is
    chosen (htmx); without it, "Show sub-categories" reloads the form.
    """

    title = forms.CharField(
        label=gettext_lazy("Title"), max_length=TITLE_MAX_LENGTH,
        help_text=gettext_lazy("At most 200 characters."),
        error_messages={
            "max_length": gettext_lazy(
                "The title has %(show_value)d characters; at most %(limit_value)d are allowed. Please shorten it."
            )
        },
    )
    priority = forms.TypedChoiceField(
        label=gettext_lazy("Priority"), choices=Priority.choices, coerce=int, initial=Priority.MEDIUM
    )
    external_reference = forms.CharField(label=gettext_lazy("External reference"), max_length=100, required=False)
    cc_users = forms.ModelMultipleChoiceField(
        label=gettext_lazy("CC: colleagues"), queryset=User.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    cc_emails = forms.CharField(
        label=gettext_lazy("CC: other e-mail addresses"), required=False, max_length=2000,
        help_text=gettext_lazy("Separate several addresses with commas."),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("Describe the problem and the steps to reproduce it."),
    )
    attachments = AttachmentsField(label=gettext_lazy("Attachments"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        organization_id = user.membership.organization_id
        cc_users = colleagues_field(self.fields["cc_users"])
        cc_users.iterator = ListedModelChoiceIterator  # the page lists the users it has just read
        cc_users.queryset = active_member_users(organization_id=organization_id).exclude(pk=user.pk)
        # The size only: the patient-data notice stands once, under the field, on the page itself.
        self.fields["attachments"].help_text = _("You can attach files up to %(max)s each.") % {"max": max_size_text()}
        self.category_path = self._add_category_fields()
        self.chosen_category = self.category_path[-1] if self.category_path else None
        self.extra_fields = self._add_extra_fields()

    def _raw(self, name):
        if self.is_bound and self.add_prefix(name) in self.data:
            return self.data.get(self.add_prefix(name))
        return self.initial.get(name)

    def _add_category_fields(self) -> list[Category]:
        """Add one select per level down the chosen path; return the chosen path."""
        self.category_children = Category.active_tree()
        options = self.category_children.get(None, [])
        path: list[Category] = []
        for level in range(1, MAX_CATEGORY_LEVEL + 1):
            if not options:
                break
            name = f"category_{level}"
            field = InstanceChoiceField(
                label=_("Category %(level)d") % {"level": level}, required=level <= 2, empty_label=_("— choose —")
            )
            field.offer((option, option.name) for option in options)
            self.fields[name] = field
            raw = str(self._raw(name) or "")
            chosen = next((o for o in options if str(o.pk) == raw), None)
            if chosen is None:
                break
            path.append(chosen)
            options = self.category_children.get(chosen.pk, [])
        return path

    def _add_extra_fields(self) -> list[CategoryField]:
        if self.chosen_category is None:
            return []
        fields = self.chosen_category.all_fields()
        for field in fields:
            self.fields[FIELD_PREFIX + field.key] = self._form_field(field)
        return fields

    @staticmethod
    def _form_field(field: CategoryField) -> forms.Field:
        common: dict[str, Any] = {"label": field.label, "required": field.required, "help_text": field.help_text}
        kind = CategoryField.Kind
        if field.kind == kind.NUMBER:
            return forms.DecimalField(**common, max_digits=20, decimal_places=6, localize=True)
        if field.kind == kind.DATE:
            return forms.DateField(**common, widget=forms.DateInput(attrs={"type": "date"}))
        if field.kind == kind.CHECKBOX:
            return forms.BooleanField(**common)
        if field.kind == kind.CHOICE:
            choices = [("", _("— choose —")), *((c, c) for c in field.choice_list)]
            return forms.ChoiceField(**common, choices=choices)
        return forms.CharField(**common, max_length=1000)

    @property
    def category(self) -> Category:
        """The category chosen in a valid form: ``clean`` insists on one."""
        assert self.chosen_category is not None, "a valid ticket form has a category"
        return self.chosen_category

    @property
    def category_field_names(self) -> list[str]:
        return [name for name in self.fields if name.startswith("category_")]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.chosen_category is None and not self.errors:
            self.add_error(None, _("This field is required."))  # no category to choose from at all
        if self.chosen_category is not None and self.category_children.get(self.chosen_category.pk):
            level = len(self.category_path) + 1
            if level <= 2:
                self.add_error(f"category_{level}", _("Choose a sub-category."))
        addresses = split_addresses(cleaned.get("cc_emails", ""))
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                self.add_error("cc_emails", _("%(email)s is not a valid e-mail address.") % {"email": address})
        cleaned["cc_email_list"] = addresses
        return cleaned

    def field_values(self) -> dict:
        values = {}
        for field in self.extra_fields:
            value = self.cleaned_data.get(FIELD_PREFIX + field.key)
            if value is None or value == "":
                continue
            values[field.key] = value.isoformat() if hasattr(value, "isoformat") else value
        return values


class CommentForm(UploadErrorsMixin, forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your comment"), required=False, max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    attachments = AttachmentsField(label=gettext_lazy("Attachments"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help()

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("body") or "").strip() and not cleaned.get("attachments") and not self.errors:
            self.add_error("body", _("Write a comment or attach a file."))
        return cleaned


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is the problem not solved?"), max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Comment (optional)"), required=False, max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
