"""What an agent changes on a ticket from the workspace: status, assignment, team, priority, category, extra
fields, reopening."""

from django.contrib import messages
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tessera.core.forms import apply_service_error
from tessera.tickets import services
from tessera.tickets.services import TicketChanged
from tessera.tickets.services.tags import parse_tags
from tessera.tickets.workflow import Action

from ..collisions import CONFLICT, show_changed, when_unchanged
from ..decorators import staff_required
from ..errors import FORM_ERRORS, refusals_shown
from ..forms import (
    AssignForm,
    CategoryForm,
    FieldValuesForm,
    PriorityForm,
    ReopenForm,
    StatusForm,
    TagsForm,
    TeamForm,
    status_changes,
)
from .workspace import back_to, back_to_ticket, on_demand_form, render_workspace, ticket_or_404


@staff_required
@require_POST
@refusals_shown(back_to_ticket)
def ticket_status(request, number):
    ticket = ticket_or_404(request, number)
    if not status_changes(ticket.status):
        messages.error(
            request,
            _("This status change is not allowed while the ticket is “%(status)s”.")
            % {"status": ticket.get_status_display()},
        )
        return back_to(ticket)
    form = StatusForm(request.POST, status=ticket.status)
    if form.is_valid():
        action = Action(form.cleaned_data["action"])
        try:
            when_unchanged(request, ticket, lambda: services.ticket_change_status(
                ticket=ticket, user=request.user, action=action, message=form.cleaned_data["message"]
            ))
        except TicketChanged as changed:
            return _changed(request, number, changed, "status_form",
                            lambda fresh: StatusForm(request.POST, status=fresh.status))
        except FORM_ERRORS as error:
            apply_service_error(form, error)
        else:
            ticket.refresh_from_db(fields=["status"])
            messages.success(
                request, _("The status is now “%(status)s”.") % {"status": ticket.get_status_display()}
            )
            return back_to(ticket)
    return render_workspace(request, ticket, status=400, status_form=form)


def _changed(request, number: str, changed: TicketChanged, form_name: str, form_for):
    """The workspace as it is now, with ``form_for(ticket)`` (what the agent sent) saying what changed.

    Where the ticket no longer offers the form (it was closed meanwhile), the refusal is a message above the page.
    """
    fresh = ticket_or_404(request, number)
    form = form_for(fresh)
    offered = {"status_form": bool(status_changes(fresh.status)) and not fresh.is_closed,
               "reopen_form": fresh.is_closed and fresh.merged_into_id is None}.get(form_name, not fresh.is_closed)
    if not offered:
        messages.error(request, changed.message)
        return back_to(fresh)
    show_changed(form, changed)
    return render_workspace(request, fresh, status=CONFLICT, **{form_name: form})


def _simple_action(request, ticket, form, form_name: str, perform, success: str, field_map=None):
    """Run ``perform(cleaned_data)`` for a valid form; errors next to the field, else back to the ticket.

    A ticket that others changed since the agent's page showed it is not changed (``collisions``).
    """
    if form.is_valid():
        try:
            when_unchanged(request, ticket, lambda: perform(form.cleaned_data))
        except TicketChanged as changed:
            return _changed(request, ticket.number, changed, form_name, lambda fresh: form)
        except FORM_ERRORS as error:
            apply_service_error(form, error, field_map=field_map)
        else:
            messages.success(request, success)
            return back_to(ticket)
    return render_workspace(request, ticket, status=400, **{form_name: form})


@staff_required
@require_POST
@refusals_shown(back_to_ticket)
def ticket_assign(request, number):
    ticket = ticket_or_404(request, number)
    form = AssignForm(request.POST)
    return _simple_action(
        request, ticket, form, "assign_form",
        lambda data: services.ticket_assign(ticket=ticket, user=request.user, assignee=data["assignee"]),
        _("The ticket has been assigned."),
    )


