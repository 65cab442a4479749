"""A ticket's relations from the workspace: the people in CC, related tickets, and merging a duplicate."""

from django.contrib import messages
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tessera.core.forms import apply_service_error
from tessera.tickets import services
from tessera.tickets.forms import CCAddForm
from tessera.tickets.models import Ticket

from ..decorators import staff_required
from ..errors import FORM_ERRORS, refusals_shown
from ..forms import CCRemoveForm, MergeForm, TicketNumberForm
from .workspace import back_to, back_to_ticket, on_demand_form, render_workspace, ticket_or_404


@staff_required
@require_http_methods(["GET", "POST"])
@refusals_shown(back_to_ticket)
def ticket_cc_add(request, number):
    ticket = ticket_or_404(request, number)
    if request.method == "GET":
        form = None if ticket.is_closed else CCAddForm(ticket=ticket)
        return on_demand_form(request, ticket, form, template="desk/ticket_cc_form.html", title=_("Add to CC"))
    form = CCAddForm(request.POST, ticket=ticket)
    if form.is_valid():
        try:
            added = services.ticket_cc_add(
                ticket=ticket, user=request.user,
                cc_users=form.cleaned_data["cc_users"], cc_emails=form.cleaned_data["cc_email_list"],
            )
        except FORM_ERRORS as error:
            apply_service_error(form, error)
        else:
            if added:
                messages.success(request, _("Added to CC: %(list)s") % {"list": ", ".join(added)})
            else:
                messages.info(request, _("These addresses were already in CC."))
            return back_to(ticket)
    return render_workspace(request, ticket, status=400, cc_form=form)


@staff_required
@require_POST
@refusals_shown(back_to_ticket)
def ticket_cc_remove(request, number):
    ticket = ticket_or_404(request, number)
    form = CCRemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an address to remove from CC."))
        return back_to(ticket)
    removed = services.ticket_cc_remove(ticket=ticket, user=request.user, emails=[form.cleaned_data["email"]])
    if removed:
        messages.success(request, _("Removed from CC: %(list)s") % {"list": ", ".join(removed)})
    else:
        messages.error(request, _("This address is not in CC."))
    return back_to(ticket)


def _other_ticket(request, form) -> Ticket | None:
    """The ticket whose number was typed, if the agent may see it; else an error next to the field."""
    other = Ticket.objects.visible_to(request.user).filter(number=form.cleaned_data["number"]).first()
    if other is None:
        form.add_error("number", _("There is no ticket %(number)s.") % {"number": form.cleaned_data["number"]})
    return other


@staff_required
@require_http_methods(["GET", "POST"])
@refusals_shown(back_to_ticket)
def ticket_link(request, number):
    ticket = ticket_or_404(request, number)
    if request.method == "GET":
        return on_demand_form(request, ticket, TicketNumberForm(), template="desk/ticket_link_form.html",
                              title=_("Link a related ticket"))
    form = TicketNumberForm(request.POST)
    if form.is_valid() and (other := _other_ticket(request, form)) is not None:
        try:
            services.ticket_link(ticket=ticket, user=request.user, other=other)
        except FORM_ERRORS as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Ticket %(number)s is now linked.") % {"number": other.number})
            return back_to(ticket)
    return render_workspace(request, ticket, status=400, link_form=form)


@staff_required
@require_POST
@refusals_shown(back_to_ticket)
def ticket_unlink(request, number, other):
    ticket = ticket_or_404(request, number)
    other_ticket = ticket_or_404(request, other)
    services.ticket_unlink(ticket=ticket, user=request.user, other=other_ticket)
    messages.success(
        request, _("The link to ticket %(number)s has been removed.") % {"number": other_ticket.number}
    )
    return back_to(ticket)


@staff_required
@require_http_methods(["GET", "POST"])
@refusals_shown(back_to_ticket)
def ticket_merge(request, number):
    """Merge this ticket into another: the form (GET), a confirmation, then the merge."""
    ticket = ticket_or_404(request, number)
    if request.method == "GET":
        form = None if ticket.is_closed else MergeForm()
        return on_demand_form(request, ticket, form, template="desk/ticket_merge_form.html",
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
        except FORM_ERRORS as error:
            apply_service_error(form, error, field_map={"target": "number"})
        else:
            messages.success(
                request,
                _("Ticket %(duplicate)s has been merged into this ticket and closed.")
                % {"duplicate": ticket.number},
            )
            return back_to(target)
    return render_workspace(request, ticket, status=400, merge_form=form)
