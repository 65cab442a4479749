"""The agent's queues: lists of tickets to work, each with a count, filters, search, sort and bulk actions.

A queue's filter lives in the query string (``/desk/queues/mine/?team=3&q=printer
&sort=-priority``): the sort links and the pages keep it, a link to another queue
starts afresh. Bulk actions are posted to the queue's own address (query string
included): a form in error is shown again next to its fields with every choice
kept; otherwise the page redirects back to the same list (post/redirect/get) and
says per ticket what was refused. The counts beside the queues ignore the filters.
"""

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tessera.core.errors import ApplicationError
from tessera.core.transactions import atomic_writes
from tessera.organizations.forms import add_service_error
from tessera.tickets import services
from tessera.tickets.models import Priority
from tessera.tickets.numbering import NUMBER_WIDTH
from tessera.tickets.selectors import queues, sorting, text_search
from tessera.tickets.workflow import ACTIONS_REQUIRING_MESSAGE, STATUS_GROUPS, TRANSITIONS, Action, Actor, Status

from .decorators import staff_required

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

    def __init__(self, *args, teams, agents, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [
            ("", _("Any team")), (queues.NONE, _("No team")),
            *[(str(team.pk), team.name if team.is_active else _("%(name)s (inactive)") % {"name": team.name})
              for team in teams],
        ]
        self.fields["status"].choices = [
            ("", _("Any status")),
            *[(str(label), [(s.value, s.label) for s in statuses]) for label, statuses in STATUS_GROUPS],
        ]
        self.fields["priority"].choices = [("", _("Any priority")), *Priority.choices]
        self.fields["assignee"].choices = [
            ("", _("Anyone")), (queues.NONE, _("Not assigned")),
            *[(str(agent.pk), _person_label(agent)) for agent in agents],
        ]
        self.fields["category"].choices = [("", _("Any category")), *[(node.pk, path) for node, path in categories]]

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
AGENT_ACTIONS = tuple(t.action for t in TRANSITIONS if t.actor == Actor.AGENT)


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
        self.fields["operation"].choices = _operation_choices()
        self.fields["assignee"].choices = [("", _("Choose an agent")),
                                           *[(pk, _person_label(agent)) for pk, agent in self.agents.items()]]

    @property
    def action(self) -> Action | None:
        operation = self.cleaned_data.get("operation", "")
        return Action(operation.removeprefix(STATUS_PREFIX)) if operation.startswith(STATUS_PREFIX) else None

    def clean(self):
        data = super().clean()
        operation = data.get("operation", "")
        if operation == ASSIGN and not data.get("assignee"):
            self.add_error("assignee", _("Choose the agent to assign the tickets to."))
        if operation.startswith(STATUS_PREFIX) and self.action in ACTIONS_REQUIRING_MESSAGE \
                and not data.get("message", "").strip():
            self.add_error("message", _("Write the message the customer will receive."))
        return data


def _apply_bulk(request, form: BulkActionForm) -> tuple[services.BulkOutcome, list[str]]:
    """Run the chosen action on the selected tickets the agent may see; raises what the service refuses.

    Also returns the numbers that name no ticket the agent may see: refused like the others, saying no more.
    """
    numbers = form.cleaned_data["ticket"]
    tickets = queues.visible_tickets_by_number(request.user, numbers)
    operation = form.cleaned_data["operation"]
    if operation == ASSIGN_TO_ME:
        outcome = services.ticket_bulk_assign(tickets=tickets, user=request.user, assignee=request.user)
    elif operation == ASSIGN:
        assignee = form.agents[form.cleaned_data["assignee"]]
        outcome = services.ticket_bulk_assign(tickets=tickets, user=request.user, assignee=assignee)
    elif operation == UNASSIGN:
        outcome = services.ticket_bulk_unassign(tickets=tickets, user=request.user)
    else:
        outcome = services.ticket_bulk_change_status(
            tickets=tickets, user=request.user, action=form.action, message=form.cleaned_data["message"]
        )
    found = {ticket.number for ticket in tickets}
    return outcome, [number for number in numbers if number not in found]


def _report(request, outcome: services.BulkOutcome, not_found: list[str]) -> None:
    refused = [(ticket.number, reason) for ticket, reason in outcome.refused]
    refused += [(number, _("not found")) for number in not_found]
    changed = len(outcome.changed)
    if not refused:
        messages.success(
            request, ngettext("%(count)d ticket changed.", "%(count)d tickets changed.", changed) % {"count": changed}
        )
        return
    by_reason: dict[str, list[str]] = {}
    for number, reason in refused:
        by_reason.setdefault(reason, []).append(number)
    details = "; ".join(f"{', '.join(numbers)} ({reason})" for reason, numbers in by_reason.items())
    messages.warning(
        request,
        _("%(changed)d changed, %(refused)d refused: %(details)s")
        % {"changed": changed, "refused": len(refused), "details": details},
    )


def _sort_links(queue_filter: queues.QueueFilter) -> dict[str, dict]:
    """Per column: the address that sorts by it (ascending first, then descending) and its current direction."""
    links = {}
    for key in sorting.QUEUE_SORT_KEYS:
        current = queue_filter.sort_key == key
        descending = current and queue_filter.sort_descending
        next_sort = key if not current or descending else f"-{key}"
        links[key] = {
            "url": "?" + urlencode(queue_filter.params(sort=next_sort)),
            "direction": ("descending" if descending else "ascending") if current else "",
        }
    return links


#: The sortable columns after the checkbox, in the order of the table.
COLUMNS = (
    ("number", gettext_lazy("Number")),
    ("title", gettext_lazy("Title")),
    ("organization", gettext_lazy("Organization")),
    ("status", gettext_lazy("Status")),
    ("priority", gettext_lazy("Priority")),
    ("assignee", gettext_lazy("Assignee")),
    ("team", gettext_lazy("Team")),
    (None, gettext_lazy("Category")),
    ("updated", gettext_lazy("Change date")),
    ("created", gettext_lazy("Creation date")),
)


@staff_required
def queue_default(request):
    return redirect("desk:queue", queue=queues.DEFAULT_QUEUE.key)


@atomic_writes
@staff_required
def queue(request, queue: str):
    """One queue: GET shows it; POST applies a bulk action to the tickets ticked in it."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    current = queues.queue_or_404(queue)
    user = request.user
    teams, agents, categories = queues.service_teams(), queues.agents(), queues.category_paths()
    filter_form = QueueFilterForm(request.GET or None, teams=teams, agents=agents, categories=categories)
    queue_filter = filter_form.queue_filter(request.GET.get("sort", ""))

    bulk_form = BulkActionForm(request.POST if request.method == "POST" else None, agents=agents)
    if bulk_form.is_bound and bulk_form.is_valid():
        try:
            outcome, not_found = _apply_bulk(request, bulk_form)
        except (ValidationError, ApplicationError, PermissionDenied) as error:
            add_service_error(bulk_form, error)
        else:
            _report(request, outcome, not_found)
            return redirect(request.get_full_path())

    page = queues.queue_page(
        user, queue=current, queue_filter=queue_filter, page=request.GET.get("page"),
        per_page=settings.TESSERA_DESK_QUEUE_PAGE_SIZE,
    )
    counts = queues.queue_counts(user)
    category_path = {node.pk: path for node, path in categories}
    sort_links = _sort_links(queue_filter)
    selected = set(bulk_form.data.getlist("ticket")) if bulk_form.is_bound else set()
    context = {
        "queue": current,
        "queues": [(q, counts[q.key]) for q in queues.QUEUES],
        "filter": queue_filter,
        "filter_form": filter_form,
        "bulk_form": bulk_form,
        "page_obj": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "query": urlencode(queue_filter.params()),
        "headers": [
            {"label": label, "link": sort_links[key] if key else None, "key": key} for key, label in COLUMNS
        ],
        "rows": [
            (ticket, ticket.number in selected, category_path.get(ticket.category_id, ""))
            for ticket in page.object_list
        ],
    }
    return render(request, "desk/queue.html", context)
