"""The ticket workspace: everything about one ticket and everything an agent does to it.

Every action is a small form posted to its own URL; it calls one service and
returns to the workspace. A form that fails is shown again, bound, in the
workspace (status 400) so what the agent typed stays next to the error.

The forms agents use now and then (category, CC, related ticket, merge) are
not built on every view of the workspace: a GET of their URL answers the form
alone, which htmx puts into the workspace when the agent opens it; without
JavaScript the same URL is a page of its own.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tessera.core.errors import ApplicationError
from tessera.core.transactions import atomic_writes
from tessera.portal.errors import add_service_errors
from tessera.portal.forms import CCAddForm
from tessera.tickets import canned, services
from tessera.tickets.downloads import attachment_response
from tessera.tickets.models import Attachment, Comment, Priority, Source, Ticket, TicketEvent, TicketLink
from tessera.tickets.policies import ticket_policy
from tessera.tickets.selectors import queues
from tessera.tickets.workflow import Action, Actor, Status, TransitionNotAllowed, available_actions

from .decorators import staff_required
from .forms import (
    AssignForm,
    CategoryForm,
    CCRemoveForm,
    MergeForm,
    PriorityForm,
    ReplyForm,
    StatusForm,
    TeamForm,
    TicketNumberForm,
)

TICKET_RELATED = (
    "organization", "created_by", "assignee", "service_team", "category__parent__parent__parent",
    "follow_up_of", "merged_into",
)
Type = TicketEvent.Type
#: Shown by the comment or attachment itself, not as a separate line of the timeline.
EVENTS_SHOWN_BY_THEIR_OBJECT = (Type.COMMENT_ADDED, Type.NOTE_ADDED, Type.ATTACHMENT_ADDED)


def _ticket(request, number) -> Ticket:
    """The ticket the agent may see with this number; any other is a 404."""
    return ticket_policy.get_visible_or_404(
        request.user, number=number, queryset=Ticket.objects.select_related(*TICKET_RELATED)
    )


def _back(ticket: Ticket):
    return redirect("desk:ticket", number=ticket.number)


def _form_error(form, error, *, field_map=None) -> None:
    """A service's refusal, shown next to the field it is about (or above the form)."""
    if isinstance(error, ApplicationError):
        field = (field_map or {}).get(error.field, error.field)
        form.add_error(field if field in form.fields else None, error.message)
    else:
        add_service_errors(form, error, field_map=field_map)


# The timeline: comments, internal notes and events in one stream, in time order.


@dataclass
class EventView:
    """One event said in words: what changed, from what, to what."""

    label: str
    old: str | None = None
    new: str | None = None
    detail: str = ""
    ticket_number: str = ""  # another ticket the event is about (links, merges)
    merge: bool = False


@dataclass
class TimelineEntry:
    at: datetime
    order: tuple
    comment: Comment | None = None
    event: TicketEvent | None = None
    view: EventView | None = field(default=None)
    attachments: list[Attachment] = field(default_factory=list)  # those the comment came with

    @property
    def kind(self) -> str:
        if self.comment is not None:
            return "note" if self.comment.is_internal else "comment"
        return "event"


def _status_label(value) -> str:
    try:
        return str(Status(value).label)
    except ValueError:
        return str(value)


def _priority_label(value) -> str:
    try:
        priority = Priority(int(value))
    except (TypeError, ValueError):
        return str(value)
    return _("%(label)s (prio. %(value)d)") % {"label": priority.label, "value": priority.value}


def _action_label(value) -> str:
    try:
        return str(Action(value).label)
    except ValueError:
        return ""


def _number(value) -> str:
    """A ticket number from an event's data, or "" for anything that is not one (no link is built)."""
    value = str(value or "")
    return value if value.isascii() and value.isdigit() else ""


def _none(value) -> str:
    return str(value) if value not in (None, "") else _("none")


