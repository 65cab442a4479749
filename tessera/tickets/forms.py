"""Form pieces about tickets that the portal and the desk both use: attachments and CC."""

import re
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tessera.accounts.models import User
from tessera.core.forms import ListedModelChoiceIterator
from tessera.organizations.selectors import active_member_users

from .models import Ticket
from .uploads import max_size_text, validate_upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsInput(MultipleFileInput):
    """The file input of attachments, carrying the server's limits for the browser's check (static/tessera/forms.js).

    Read when the page is rendered, in the user's language: the script formats these messages
    (``{name}``, ``{ext}``) and needs no translations of its own. The server checks the same again.
    """

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        allowed = sorted({ext.lower() for ext in settings.TESSERA_ATTACHMENT_EXTENSIONS})
        limits = {
            "accept": ",".join(f".{ext}" for ext in allowed),
            "data-max-bytes": str(settings.TESSERA_ATTACHMENT_MAX_BYTES),
            "data-max-files": str(settings.TESSERA_ATTACHMENTS_PER_MESSAGE),
            # The server's own messages (tickets/uploads.py), with the file's name and type left to the script.
            "data-too-large-message": _("The file %(name)s is larger than %(max)s.")
            % {"name": "{name}", "max": max_size_text()},
            "data-empty-message": _("The file %(name)s is empty.") % {"name": "{name}"},
            "data-type-message": _("Files of type .%(ext)s cannot be attached. Allowed: %(allowed)s.")
            % {"ext": "{ext}", "allowed": ", ".join(allowed)},
            "data-too-many-message": _("Attach at most %(max)d files at once.")
            % {"max": settings.TESSERA_ATTACHMENTS_PER_MESSAGE},
        }
        return super().get_context(name, value, {**limits, **(attrs or {})})


class AttachmentsField(forms.FileField):
    """Several files in one input; each checked for size, emptiness, type and content."""

    widget = AttachmentsInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > settings.TESSERA_ATTACHMENTS_PER_MESSAGE:
            raise ValidationError(
                _("Attach at most %(max)d files at once.") % {"max": settings.TESSERA_ATTACHMENTS_PER_MESSAGE}
            )
        errors = []
        for upload in files:
            try:
                validate_upload(upload)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return files


def attachments_help() -> str:
    return _("You can attach files up to %(max)s each. Please do not upload any patient data.") % {
        "max": max_size_text()
    }


class UploadErrorsMixin(forms.Form):
    """Report files the upload handler refused while streaming (too large to even receive)."""

    def __init__(self, *args: Any, oversized_uploads: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.oversized_uploads = list(oversized_uploads)

    def clean(self) -> dict[str, Any]:
        super().clean()
        for name in self.oversized_uploads:
            self.add_error(
                "attachments",
                _("The file %(name)s is larger than %(max)s.") % {"name": name, "max": max_size_text()},
            )
        return self.cleaned_data


def split_addresses(text: str) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", text or "") if part]


def colleagues_field(field: forms.Field) -> forms.ModelMultipleChoiceField:
    """A form's field of colleagues (``cc_users``), as the model choice field it is."""
    return cast(forms.ModelMultipleChoiceField, field)


class CCAddForm(forms.Form):
    cc_users = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Colleagues"), queryset=User.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    cc_emails = forms.CharField(label=gettext_lazy("Other e-mail addresses"), required=False, max_length=2000)

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        already = ticket.cc_entries.values_list("email", flat=True)
        cc_users = colleagues_field(self.fields["cc_users"])
        cc_users.iterator = ListedModelChoiceIterator  # before the queryset, which hands it out
        cc_users.queryset = (
            active_member_users(organization_id=ticket.organization_id)
            .exclude(email__in=already)
            .exclude(pk=ticket.created_by_id)
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        addresses = split_addresses(cleaned.get("cc_emails", ""))
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                self.add_error("cc_emails", _("%(email)s is not a valid e-mail address.") % {"email": address})
        cleaned["cc_email_list"] = addresses
        if not addresses and not cleaned.get("cc_users") and not self.errors:
            self.add_error("cc_emails", _("Choose a colleague or enter an e-mail address."))
        return cleaned
