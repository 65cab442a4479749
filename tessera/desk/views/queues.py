"""The agent's queues: lists of tickets to work, each with a count, filters, search, sort and bulk actions.

A queue's filter lives in the query string (``/desk/queues/mine/?team=3&q=printer
&sort=-priority``): the sort links and the pages keep it, a link to another queue
starts afresh. Bulk actions are posted to the queue's own address (query string
included): a form in error is shown again next to its fields with every choice
kept; otherwise the page redirects back to the same list (post/redirect/get) and
says per ticket what was refused. The counts beside the queues ignore the filters.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from tessera.core.forms import apply_service_error
from tessera.core.idempotency import AlreadySubmitted, already_sent, submit_once
from tessera.tickets import services
from tessera.tickets.models import DeskView, Priority
from tessera.tickets.selectors import queues, sorting

from ..decorators import staff_required
from ..errors import FORM_ERRORS
from ..forms import ASSIGN, ASSIGN_TO_ME, UNASSIGN, BulkActionForm, QueueFilterForm, SaveViewForm
from .pages import page_range


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
    elif (action := form.action) is not None:
        outcome = services.ticket_bulk_change_status(
            tickets=tickets, user=request.user, action=action, message=form.cleaned_data["message"]
        )
    else:
        raise ValueError(f"unknown bulk operation {operation!r}")  # the form offers no other
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


#: The columns after the checkbox, in the order of the table: (column, sort key or None, label).
COLUMNS = (
    ("number", "number", gettext_lazy("Number")),
    ("title", "title", gettext_lazy("Title")),
    ("organization", "organization", gettext_lazy("Organization")),
    ("status", "status", gettext_lazy("Status")),
    ("priority", "priority", gettext_lazy("Priority")),
    ("assignee", "assignee", gettext_lazy("Assignee")),
    ("team", "team", gettext_lazy("Team")),
    ("category", None, gettext_lazy("Category")),
    ("due", "due", gettext_lazy("Due")),
    ("updated", "updated", gettext_lazy("Change date")),
    ("created", "created", gettext_lazy("Creation date")),
)

#: The icon beside each queue's name, in the queue list and on the desk's home.
QUEUE_ICONS = {
    "mine": "user",
    "team-unassigned": "users",
    "waiting": "clock",
    "on-hold": "archive",
    "updated": "bell",
    "open": "inbox",
    "recently-closed": "check-circle",
    "breaching-soon": "alert-circle",
    "overdue": "alert-triangle",
}

#: The design system's class suffix of each priority (badge-priority-…).
PRIORITY_SLUGS = {priority.value: priority.name.lower().replace("_", "-") for priority in Priority}


def queue_list(user) -> list[tuple[queues.Queue, queues.TicketCount, str]]:
    """Every queue with its count (one query) and its icon."""
    counts = queues.queue_counts(user)
    return [(queue, counts[queue.key], QUEUE_ICONS.get(queue.key, "list")) for queue in queues.QUEUES]


def view_url(view) -> str:
    """Where a saved view opens: its queue with its filters and sort, and which view it is."""
    query = f"{view.query}&view={view.pk}" if view.query else f"view={view.pk}"
    return f"{reverse('desk:queue', kwargs={'queue': view.queue})}?{query}"


@staff_required
@require_POST
def view_delete(request, pk):
    view = get_object_or_404(DeskView, pk=pk)
    try:
        services.desk_view_delete(user=request.user, view=view)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("The view “%(name)s” has been deleted.") % {"name": view.name})
    return redirect("desk:queue", queue=view.queue)


@staff_required
def queue_default(request):
    return redirect("desk:queue", queue=queues.DEFAULT_QUEUE.key)


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

    saving_view = request.method == "POST" and "view-name" in request.POST
    view_form = SaveViewForm(request.POST if saving_view else None, teams=queues.teams_of(user))
    if saving_view and view_form.is_valid():
        try:
            saved = services.desk_view_save(
                user=user, name=view_form.cleaned_data["name"], queue=current.key,
                query=request.GET.urlencode(), team=view_form.team_chosen,
            )
        except FORM_ERRORS as error:
            apply_service_error(view_form, error)
        else:
            messages.success(request, _("The view “%(name)s” has been saved.") % {"name": saved.name})
            return redirect(view_url(saved))

    bulk_form = BulkActionForm(request.POST if request.method == "POST" and not saving_view else None, agents=agents)
    if bulk_form.is_bound and bulk_form.is_valid():
        here = request.get_full_path()
        results: list = []

        def apply() -> str:
            results.append(_apply_bulk(request, bulk_form))
            return here

        try:
            submit_once(request, apply)
        except AlreadySubmitted as repeat:
            return already_sent(request, repeat, here)
        except (*FORM_ERRORS, PermissionDenied) as error:  # shown in the form, whose choices stay
            apply_service_error(bulk_form, error)
        else:
            _report(request, *results[0])
            return redirect(here)

    page = queues.queue_page(
        user,
        queue=current,
        queue_filter=queue_filter,
        page=request.GET.get("page"),
        per_page=settings.TESSERA_DESK_QUEUE_PAGE_SIZE,
    )
    category_path = {node.pk: path for node, path in categories}
    sort_links = _sort_links(queue_filter)
    selected = set(request.POST.getlist("ticket")) if bulk_form.is_bound else set()
    context = {
        "queue": current,
        "queues": queue_list(user),
        "filter": queue_filter,
        "filter_form": filter_form,
        "ignored_filters": filter_form.ignored_filters(),
        "bulk_form": bulk_form,
        "view_form": view_form,
        "refresh_seconds": settings.TESSERA_DESK_QUEUE_REFRESH_SECONDS,
        "views": [(view, view_url(view)) for view in queues.desk_views_for(user)],
        "current_view": request.GET.get("view", ""),
        "page_obj": page,
        "page_range": page_range(page),
        "query": urlencode(queue_filter.params()),
        "headers": [
            {"column": column, "label": label, "link": sort_links[key] if key else None, "key": key}
            for column, key, label in COLUMNS
        ],
        "rows": [
            {
                "ticket": ticket,
                "checked": ticket.number in selected,
                "category_path": category_path.get(ticket.category_id, ""),
                "priority_slug": PRIORITY_SLUGS.get(ticket.priority, ""),
                "updated_ago": timesince(ticket.updated_at, depth=1),
            }
            for ticket in page.object_list
        ],
    }
    return render(request, "desk/queue.html", context)