def describe_event(event: TicketEvent) -> EventView:
    data = event.data if isinstance(event.data, dict) else {}
    merge = bool(data.get("merge"))
    kind = event.type
    if kind == Type.CREATED:
        try:
            source = Source(data.get("source")).label
        except ValueError:
            source = data.get("source") or ""
        return EventView(_("Ticket created"), new=_status_label(data.get("status")), detail=str(source))
    if kind == Type.STATUS_CHANGED:
        view = EventView(
            _("Status"), old=_status_label(data.get("old")), new=_status_label(data.get("new")),
            detail=_action_label(data.get("action")), merge=merge,
        )
        if data.get("merged_into"):
            view.detail = _("merged into ticket")
            view.ticket_number = _number(data["merged_into"])
        return view
    if kind == Type.PRIORITY_CHANGED:
        return EventView(_("Priority"), old=_priority_label(data.get("old")), new=_priority_label(data.get("new")))
    if kind == Type.CATEGORY_CHANGED:
        return EventView(_("Category"), old=_none(data.get("old")), new=_none(data.get("new")))
    if kind == Type.TEAM_CHANGED:
        return EventView(_("Service team"), old=_none(data.get("old")), new=_none(data.get("new")))
    if kind == Type.ASSIGNED:
        return EventView(_("Assignee"), old=_none(data.get("previous")), new=_none(data.get("assignee")))
    if kind == Type.UNASSIGNED:
        return EventView(_("Assignee"), old=_none(data.get("previous")), new=_("none"))
    if kind == Type.CC_CHANGED:
        parts = []
        if data.get("added"):
            parts.append(_("added: %(list)s") % {"list": ", ".join(map(str, data["added"]))})
        if data.get("removed"):
            parts.append(_("removed: %(list)s") % {"list": ", ".join(map(str, data["removed"]))})
        view = EventView(_("CC"), detail="; ".join(parts), merge=merge)
        if data.get("duplicate"):
            view.detail += " " + _("(from the merged ticket)")
            view.ticket_number = _number(data["duplicate"])
        return view
    if kind == Type.LINKED:
        return EventView(_("Linked to ticket"), ticket_number=_number(data.get("other")), merge=merge)
    if kind == Type.UNLINKED:
        return EventView(_("Link removed to ticket"), ticket_number=_number(data.get("other")))
    # Events this page does not know yet (added by other features) still read as their type and data.
    detail = ", ".join(f"{key}: {value}" for key, value in sorted(data.items()) if not key.endswith("_id"))
    return EventView(str(event.get_type_display()), detail=detail, merge=merge)


def attachments_by_comment(ticket: Ticket) -> dict[int | None, list[Attachment]]:
    """Every file of ``ticket`` in one query, by the comment it came with (``None``: with the ticket itself)."""
    files = defaultdict(list)
    for attachment in Attachment.objects.filter(ticket=ticket).order_by("created_at", "pk"):
        files[attachment.comment_id].append(attachment)
    return files


def timeline(ticket: Ticket, files: dict[int | None, list[Attachment]]) -> list[TimelineEntry]:
    """Public comments, internal notes and events of ``ticket``; two queries whatever their number.

    ``files`` are the ticket's attachments by comment (``attachments_by_comment``).
    """
    comments = Comment.objects.filter(ticket=ticket).select_related("author")
    ticket_events = (
        TicketEvent.objects.filter(ticket=ticket).exclude(type__in=EVENTS_SHOWN_BY_THEIR_OBJECT).select_related("actor")
    )
    entries = [
        TimelineEntry(at=c.created_at, order=(c.created_at, 1, c.pk), comment=c, attachments=files.get(c.pk, []))
        for c in comments
    ]
    entries += [
        TimelineEntry(at=e.created_at, order=(e.created_at, 0, e.pk), event=e, view=describe_event(e))
        for e in ticket_events
    ]
    entries.sort(key=lambda entry: entry.order)
    return entries


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
ON_DEMAND_FORMS = ("category_form", "cc_form", "link_form", "merge_form")


def _render_workspace(request, ticket: Ticket, *, status: int = 200, **forms):
    """The workspace; a form that failed comes in bound so its input and errors show.

    The agents, teams and canned responses are loaded once and only for an open
    ticket (a closed one shows none of the forms that offer them). The forms
    loaded on demand (``category_form``, ``cc_form``, ``link_form``,
    ``merge_form``) are here only when one of them failed.
    """
    is_open = not ticket.is_closed
    files = attachments_by_comment(ticket)
    merged_tickets, follow_ups = _merged_and_follow_ups(ticket)
    context = {
        "ticket": ticket,
        "timeline": timeline(ticket, files),
        "ticket_attachments": files.get(None, []),
        "cc_entries": list(ticket.cc_entries.order_by("email")),
        "category_path": ticket.category.path(),
        "field_values": _field_values(ticket),
        "links": _links(ticket),
        "merged_tickets": merged_tickets,
        "follow_ups": follow_ups,
        "is_open": is_open,
        "has_status_actions": bool(available_actions(Actor.AGENT, ticket.status)),
        "assigned_to_me": ticket.assignee_id == request.user.pk,
        "files_lost": bool(forms.get("files_lost")),
        **{name: forms.get(name) for name in ON_DEMAND_FORMS},
    }
    if is_open:
        reply_form = forms.get("reply_form") or _reply_form(ticket)
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
    return render(request, "desk/ticket.html", context, status=status)