@staff_required
@require_POST
@refusals_shown(back_to_ticket)
def ticket_assign_me(request, number):
    ticket = ticket_or_404(request, number)
    try:
        when_unchanged(request, ticket,
                       lambda: services.ticket_assign(ticket=ticket, user=request.user, assignee=request.user))
    except TicketChanged as changed:
        messages.error(request, changed.message)
        return back_to(ticket)
    messages.success(request, _("The ticket is now assigned to you."))
    return back_to(ticket)


@staff_required
@require_POST
@refusals_shown(back_to_ticket)
def ticket_unassign(request, number):
    ticket = ticket_or_404(request, number)
    try:
        when_unchanged(request, ticket, lambda: services.ticket_unassign(ticket=ticket, user=request.user))
    except TicketChanged as changed:
        messages.error(request, changed.message)
        return back_to(ticket)
    messages.success(request, _("The ticket is no longer assigned to anyone."))
    return back_to(ticket)


@staff_required
@require_POST
@refusals_shown(back_to_ticket)
def ticket_team(request, number):
    ticket = ticket_or_404(request, number)
    return _simple_action(
        request, ticket, TeamForm(request.POST), "team_form",
        lambda data: services.ticket_assign_team(ticket=ticket, user=request.user, team=data["team"]),
        _("The service team has been changed."),
    )


@staff_required
@require_POST
@refusals_shown(back_to_ticket)
def ticket_priority(request, number):
    ticket = ticket_or_404(request, number)
    return _simple_action(
        request, ticket, PriorityForm(request.POST), "priority_form",
        lambda data: services.ticket_change_priority(ticket=ticket, user=request.user, priority=data["priority"]),
        _("The priority has been changed."),
    )


@staff_required
@require_POST
@refusals_shown(back_to_ticket)
def ticket_tags(request, number):
    ticket = ticket_or_404(request, number)
    return _simple_action(
        request, ticket, TagsForm(request.POST), "tags_form",
        lambda data: services.ticket_set_tags(ticket=ticket, user=request.user, names=parse_tags(data["tags"])),
        _("The tags have been saved."),
    )


@staff_required
@require_http_methods(["GET", "POST"])
@refusals_shown(back_to_ticket)
def ticket_category(request, number):
    ticket = ticket_or_404(request, number)
    if request.method == "GET":
        form = None if ticket.is_closed else CategoryForm(initial={"category": ticket.category_id}, ticket=ticket)
        return on_demand_form(request, ticket, form, template="desk/ticket_category_form.html",
                              title=_("Re-categorize"))
    form = CategoryForm(request.POST, ticket=ticket)
    return _simple_action(
        request, ticket, form, "category_form",
        lambda data: services.ticket_change_category(
            ticket=ticket, user=request.user, category=data["category"],
            field_values=form.field_values() if form.asks_for_fields else None,
        ),
        _("The category has been changed; the ticket went to the category's service team."),
        field_map=form.service_field_map,
    )


@staff_required
@require_http_methods(["GET", "POST"])
@refusals_shown(back_to_ticket)
def ticket_fields(request, number):
    """The values of the ticket's extra fields (those of its category)."""
    ticket = ticket_or_404(request, number)
    if request.method == "GET":
        form = None if ticket.is_closed else FieldValuesForm(ticket=ticket)
        return on_demand_form(request, ticket, form, template="desk/ticket_fields_form.html",
                              title=_("Edit extra fields"))
    form = FieldValuesForm(request.POST, ticket=ticket)
    return _simple_action(
        request, ticket, form, "fields_form",
        lambda data: services.ticket_change_field_values(ticket=ticket, user=request.user, values=form.field_values()),
        _("The extra fields have been saved."),
        field_map=form.service_field_map,
    )


@staff_required
@require_POST
@refusals_shown(back_to_ticket)
def ticket_reopen(request, number):
    """Take a closed ticket up again; the reason goes to the customer."""
    ticket = ticket_or_404(request, number)
    if not ticket.is_closed:
        messages.info(request, _("This ticket is open already."))
        return back_to(ticket)
    return _simple_action(
        request, ticket, ReopenForm(request.POST), "reopen_form",
        lambda data: services.ticket_reopen(ticket=ticket, user=request.user, reason=data["reason"]),
        _("The ticket has been reopened; the customer has been told why."),
    )
