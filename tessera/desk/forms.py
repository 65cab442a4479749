"""Forms of the desk's ticket workspace: one small form per thing an agent does to a ticket."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tessera.portal.forms import AttachmentsField, UploadErrorsMixin, attachments_help
from tessera.tickets.models import CannedResponse, Category, Priority, ServiceTeam
from tessera.tickets.numbering import NUMBER_WIDTH
from tessera.tickets.workflow import ACTIONS_REQUIRING_MESSAGE, Action, Actor, Status, available_actions


class ReplyForm(UploadErrorsMixin, forms.Form):
    """A public reply to the customer or an internal note; the button pressed says which."""

    PUBLIC, INTERNAL = "public", "internal"

    body = forms.CharField(
        label=gettext_lazy("Message"), required=False, max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 7}),
    )
    canned = forms.ModelChoiceField(
        label=gettext_lazy("Canned response"), queryset=CannedResponse.objects.none(), required=False,
        empty_label=gettext_lazy("— choose —"),
    )
    attachments = AttachmentsField(label=gettext_lazy("Attachments"))
    send = forms.ChoiceField(
        choices=[(PUBLIC, gettext_lazy("Reply to the customer")), (INTERNAL, gettext_lazy("Internal note"))],
        required=False, widget=forms.HiddenInput,
    )

    def __init__(self, *args, canned_responses=None, **kwargs):
        super().__init__(*args, **kwargs)
        if canned_responses is not None:
            self.fields["canned"].queryset = canned_responses
        self.fields["attachments"].help_text = attachments_help()

    @property
    def is_internal(self) -> bool:
        return self.cleaned_data.get("send") == self.INTERNAL

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("body") or "").strip() and not cleaned.get("attachments") and not self.errors:
            self.add_error("body", _("Write a message or attach a file."))
        return cleaned


class StatusForm(forms.Form):
    """The status changes the transition table allows an agent from the ticket's current status."""

    action = forms.ChoiceField(label=gettext_lazy("New status"))
    message = forms.CharField(
        label=gettext_lazy("Message to the customer"), required=False, max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Required when you request information (the customer's action) or provide a solution (its text)."
        ),
    )

    def __init__(self, *args, status: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.status = status
        self.fields["action"].choices = [
            ("", _("— choose —")),
            *((t.action.value, f"{t.action.label} → {t.target.label}") for t in available_actions(Actor.AGENT, status)),
        ]
        self.fields["action"].error_messages["invalid_choice"] = _(
            "This status change is not allowed while the ticket is “%(status)s”."
        ) % {"status": Status(status).label}

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        message = (cleaned.get("message") or "").strip()
        if action == Action.REQUEST_INFO and not message:
            self.add_error("message", _("Tell the customer which information you need."))
        elif action == Action.PROVIDE_SOLUTION and not message:
            self.add_error("message", _("Write the solution the customer will receive."))
        elif action in ACTIONS_REQUIRING_MESSAGE and not message:
            self.add_error("message", _("Write the message the customer will receive."))
        elif action == Action.COMPLETE_SILENTLY and message:
            self.add_error(
                "message",
                _("Completing without e-mail sends nothing to the customer: leave the message empty, "
                  "or choose “Complete”."),
            )
        return cleaned


def agents():
    """Active vendor staff: the people a ticket can be assigned to."""
    return get_user_model().objects.filter(is_staff=True, is_active=True).order_by("first_name", "last_name", "email")


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_full_name()} <{obj.email}>" if obj.full_name else obj.email


class AssignForm(forms.Form):
    assignee = AgentChoiceField(
        label=gettext_lazy("Assign to"), queryset=agents(), empty_label=gettext_lazy("— choose —")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = agents()


class TeamForm(forms.Form):
    team = forms.ModelChoiceField(
        label=gettext_lazy("Service team"), queryset=ServiceTeam.objects.none(), required=False,
        empty_label=gettext_lazy("— no team —"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = ServiceTeam.objects.filter(is_active=True).order_by("name")


class PriorityForm(forms.Form):
    priority = forms.TypedChoiceField(label=gettext_lazy("Priority"), choices=Priority.choices, coerce=int)


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)  # the whole path: the queryset brings the ancestors along


class CategoryForm(forms.Form):
    category = CategoryChoiceField(
        label=gettext_lazy("Category"), queryset=Category.objects.none(), empty_label=gettext_lazy("— choose —"),
        help_text=gettext_lazy("The ticket goes to the service team of the new category."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        categories = Category.objects.filter(is_active=True).select_related("parent__parent__parent")
        self.fields["category"].queryset = categories
        # Shown as a tree: sorted by the path, not by each level's position alone.
        self.fields["category"].choices = [
            ("", _("— choose —")), *sorted(((c.pk, str(c)) for c in categories), key=lambda choice: choice[1].lower())
        ]


class CCRemoveForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address"))


class TicketNumberForm(forms.Form):
    """Another ticket, by its number: to link it or to merge into it."""

    number = forms.CharField(label=gettext_lazy("Ticket number"), max_length=NUMBER_WIDTH)
    #: Both forms of this kind stand on the workspace: their ids must differ.
    id_format = "link_%s"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", self.id_format)
        super().__init__(*args, **kwargs)

    def clean_number(self):
        number = self.cleaned_data["number"].strip()
        if not (number.isascii() and number.isdigit()):
            raise forms.ValidationError(_("A ticket number has only digits."))
        # Numbers are zero-padded to ten digits; agents may type them without the leading zeros.
        return number.zfill(NUMBER_WIDTH)


class MergeForm(TicketNumberForm):
    number = forms.CharField(
        label=gettext_lazy("Merge into ticket number"), max_length=NUMBER_WIDTH,
        help_text=gettext_lazy("Its comments and attachments move there; this ticket is then closed."),
    )
    id_format = "merge_%s"