def _on_demand_form(request, ticket: Ticket, form, *, template: str, title: str):
    """The GET of an action's URL: its form alone (``form`` is None where the ticket does not offer it).

    htmx asks for the fragment it puts into the workspace's disclosure; a
    browser without JavaScript follows the disclosure's link and gets a page.
    """
    context = {"ticket": ticket, "form": form, "form_template": template, "title": title}
    page = "desk/ticket_action_fragment.html" if request.htmx else "desk/ticket_action_page.html"
    response = render(request, page, context)
    patch_vary_headers(response, ["HX-Request"])  # one URL, two answers: caches must keep them apart
    return response


def _files_sent(request) -> bool:
    return bool(request.FILES or getattr(request, "oversized_uploads", None))


@atomic_writes  # only reads: no BEGIN and COMMIT round trips on the desk's busiest page
@staff_required
@require_GET
def ticket(request, number):
    return _render_workspace(request, _ticket(request, number))


# Replies, internal notes and canned responses.


def _reply_form(ticket: Ticket, *args, canned_responses=None, **kwargs) -> ReplyForm:
    if canned_responses is None:
        canned_responses = list(canned.canned_responses_for(ticket))
    return ReplyForm(*args, canned_responses=canned_responses, **kwargs)


def _with_canned_text(ticket: Ticket, body: str, canned_response) -> str:
    text = canned.render_canned_response(canned_response, ticket=ticket)
    return f"{body.rstrip()}\n\n{text}" if body.strip() else text


def _canned_inserted_form(request, ticket: Ticket) -> ReplyForm:
    """The reply form again, unsaved, with the chosen canned response added to what was typed.

    Its ``canned_inserted`` says whether a response (of the ticket's team) was chosen.
    """
    form = _reply_form(ticket, request.POST)
    form.is_valid()  # only to read the typed values; nothing is saved
    body = request.POST.get("body", "")
    chosen = form.cleaned_data.get("canned")
    if chosen is not None:
        body = _with_canned_text(ticket, body, chosen)
    inserted = _reply_form(
        ticket, initial={"body": body, "canned": getattr(chosen, "pk", None)}, canned_responses=form.canned_responses
    )
    inserted.canned_inserted = chosen is not None
    return inserted


@staff_required
@require_POST
def ticket_reply(request, number):
    ticket = _ticket(request, number)
    if "insert" in request.POST:
        # "Insert" without JavaScript: the page again, the canned text in the box, nothing sent.
        form = _canned_inserted_form(request, ticket)
        if not form.canned_inserted:
            messages.error(request, _("Choose a canned response to insert."))
        return _render_workspace(request, ticket, reply_form=form, files_lost=_files_sent(request))
    form = _reply_form(ticket, request.POST, request.FILES, oversized_uploads=getattr(request, "oversized_uploads", ()))
    if form.is_valid():
        try:
            services.comment_add(
                ticket=ticket, author=request.user, body=form.cleaned_data["body"],
                is_internal=form.is_internal, attachments=form.cleaned_data["attachments"], source=Source.DESK,
            )
        except (ValidationError, ApplicationError) as error:
            _form_error(form, error)
        except PermissionDenied as error:
            messages.error(request, str(error))
            return _back(ticket)
        else:
            if form.is_internal:
                messages.success(request, _("Your internal note has been added."))
            else:
                messages.success(request, _("Your reply has been sent to the customer."))
            return _back(ticket)
    return _render_workspace(request, ticket, status=400, reply_form=form, files_lost=_files_sent(request))


@staff_required
@require_POST
def ticket_canned(request, number):
    """The reply box with the chosen canned response added (the htmx partial)."""
    form = _canned_inserted_form(request, _ticket(request, number))
    return render(request, "desk/ticket_reply_body.html", {"reply_form": form})


# Status, assignment, team, priority, category.


