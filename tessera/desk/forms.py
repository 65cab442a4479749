"""The desk's forms: the workspace's (one small form per thing an agent does to a ticket), the queues', the rest."""

from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tessera.accounts.models import User
from tessera.audit.models import AuditAction
from tessera.core.forms import InstanceChoiceField, choice_field, instance_field
from tessera.notifications.models import OutgoingEmail
from tessera.organizations.models import Organization
from tessera.tickets.forms import AttachmentsField, UploadErrorsMixin, attachments_help
from tessera.tickets.models import (
    MACRO_ACTIONS,
    CannedResponse,
    Category,
    CategoryField,
    Priority,
    ServiceTeam,
    Ticket,
)
from tessera.tickets.numbering import NUMBER_WIDTH
from tessera.tickets.selectors import queues, sorting, text_search
from tessera.tickets.workflow import (
    ACTIONS_OF_THEIR_OWN,
    ACTIONS_REQUIRING_MESSAGE,
    STATUS_GROUPS,
    TRANSITIONS,
    Action,
    Actor,
    Status,
    available_actions,
)


class ReplyForm(UploadErrorsMixin, forms.Form):
    """A public reply to the customer or an internal note; the button pressed says which."""

    PUBLIC, INTERNAL = "public", "internal"
    #: A canned response was added to the text typed (the form shown again, nothing sent).
    canned_inserted = False

    body = forms.CharField(
        label=gettext_lazy("Message"), required=False, max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 7}),
    )
    canned = InstanceChoiceField(
        label=gettext_lazy("Macro"), required=False, empty_label=gettext_lazy("— choose —")
    )
    attachments = AttachmentsField(label=gettext_lazy("Attachments"))
    time_spent = forms.IntegerField(
        label=gettext_lazy("Time spent (minutes)"), required=False, min_value=1, max_value=720,
        help_text=gettext_lazy("Optional; kept for reports, never shown to the customer."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input-narrow"}),
    )
    send = forms.ChoiceField(
        choices=[(PUBLIC, gettext_lazy("Reply to the customer")), (INTERNAL, gettext_lazy("Internal note"))],
        required=False, widget=forms.HiddenInput,
    )

    def __init__(self, *args, canned_responses=(), **kwargs):
        super().__init__(*args, **kwargs)
        instance_field(self, "canned").offer((response, response.title) for response in canned_responses)
        self.fields["attachments"].help_text = attachments_help()

    @property
    def canned_responses(self) -> list:
        return instance_field(self, "canned").instances

    @property
    def is_internal(self) -> bool:
        return self.cleaned_data.get("send") == self.INTERNAL

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if not (cleaned.get("body") or "").strip() and not cleaned.get("attachments") and not self.errors:
            self.add_error("body", _("Write a message or attach a file."))
        return cleaned


def status_changes(status: str) -> list:
    """The status changes an agent picks from a list (reopening has a form of its own)."""
    return [t for t in available_actions(Actor.AGENT, status) if t.action not in ACTIONS_OF_THEIR_OWN]


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
        choice_field(self, "action").choices = [
            ("", _("— choose —")),
            *((t.action.value, f"{t.action.label} → {t.target.label}") for t in status_changes(status)),
        ]
        self.fields["action"].error_messages["invalid_choice"] = _(
            "This status change is not allowed while the ticket is “%(status)s”."
        ) % {"status": Status(status).label}

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
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
        instance_field(self, "assignee").offer((agent, agent_label(agent)) for agent in agents)


class TeamForm(forms.Form):
    team = InstanceChoiceField(
        label=gettext_lazy("Service team"), required=False, empty_label=gettext_lazy("— no team —")
    )

    def __init__(self, *args, teams=None, **kwargs):
        """``teams``: the service teams, already loaded (``queues.service_teams()``); only active ones are offered."""
        super().__init__(*args, **kwargs)
        teams = queues.service_teams() if teams is None else teams
        instance_field(self, "team").offer((team, team.name) for team in teams if team.is_active)


class PriorityForm(forms.Form):
    priority = forms.TypedChoiceField(label=gettext_lazy("Priority"), choices=Priority.choices, coerce=int)


#: The inputs of a category's extra fields are named ``cf_<key>``, as on the portal's form.
FIELD_PREFIX = "cf_"


def extra_field(field: CategoryField) -> forms.Field:
    """The input of one extra field; its value is checked once more by the service (``category_fields``)."""
    common: dict = {"label": field.label, "required": field.required, "help_text": field.help_text}
    kind = CategoryField.Kind
    if field.kind == kind.DATE:
        return forms.DateField(**common, widget=forms.DateInput(attrs={"type": "date"}))
    if field.kind == kind.CHECKBOX:
        return forms.BooleanField(**common)
    if field.kind == kind.CHOICE:
        return forms.ChoiceField(**common, choices=[("", _("— choose —")), *((c, c) for c in field.choice_list)])
    if field.kind == kind.NUMBER:
        return forms.CharField(**common, max_length=50, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    return forms.CharField(**common, max_length=1000)


def _typed(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


class ExtraFieldsMixin(forms.Form):
    """The inputs of ``extra_fields`` (``cf_<key>``), and the values they hold for the service."""

    extra_fields: list[CategoryField] = []

    def add_extra_fields(self, fields: list[CategoryField], current: dict) -> None:
        self.extra_fields = fields
        for field in fields:
            self.fields[FIELD_PREFIX + field.key] = extra_field(field)
            if field.key in current:
                self.initial[FIELD_PREFIX + field.key] = current[field.key]

    @property
    def extra_field_names(self) -> list[str]:
        return [FIELD_PREFIX + field.key for field in self.extra_fields]

    @property
    def service_field_map(self) -> dict[str, str]:
        """The service's names of the values (their keys) to this form's inputs."""
        return {field.key: FIELD_PREFIX + field.key for field in self.extra_fields}

    def field_values(self) -> dict:
        values = {}
        for field in self.extra_fields:
            value = self.cleaned_data.get(FIELD_PREFIX + field.key)
            if value is None or value == "":
                continue
            values[field.key] = _typed(value)
        return values


class CategoryForm(ExtraFieldsMixin, forms.Form):
    """Re-categorize; the extra fields of the chosen category are asked for when it has required ones.

    The first post names the category only: the ticket's values under the same
    keys are taken. If the category asks for more, the form comes back with its
    fields (pre-filled with those values) and ``fields_for`` set; the next post
    carries what the agent typed there.
    """

    category = InstanceChoiceField(
        label=gettext_lazy("Category"), empty_label=gettext_lazy("— choose —"),
        help_text=gettext_lazy("The ticket goes to the service team of the new category."),
    )
    fields_for = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, *args, ticket: Ticket, **kwargs):
        current = dict(ticket.field_values or {})
        chosen = None
        if data is not None:
            data = data.copy()
        super().__init__(data, *args, **kwargs)
        # Active categories, each with its whole path, in the tree's order: one query, as the queues' filter.
        instance_field(self, "category").offer((node, path) for node, path in queues.category_paths() if node.is_active)
        if data is not None:
            picked = str(data.get("category") or "")
            chosen = next((c for c in instance_field(self, "category").instances if str(c.pk) == picked), None)
        if chosen is None or chosen.pk == ticket.category_id:
            return
        fields = Category.objects.get(pk=chosen.pk).all_fields()
        if not fields:
            return
        self.add_extra_fields(fields, current)
        if data.get("fields_for") != str(chosen.pk):
            # The fields were not on the form (or those of another category were): the ticket's values stand in
            # for what the agent did not type.
            shown_before = bool(data.get("fields_for"))
            for field in fields:
                name = FIELD_PREFIX + field.key
                if shown_before and data.get(name):
                    continue
                if field.key in current:
                    value = current[field.key]
                    data[name] = ("on" if value else "") if isinstance(value, bool) else str(value)
                else:
                    data.pop(name, None)
            data["fields_for"] = str(chosen.pk)
        self.data = data

    @property
    def asks_for_fields(self) -> bool:
        return bool(self.extra_fields)


class FieldValuesForm(ExtraFieldsMixin, forms.Form):
    """The values of the extra fields of the ticket's category."""

    def __init__(self, *args, ticket: Ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = "fields_%s"
        self.add_extra_fields(ticket.category.all_fields(), dict(ticket.field_values or {}))


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for reopening"), max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Sent to the customer and shown on their ticket page."),
        error_messages={"required": gettext_lazy("Tell the customer why the ticket is reopened.")},
    )


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


# The queues: their filter and their bulk actions.


#: At most this many tickets are changed by one bulk action (a page holds fewer).
BULK_MAX_TICKETS = 100


def _person_label(user) -> str:
    return user.get_full_name()


class QueueFilterForm(forms.Form):
    """The filters above a queue; its choices come from lists the view has read once."""

    q = forms.CharField(
        label=gettext_lazy("Search"), required=False,
        help_text=gettext_lazy("A ticket number, words of the title or description, or an organization's name "
                               "or customer code."),
        widget=forms.TextInput(attrs={"type": "search", "maxlength": text_search.MAX_QUERY_LENGTH}),
    )
    team = forms.ChoiceField(label=gettext_lazy("Service team"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    priority = forms.TypedChoiceField(label=gettext_lazy("Priority"), required=False, coerce=int, empty_value=None)
    organization = forms.CharField(
        label=gettext_lazy("Organization (customer code)"), required=False, max_length=32,
    )
    assignee = forms.ChoiceField(label=gettext_lazy("Assignee"), required=False)
    category = forms.TypedChoiceField(label=gettext_lazy("Category"), required=False, coerce=int, empty_value=None)
    tag = forms.CharField(label=gettext_lazy("Tag"), required=False, max_length=40)

    def __init__(self, *args, teams, agents, categories, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "team").choices = [
            ("", _("Any team")), (queues.NONE, _("No team")),
            *[(str(team.pk), team.name if team.is_active else _("%(name)s (inactive)") % {"name": team.name})
              for team in teams],
        ]
        choice_field(self, "status").choices = [
            ("", _("Any status")),
            *[(str(label), [(s.value, s.label) for s in statuses]) for label, statuses in STATUS_GROUPS],
        ]
        choice_field(self, "priority").choices = [("", _("Any priority")), *Priority.choices]
        choice_field(self, "assignee").choices = [
            ("", _("Anyone")), (queues.NONE, _("Not assigned")),
            *[(str(agent.pk), _person_label(agent)) for agent in agents],
        ]
        choice_field(self, "category").choices = [
            ("", _("Any category")), *[(node.pk, path) for node, path in categories]
        ]

    def ignored_filters(self) -> list[str]:
        """One sentence per filter whose value was not understood and therefore filters nothing."""
        if not self.is_bound or self.is_valid():
            return []
        ignored = []
        for name, field in self.fields.items():
            if name not in self.errors:
                continue
            value = Truncator(self.data.get(name, "")).chars(40)
            if isinstance(field, forms.ChoiceField):
                message = _("%(filter)s '%(value)s' is not a valid choice; the filter was ignored.")
            else:
                message = _("%(filter)s '%(value)s' is not valid; the filter was ignored.")
            ignored.append(message % {"filter": field.label, "value": value})
        return ignored

    def queue_filter(self, sort: str) -> queues.QueueFilter:
        """The filter of every valid field; a field in error filters nothing (its message says why)."""
        data = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data
        return queues.QueueFilter(
            team=data.get("team") or "",
            status=data.get("status") or "",
            priority=data.get("priority"),
            organization=(data.get("organization") or "").strip(),
            assignee=data.get("assignee") or "",
            category=data.get("category"),
            tag=" ".join((data.get("tag") or "").split()),
            query=text_search.clean_query(data.get("q") or ""),
            sort=sorting.clean_sort(sort, sorting.QUEUE_SORT_KEYS),
        )


class TicketNumbersField(forms.Field):
    """The ticket checkboxes of the list: every ticket number ticked."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"required": gettext_lazy("Select at least one ticket.")}

    def to_python(self, value) -> list[str]:
        numbers = []
        for number in value or []:
            number = str(number).strip()
            if not (number.isascii() and number.isdigit() and len(number) <= NUMBER_WIDTH):
                raise ValidationError(_("Select tickets from the list."))
            if number.zfill(NUMBER_WIDTH) not in numbers:
                numbers.append(number.zfill(NUMBER_WIDTH))
        if len(numbers) > BULK_MAX_TICKETS:
            raise ValidationError(
                _("Select at most %(max)d tickets at a time.") % {"max": BULK_MAX_TICKETS}
            )
        return numbers


ASSIGN_TO_ME, ASSIGN, UNASSIGN = "assign_me", "assign", "unassign"
STATUS_PREFIX = "status:"
#: The status changes an agent may make, in the workflow's order.
AGENT_ACTIONS = tuple(
    t.action for t in TRANSITIONS if t.actor == Actor.AGENT and t.action not in ACTIONS_OF_THEIR_OWN
)


def _operation_choices():
    by_action = {t.action: t.target for t in TRANSITIONS if t.actor == Actor.AGENT}
    return [
        ("", _("Choose an action")),
        (_("Assignment"), [
            (ASSIGN_TO_ME, _("Assign to me")), (ASSIGN, _("Assign to the agent chosen below")),
            (UNASSIGN, _("Unassign")),
        ]),
        (_("Change status"), [
            (f"{STATUS_PREFIX}{action.value}",
             _("%(action)s → %(status)s") % {"action": action.label, "status": Status(by_action[action]).label})
            for action in AGENT_ACTIONS
        ]),
    ]


class BulkActionForm(forms.Form):
    ticket = TicketNumbersField(label=gettext_lazy("Tickets"))
    operation = forms.ChoiceField(label=gettext_lazy("Action on the selected tickets"))
    assignee = forms.ChoiceField(
        label=gettext_lazy("Agent"), required=False,
        help_text=gettext_lazy("For “Assign to the agent chosen below”."),
    )
    message = forms.CharField(
        label=gettext_lazy("Message to the customer"), required=False, max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Needed to request information or provide a solution; each selected ticket "
                               "gets it as a public comment."),
    )

    def __init__(self, *args, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.agents = {str(agent.pk): agent for agent in agents}
        choice_field(self, "operation").choices = _operation_choices()
        choice_field(self, "assignee").choices = [("", _("Choose an agent")),
                                           *[(pk, _person_label(agent)) for pk, agent in self.agents.items()]]

    @property
    def action(self) -> Action | None:
        operation = self.cleaned_data.get("operation", "")
        return Action(operation.removeprefix(STATUS_PREFIX)) if operation.startswith(STATUS_PREFIX) else None

    def clean(self):
        super().clean()
        data = self.cleaned_data
        operation = data.get("operation", "")
        if operation == ASSIGN and not data.get("assignee"):
            self.add_error("assignee", _("Choose the agent to assign the tickets to."))
        if operation.startswith(STATUS_PREFIX) and self.action in ACTIONS_REQUIRING_MESSAGE \
                and not data.get("message", "").strip():
            self.add_error("message", _("Write the message the customer will receive."))
        return data


# The vendor's pages: invitations, the outbox, the audit log.


class ContactInviteForm(forms.Form):
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("E-mail"), max_length=254)


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), required=False,
        choices=[("", gettext_lazy("All")), *OutgoingEmail.Status.choices],
    )


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=gettext_lazy("Action"), required=False,
                               choices=[("", gettext_lazy("Every action")), *AuditAction.choices])
    actor = forms.CharField(label=gettext_lazy("E-mail of the user"), required=False, max_length=254,
                            help_text=gettext_lazy("Also finds failed logins with this name."))
    ip_address = forms.GenericIPAddressField(label=gettext_lazy("IP address"), required=False)
    organization = forms.ModelChoiceField(
        label=gettext_lazy("Organization"), required=False, empty_label=gettext_lazy("Every organization"),
        queryset=Organization.objects.only("pk", "name", "customer_code").order_by("name"),
    )
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end of the period must not be before its start."))
        return data


class TagsForm(forms.Form):
    """The ticket's tags, as one comma-separated line."""

    tags = forms.CharField(
        label=gettext_lazy("Tags"), required=False, max_length=1000,
        help_text=gettext_lazy("Separate tags with commas. Only agents see them."),
    )


class MacroForm(forms.ModelForm):
    """A macro as an agent writes it; a vendor administrator also says who is offered it."""

    ONLY_ME, EVERYONE = "me", "all"

    scope = forms.ChoiceField(label=gettext_lazy("Offered to"), required=False)

    class Meta:
        model = CannedResponse
        fields = ["title", "body", "note", "action", "set_priority", "set_team", "set_assignee", "add_tags",
                  "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 5}), "note": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "body": gettext_lazy("{customer_name}, {ticket_number} and {ticket_title} are filled in. For "
                                 "“Request information” and “Provide solution” this is the message they send."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        cast(forms.ModelChoiceField, self.fields["set_team"]).queryset = ServiceTeam.objects.filter(
            is_active=True).order_by("name")
        cast(forms.ModelChoiceField, self.fields["set_assignee"]).queryset = User.objects.filter(
            is_staff=True, is_active=True).order_by("first_name", "last_name", "email")
        unchanged = _("— unchanged —")
        choice_field(self, "action").choices = [("", unchanged), *MACRO_ACTIONS]
        choice_field(self, "set_priority").choices = [("", unchanged), *Priority.choices]
        for name in ("set_team", "set_assignee"):
            cast(forms.ModelChoiceField, self.fields[name]).empty_label = unchanged
        if user.is_superuser:
            choice_field(self, "scope").choices = [
                (self.ONLY_ME, _("Only me")), (self.EVERYONE, _("Every agent")),
                *[(f"team:{team.pk}", _("The team %(name)s") % {"name": team.name})
                  for team in ServiceTeam.objects.filter(is_active=True).order_by("name")],
            ]
            macro = self.instance
            if macro.team_id:
                scope = f"team:{macro.team_id}"
            else:
                scope = self.ONLY_ME if macro.owner_id or macro.pk is None else self.EVERYONE
            self.initial.setdefault("scope", scope)
        else:
            del self.fields["scope"]

    def clean(self):
        cleaned = super().clean() or {}
        wanted = ("body", "note", "action", "set_priority", "set_team", "set_assignee", "add_tags")
        if not any((cleaned.get(name) or "") if isinstance(cleaned.get(name), str) else cleaned.get(name)
                   for name in wanted):
            raise forms.ValidationError(_("A macro needs at least a reply, a note or a change to make."))
        return cleaned

    def save(self, commit=True):
        macro = super().save(commit=False)
        scope = self.cleaned_data.get("scope")
        if scope == self.EVERYONE:
            macro.owner, macro.team = None, None
        elif scope and scope.startswith("team:"):
            macro.owner, macro.team_id = None, int(scope.removeprefix("team:"))
        elif scope == self.ONLY_ME or macro.pk is None:
            macro.owner, macro.team = self.user, None
        if commit:
            macro.save()
        return macro


class SaveViewForm(forms.Form):
    """Save the queue as it is shown (its filters and sort) under a name, for oneself or for a team."""

    name = forms.CharField(label=gettext_lazy("Name of the view"), max_length=80)
    team = forms.TypedChoiceField(label=gettext_lazy("Share with"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, teams, **kwargs):
        kwargs.setdefault("prefix", "view")
        super().__init__(*args, **kwargs)
        self.teams = {team.pk: team for team in teams}
        choice_field(self, "team").choices = [
            ("", _("Only me")), *[(team.pk, _("The team %(name)s") % {"name": team.name}) for team in teams]
        ]

    @property
    def team_chosen(self):
        return self.teams.get(self.cleaned_data.get("team"))


class SignatureForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your signature"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Markdown. Added under your replies to customers, above your team's signature."),
    )


class GlobalSearchForm(forms.Form):
    """The desk's global search: a query of at most ``MAX_QUERY_LENGTH`` characters."""

    q = forms.CharField(
        label=gettext_lazy("Search all tickets"), required=False, max_length=text_search.MAX_QUERY_LENGTH,
        help_text=gettext_lazy("A ticket number or a part of it, words of the title, description or comments, "
                               "the requester's name or e-mail, an organization's name or customer code."),
        widget=forms.TextInput(attrs={"type": "search", "maxlength": text_search.MAX_QUERY_LENGTH}),
    )
