"""The ticket workspace: everything about one ticket, on one page, and the helpers of the actions on it.

Every action is a small form posted to its own URL (``replies``,
``ticket_actions``, ``ticket_relations``); it calls one service and returns to
the workspace. A form that fails is shown again, bound, in the workspace
(status 400) so what the agent typed stays next to the error; any other refusal
is a message above the workspace (``desk.errors``).

The forms agents use now and then (category, CC, related ticket, merge) are
not built on every view of the workspace: a GET of their URL answers the form
alone, which htmx puts into the workspace when the agent opens it; without
JavaScript the same URL is a page of its own.
"""

from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tessera.organizations.forms import OrganizationNoteForm
from tessera.tickets import canned, services
from tessera.tickets.downloads import attachment_response
from tessera.tickets.models import Attachment, Ticket, TicketLink
from tessera.tickets.policies import ticket_policy
from tessera.tickets.selectors import queues
from tessera.tickets.selectors.customer import customer_context
from tessera.tickets.selectors.versions import ticket_version

from ..decorators import staff_required
from ..forms import (
    AssignForm,
    PriorityForm,
    ReopenForm,
    ReplyForm,
    StatusForm,
    TagsForm,
    TeamForm,
    status_changes,
)
from ..timeline import attachments_by_comment, timeline

TICKET_RELATED = (
    "organization", "created_by", "assignee", "service_team", "category__parent__parent__parent",
    "follow_up_of", "merged_into",
)


def ticket_or_404(request: HttpRequest, number: str) -> Ticket:
    """The ticket the agent may see with this number; any other is a 404."""
    return ticket_policy.get_visible_or_404(
        request.user, number=number, queryset=Ticket.objects.select_related(*TICKET_RELATED)
    )


def back_to(ticket: Ticket) -> HttpResponse:
    return redirect("desk:ticket", number=ticket.number)


def back_to_ticket(request: HttpRequest, number: str, **kwargs: Any) -> HttpResponse:
    """Where a refused action returns: the workspace of the ticket in its URL (``desk.errors.refusals_shown``)."""
    return redirect("desk:ticket", number=number)


def _field_values(ticket: Ticket) -> list[tuple[str, object]]:
    if not ticket.field_values:
        return []  # most tickets: no need to look up the category's field labels
    fields = {f.key: f.label for f in ticket.category.all_fields()}
    rows = []
    for key, value in ticket.field_values.items():
        if isinstance(value, bool):
            value = _("Yes") if value else _("No")
        rows.append((fields.get(key, key), value))
    return rows


def _links(ticket: Ticket) -> list[Ticket]:
    links = TicketLink.objects.filter(Q(from_ticket=ticket) | Q(to_ticket=ticket)).select_related(
        "from_ticket", "to_ticket"
    )
    related = [link.to_ticket if link.from_ticket_id == ticket.pk else link.from_ticket for link in links]
    return sorted(related, key=lambda t: t.number)


def _merged_and_follow_ups(ticket: Ticket) -> tuple[list[Ticket], list[Ticket]]:
    """The tickets merged into ``ticket`` and its follow-up tickets, from one query."""
    others = (
        Ticket.objects.filter(Q(merged_into=ticket) | Q(follow_up_of=ticket))
        .only("number", "merged_into_id", "follow_up_of_id")
        .order_by("number")
    )
    merged, follow_ups = [], []
    for other in others:
        if other.merged_into_id == ticket.pk:
            merged.append(other)
        if other.follow_up_of_id == ticket.pk:
            follow_ups.append(other)
    return merged, follow_ups


#: The workspace's forms that are loaded when the agent opens them, not with the page.
ON_DEMAND_FORMS = ("category_form", "cc_form", "link_form", "merge_form", "fields_form")