@staff_required
@require_POST
def ticket_status(request, number):
    ticket = _ticket(request, number)
    if not available_actions(Actor.AGENT, ticket.status):
        messages.error(
            request,
            _("This status change is not allowed while the ticket is “%(status)s”.")
            % {"status": ticket.get_status_display()},
        )
        return _back(ticket)
    form = StatusForm(request.POST, status=ticket.status)
    if form.is_valid():
        action = Action(form.cleaned_data["action"])
        try:
            services.ticket_change_status(
                ticket=ticket, user=request.user, action=action, message=form.cleaned_data["message"]
            )
        except (ValidationError, ApplicationError) as error:
            _form_error(form, error)
        except TransitionNotAllowed:
            messages.error(request, _("This status change is no longer possible: the ticket's status has changed."))
            return _back(ticket)
        except PermissionDenied as error:
            messages.error(request, str(error))
            return _back(ticket)
        else:
            ticket.refresh_from_db(fields=["status"])
            messages.success(
                request, _("The status is now “%(status)s”.") % {"status": ticket.get_status_display()}
            )
            return _back(ticket)
    return _render_workspace(request, ticket, status=400, status_form=form)


def _simple_action(request, ticket, form, form_name: str, perform, success: str):
    """Run ``perform(cleaned_data)`` for a valid form; errors next to the field, else back to the ticket."""
    if form.is_valid():
        try:
            perform(form.cleaned_data)
        except (ValidationError, ApplicationError) as error:
            _form_error(form, error)
        except PermissionDenied as error:
            messages.error(request, str(error))
            return _back(ticket)
        else:
            messages.success(request, success)
            return _back(ticket)
    return _render_workspace(request, ticket, status=400, **{form_name: form})


@staff_required
@require_POST
def ticket_assign(request, number):
    ticket = _ticket(request, number)
    form = AssignForm(request.POST)
    return _simple_action(
        request, ticket, form, "assign_form",
        lambda data: services.ticket_assign(ticket=ticket, user=request.user, assignee=data["assignee"]),
        _("The ticket has been assigned."),
    )


@staff_required
@require_POST
def ticket_assign_me(request, number):
    ticket = _ticket(request, number)
    try:
        services.ticket_assign(ticket=ticket, user=request.user, assignee=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("The ticket is now assigned to you."))
    return _back(ticket)


@staff_required
@require_POST
def ticket_unassign(request, number):
    ticket = _ticket(request, number)
    try:
        services.ticket_unassign(ticket=ticket, user=request.user)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The ticket is no longer assigned to anyone."))
    return _back(ticket)


@staff_required
@require_POST
def ticket_team(request, number):
    ticket = _ticket(request, number)
    return _simple_action(
        request, ticket, TeamForm(request.POST), "team_form",
        lambda data: services.ticket_assign_team(ticket=ticket, user=request.user, team=data["team"]),
        _("The service team has been changed."),
    )


@staff_required
@require_POST
def ticket_priority(request, number):
    ticket = _ticket(request, number)
    return _simple_action(
        request, ticket, PriorityForm(request.POST), "priority_form",
        lambda data: services.ticket_change_priority(ticket=ticket, user=request.user, priority=data["priority"]),
        _("The priority has been changed."),
    )


@atomic_writes
@staff_required
@require_http_methods(["GET", "POST"])
def ticket_category(request, number):
    ticket = _ticket(request, number)
    if request.method == "GET":
        form = None if ticket.is_closed else CategoryForm(initial={"category": ticket.category_id})
        return _on_demand_form(request, ticket, form, template="desk/ticket_category_form.html",
                               title=_("Re-categorize"))
    return _simple_action(
        request, ticket, CategoryForm(request.POST), "category_form",
        lambda data: services.ticket_change_category(ticket=ticket, user=request.user, category=data["category"]),
        _("The category has been changed; the ticket went to the category's service team."),
    )


# CC, related tickets, merge.


@atomic_writes
@staff_required
@require_http_methods(["GET", "POST"])
def ticket_cc_add(request, number):
    ticket = _ticket(request, number)
    if request.method == "GET":
        form = None if ticket.is_closed else CCAddForm(ticket=ticket)
        return _on_demand_form(request, ticket, form, template="desk/ticket_cc_form.html", title=_("Add to CC"))
    form = CCAddForm(request.POST, ticket=ticket)
    if form.is_valid():
        try:
            added = services.ticket_cc_add(
                ticket=ticket, user=request.user,
                cc_users=form.cleaned_data["cc_users"], cc_emails=form.cleaned_data["cc_email_list"],
            )
        except (ValidationError, ApplicationError) as error:
            _form_error(form, error)
        except PermissionDenied as error:
            messages.error(request, str(error))
            return _back(ticket)
        else:
            if added:
                messages.success(request, _("Added to CC: %(list)s") % {"list": ", ".join(added)})
            else:
                messages.info(request, _("These addresses were already in CC."))
            return _back(ticket)
    return _render_workspace(request, ticket, status=400, cc_form=form)


