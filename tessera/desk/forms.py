"""Forms of the desk's ticket workspace: one small form per thing an agent does to a ticket."""


from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tessera.core.forms import InstanceChoiceField
from tessera.portal.forms import AttachmentsField, UploadErrorsMixin, attachments_help
from tessera.tickets.models import Priority
from tessera.tickets.numbering import NUMBER_WIDTH
from tessera.tickets.selectors import queues
from tessera.tickets.workflow import ACTIONS_REQUIRING_MESSAGE, Action, Actor, Status, available_actions


class ReplyForm(UploadErrorsMixin, forms.Form):
    """A public reply to the customer or an internal note; the button pressed says which."""

    PUBLIC, INTERNAL = "public", "internal"

    body = forms.CharField(
        label=gettext_lazy("Message"), required=False, max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 7}),
    )
    canned = InstanceChoiceField(
        label=gettext_lazy("Canned response"), required=False, empty_label=gettext_lazy("— choose —")
    )
    attachments = AttachmentsField(label=gettext_lazy("Attachments"))
    send = forms.ChoiceField(
        choices=[(PUBLIC, gettext_lazy("Reply to the customer")), (INTERNAL, gettext_lazy("Internal note"))],
        required=False, widget=forms.HiddenInput,
    )

    def __init__(self, *args, canned_responses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["canned"].offer((response, response.title) for response in canned_responses)
        self.fields["attachments"].help_text = attachments_help()

    @property
    def canned_responses(self) -> list:
        return self.fields["canned"].instances

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


def agent_label(agent) -> str:
    return f"{agent.get_full_name()} <{agent.email}>" if agent.full_name else agent.email


class AssignForm(forms.Form):
    assignee = InstanceChoiceField(label=gettext_lazy("Assign to"), empty_label=gettext_lazy("— choose —"))

    def __init__(self, *args, agents=None, **kwargs):
        """``agents``: active vendor staff, already loaded (``queues.agents()``); loaded here when not given."""
        super().__init__(*args, **kwargs)
        agents = queues.agents() if agents is None else agents
        self.fields["assignee"].offer((agent, agent_label(agent)) for agent in agents)


class TeamForm(forms.Form):
    team = InstanceChoiceField(
        label=gettext_lazy("Service team"), required=False, empty_label=gettext_lazy("— no team —")
    )

    def __init__(self, *args, teams=None, **kwargs):
        """``teams``: the service teams, already loaded (``queues.service_teams()``); only active ones are offered."""
        super().__init__(*args, **kwargs)
        teams = queues.service_teams() if teams is None else teams
        self.fields["team"].offer((team, team.name) for team in teams if team.is_active)


class PriorityForm(forms.Form):
    priority = forms.TypedChoiceField(label=gettext_lazy("Priority"), choices=Priority.choices, coerce=int)


class CategoryForm(forms.Form):
    category = InstanceChoiceField(
        label=gettext_lazy("Category"), empty_label=gettext_lazy("— choose —"),
        help_text=gettext_lazy("The ticket goes to the service team of the new category."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Active categories, each with its whole path, in the tree's order: one query, as the queues' filter.
        self.fields["category"].offer((node, path) for node, path in queues.category_paths() if node.is_active)


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
