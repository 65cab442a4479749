"""Replies to the customer, internal notes and canned responses, from the ticket workspace."""

from django.contrib import messages
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tessera.core.forms import apply_service_error
from tessera.core.idempotency import AlreadySubmitted, already_sent, submit_once
from tessera.core.markdown import render_markdown
from tessera.tickets import canned, services, signatures
from tessera.tickets.models import Source, Ticket
from tessera.tickets.services import TicketChanged

from ..collisions import CONFLICT, show_changed, when_unchanged
from ..decorators import staff_required
from ..errors import FORM_ERRORS, refusals_shown
from ..forms import ReplyForm
from .workspace import back_to, back_to_ticket, files_sent, render_workspace, reply_form_for, ticket_or_404


def _with_canned_text(ticket: Ticket, body: str, canned_response) -> str:
    text = canned.render_canned_response(canned_response, ticket=ticket)
    return f"{body.rstrip()}\n\n{text}" if body.strip() else text


def _canned_inserted_form(request, ticket: Ticket) -> ReplyForm:
    """The reply form again, unsaved, with the chosen canned response added to what was typed.

    Its ``canned_inserted`` says whether a response (of the ticket's team) was chosen.
    """
    form = reply_form_for(ticket, request.POST, user=request.user)
    form.is_valid()  # only to read the typed values; nothing is saved
    body = request.POST.get("body", "")
    chosen = form.cleaned_data.get("canned")
    if chosen is not None:
        body = _with_canned_text(ticket, body, chosen)
    inserted = reply_form_for(
        ticket, initial={"body": body, "canned": getattr(chosen, "pk", None)}, canned_responses=form.canned_responses,
    )
    inserted.canned_inserted = chosen is not None
    return inserted


@staff_required
@require_POST
@refusals_shown(back_to_ticket)
def ticket_reply(request, number):
    ticket = ticket_or_404(request, number)
    if "insert" in request.POST:
        # "Insert" without JavaScript: the page again, the canned text in the box, nothing sent.
        form = _canned_inserted_form(request, ticket)
        if not form.canned_inserted:
            messages.error(request, _("Choose a canned response to insert."))
        return render_workspace(request, ticket, reply_form=form, files_lost=files_sent(request))
    form = reply_form_for(
        ticket, request.POST, request.FILES, oversized_uploads=getattr(request, "oversized_uploads", ()),
        user=request.user,
    )
    if form.is_valid():
        page = back_to(ticket)["Location"]

        def send() -> str:
            body = form.cleaned_data["body"]
            if not form.is_internal and body.strip():
                body = signatures.signed(body, user=request.user, team=ticket.service_team)
            when_unchanged(request, ticket, lambda: services.comment_add(
                ticket=ticket, author=request.user, body=body,
                is_internal=form.is_internal, attachments=form.cleaned_data["attachments"], source=Source.DESK,
                time_spent=form.cleaned_data.get("time_spent"), markdown=True,
            ))
            return page

        try:
            submit_once(request, send)
        except AlreadySubmitted as repeat:
            return already_sent(request, repeat, page)
        except TicketChanged as changed:
            show_changed(form, changed)
            return render_workspace(request, ticket_or_404(request, number), status=CONFLICT, reply_form=form,
                                    files_lost=files_sent(request))
        except FORM_ERRORS as error:
            apply_service_error(form, error)
        else:
            if form.is_internal:
                messages.success(request, _("Your internal note has been added."))
            else:
                messages.success(request, _("Your reply has been sent to the customer."))
            return back_to(ticket)
    return render_workspace(request, ticket, status=400, reply_form=form, files_lost=files_sent(request))


@staff_required
@require_POST
def ticket_canned(request, number):
    """The reply box with the chosen canned response added (the htmx partial)."""
    form = _canned_inserted_form(request, ticket_or_404(request, number))
    return render(request, "desk/ticket_reply_body.html", {"reply_form": form})


@staff_required
@require_POST
def ticket_preview(request, number):
    """The reply as the customer will see it: Markdown rendered and sanitized, with the signatures under it.

    htmx puts the fragment under the reply box; without JavaScript the workspace comes back with the text kept
    and the preview above it.
    """
    ticket = ticket_or_404(request, number)
    body = request.POST.get("body", "")[:50_000]
    if request.POST.get("send") != ReplyForm.INTERNAL and body.strip():
        body = signatures.signed(body, user=request.user, team=ticket.service_team)
    preview = mark_safe(render_markdown(body))  # noqa: S308 (sanitized by nh3)
    if request.htmx:
        return render(request, "desk/ticket_preview.html", {"preview": preview})
    form = reply_form_for(ticket, request.POST, user=request.user)
    return render_workspace(request, ticket, reply_form=form, preview=preview, files_lost=files_sent(request))