@staff_required
@require_POST
def ticket_cc_remove(request, number):
    ticket = _ticket(request, number)
    form = CCRemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an address to remove from CC."))
        return _back(ticket)
    try:
        removed = services.ticket_cc_remove(ticket=ticket, user=request.user, emails=[form.cleaned_data["email"]])
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        if removed:
            messages.success(request, _("Removed from CC: %(list)s") % {"list": ", ".join(removed)})
        else:
            messages.error(request, _("This address is not in CC."))
    return _back(ticket)


def _other_ticket(request, form) -> Ticket | None:
    """The ticket whose number was typed, if the agent may see it; else an error next to the field."""
    other = Ticket.objects.visible_to(request.user).filter(number=form.cleaned_data["number"]).first()
    if other is None:
        form.add_error("number", _("There is no ticket %(number)s.") % {"number": form.cleaned_data["number"]})
    return other


@atomic_writes
@staff_required
@require_http_methods(["GET", "POST"])
def ticket_link(request, number):
    ticket = _ticket(request, number)
    if request.method == "GET":
        return _on_demand_form(request, ticket, TicketNumberForm(), template="desk/ticket_link_form.html",
                               title=_("Link a related ticket"))
    form = TicketNumberForm(request.POST)
    if form.is_valid() and (other := _other_ticket(request, form)) is not None:
        try:
            services.ticket_link(ticket=ticket, user=request.user, other=other)
        except (ValidationError, ApplicationError) as error:
            _form_error(form, error)
        except PermissionDenied as error:
            messages.error(request, str(error))
            return _back(ticket)
        else:
            messages.success(request, _("Ticket %(number)s is now linked.") % {"number": other.number})
            return _back(ticket)
    return _render_workspace(request, ticket, status=400, link_form=form)


@staff_required
@require_POST
def ticket_unlink(request, number, other):
    ticket = _ticket(request, number)
    other_ticket = _ticket(request, other)
    try:
        services.ticket_unlink(ticket=ticket, user=request.user, other=other_ticket)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The link to ticket %(number)s has been removed.") % {"number": other_ticket.number}
        )
    return _back(ticket)


@atomic_writes
@staff_required
@require_http_methods(["GET", "POST"])
def ticket_merge(request, number):
    """Merge this ticket into another: the form (GET), a confirmation, then the merge."""
    ticket = _ticket(request, number)
    if request.method == "GET":
        form = None if ticket.is_closed else MergeForm()
        return _on_demand_form(request, ticket, form, template="desk/ticket_merge_form.html",
                               title=_("Merge this duplicate"))
    form = MergeForm(request.POST)
    if form.is_valid() and (target := _other_ticket(request, form)) is not None:
        try:
            if "confirm" not in request.POST:
                services.ticket_merge_check(ticket=ticket, target=target)
                context = {
                    "ticket": ticket, "target": target, "form": form,
                    "comment_count": ticket.comments.count(), "attachment_count": ticket.attachments.count(),
                    "cc_count": ticket.cc_entries.count(),
                }
                return render(request, "desk/ticket_merge.html", context)
            services.ticket_merge(ticket=ticket, user=request.user, target=target)
        except (ValidationError, ApplicationError) as error:
            _form_error(form, error, field_map={"target": "number"})
        except PermissionDenied as error:
            messages.error(request, str(error))
            return _back(ticket)
        else:
            messages.success(
                request,
                _("Ticket %(duplicate)s has been merged into this ticket and closed.")
                % {"duplicate": ticket.number},
            )
            return _back(target)
    return _render_workspace(request, ticket, status=400, merge_form=form)


# Files.


@staff_required
@require_GET
def attachment_download(request, number, pk):
    """Files leave only through here, after the ticket's visibility check; internal ones too, for staff."""
    ticket = _ticket(request, number)
    attachment = get_object_or_404(Attachment, pk=pk, ticket=ticket)
    return attachment_response(ticket=ticket, attachment=attachment)