def render_workspace(request, ticket: Ticket, *, status: int = 200, **forms):
    """The workspace; a form that failed comes in bound so its input and errors show.

    The agents, teams and canned responses are loaded once and only for an open
    ticket (a closed one shows none of the forms that offer them). The forms
    loaded on demand (``category_form``, ``cc_form``, ``link_form``,
    ``merge_form``, ``fields_form``) are here only when one of them failed.

    A closed ticket still takes internal notes, and (unless it was merged into
    another) can be reopened with a reason.
    """
    is_open = not ticket.is_closed
    version = ticket_version(ticket)  # read first: a change after it is on the page, and trips the check too
    files = attachments_by_comment(ticket)
    merged_tickets, follow_ups = _merged_and_follow_ups(ticket)
    entries = timeline(ticket, files)
    context = {
        "ticket": ticket,
        "ticket_version": version,
        "timeline": entries,
        "time_spent": sum(entry.comment.time_spent or 0 for entry in entries if entry.comment is not None),
        "ticket_attachments": files.get(None, []),
        "cc_entries": list(ticket.cc_entries.order_by("email")),
        "category_path": ticket.category.path(),
        "field_values": _field_values(ticket),
        "links": _links(ticket),
        "merged_tickets": merged_tickets,
        "follow_ups": follow_ups,
        "is_open": is_open,
        "has_status_actions": is_open and bool(status_changes(ticket.status)),
        "assigned_to_me": ticket.assignee_id == request.user.pk,
        "files_lost": bool(forms.get("files_lost")),
        "preview": forms.get("preview"),
        "customer": customer_context(ticket, user=request.user),
        "ticket_tags": (tags := list(ticket.tags.all())),
        "tags_form": forms.get("tags_form") or TagsForm(initial={"tags": ", ".join(tag.name for tag in tags)}),
        "note_form": OrganizationNoteForm(),
        **{name: forms.get(name) for name in ON_DEMAND_FORMS},
    }
    if is_open:
        reply_form = forms.get("reply_form") or reply_form_for(ticket, user=request.user)
        context |= {
            "reply_form": reply_form,
            "has_canned": bool(reply_form.canned_responses),
            "status_form": forms.get("status_form") or StatusForm(status=ticket.status),
            "assign_form": forms.get("assign_form")
            or AssignForm(initial={"assignee": ticket.assignee_id}, agents=queues.agents()),
            "team_form": forms.get("team_form")
            or TeamForm(initial={"team": ticket.service_team_id}, teams=queues.service_teams()),
            "priority_form": forms.get("priority_form") or PriorityForm(initial={"priority": ticket.priority}),
        }
    else:
        context["reply_form"] = forms.get("reply_form") or reply_form_for(ticket, canned_responses=[])
        if ticket.merged_into_id is None:
            context["reopen_form"] = forms.get("reopen_form") or ReopenForm()
    return render(request, "desk/ticket.html", context, status=status)


def on_demand_form(request, ticket: Ticket, form, *, template: str, title: str):
    """The GET of an action's URL: its form alone (``form`` is None where the ticket does not offer it).

    htmx asks for the fragment it puts into the workspace's disclosure; a
    browser without JavaScript follows the disclosure's link and gets a page.
    """
    context = {"ticket": ticket, "form": form, "form_template": template, "title": title,
               "ticket_version": ticket_version(ticket)}
    page = "desk/ticket_action_fragment.html" if request.htmx else "desk/ticket_action_page.html"
    response = render(request, page, context)
    patch_vary_headers(response, ["HX-Request"])  # one URL, two answers: caches must keep them apart
    return response


def files_sent(request) -> bool:
    return bool(request.FILES or getattr(request, "oversized_uploads", None))


@staff_required
@require_GET
def ticket(request, number):
    found = ticket_or_404(request, number)
    services.ticket_seen_by_assignee(ticket=found, user=request.user)
    return render_workspace(request, found)


def reply_form_for(ticket: Ticket, *args, canned_responses=None, user=None, **kwargs) -> ReplyForm:
    """The reply box, offering the macros of the ticket's team and ``user``'s own (read here when not given)."""
    if canned_responses is None:
        canned_responses = list(canned.canned_responses_for(ticket, user))
    return ReplyForm(*args, canned_responses=canned_responses, **kwargs)


@staff_required
@require_GET
def attachment_download(request, number, pk):
    """Files leave only through here, after the ticket's visibility check; internal ones too, for staff."""
    ticket = ticket_or_404(request, number)
    attachment = get_object_or_404(Attachment, pk=pk, ticket=ticket)
    return attachment_response(ticket=ticket, attachment=attachment)
