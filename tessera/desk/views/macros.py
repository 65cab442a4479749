"""Macros: applied to a ticket from the workspace in one click, and kept on a page of their own.

Every agent keeps personal macros; vendor administrators also keep the macros
of a team or of everyone. Applying one is a single service call
(``tickets.services.macro_apply``): all of it happens, or none of it.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tessera.core.forms import apply_service_error
from tessera.core.idempotency import AlreadySubmitted, already_sent, submit_once
from tessera.core.markdown import render_markdown
from tessera.tickets import services, signatures
from tessera.tickets.models import CannedResponse
from tessera.tickets.services import TicketChanged

from ..collisions import CONFLICT, show_changed, when_unchanged
from ..decorators import staff_required
from ..errors import FORM_ERRORS, refusals_shown
from ..forms import MacroForm, SignatureForm
from .workspace import back_to, back_to_ticket, files_sent, render_workspace, reply_form_for, ticket_or_404


@staff_required
@require_POST
@refusals_shown(back_to_ticket)
def ticket_macro(request, number):
    """Apply the macro chosen in the reply box; what was typed there stays if it cannot be applied."""
    ticket = ticket_or_404(request, number)
    form = reply_form_for(ticket, request.POST, user=request.user)
    form.is_valid()  # only to read the choice; the reply box's own rules do not apply to a macro
    macro = form.cleaned_data.get("canned")
    if macro is None:
        form.errors.clear()
        form.add_error("canned", _("Choose the macro to apply."))
        return render_workspace(request, ticket, status=400, reply_form=form, files_lost=files_sent(request))
    page = back_to(ticket)["Location"]

    def apply() -> str:
        outcome = when_unchanged(request, ticket, lambda: services.macro_apply(ticket=ticket, user=request.user,
                                                                               macro=macro))
        messages.success(request, _("Macro “%(title)s” applied: %(done)s.") % {
            "title": macro.title, "done": ", ".join(outcome.done) or _("nothing needed changing"),
        })
        return page

    try:
        submit_once(request, apply)
    except AlreadySubmitted as repeat:
        return already_sent(request, repeat, page)
    except TicketChanged as changed:
        form.errors.clear()
        show_changed(form, changed)
        return render_workspace(request, ticket_or_404(request, number), status=CONFLICT, reply_form=form,
                                files_lost=files_sent(request))
    except FORM_ERRORS as error:
        form.errors.clear()
        apply_service_error(form, error, field_map={"body": "body", "message": "body"})
        if not form.errors:
            form.add_error("canned", _("The macro could not be applied."))
        return render_workspace(request, ticket, status=400, reply_form=form, files_lost=files_sent(request))
    return back_to(ticket)


def _editable(request, macro: CannedResponse) -> bool:
    return services.macro_may_edit(macro, request.user)


def _macros_of(user):
    mine = CannedResponse.objects.filter(owner=user)
    shared = CannedResponse.objects.filter(owner=None)
    related = ("team", "set_team", "set_assignee")
    return list(mine.select_related(*related)), list(shared.select_related(*related).order_by("team__name", "position",
                                                                                               "title"))


@staff_required
@require_http_methods(["GET", "POST"])
def macro_list(request):
    """The agent's own macros and the shared ones, with the form for a new one."""
    form = MacroForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        macro = services.macro_save(macro=form.save(commit=False), user=request.user)
        messages.success(request, _("The macro “%(title)s” has been saved.") % {"title": macro.title})
        return redirect("desk:macros")
    mine, shared = _macros_of(request.user)
    context = {"form": form, "mine": mine, "shared": shared, "may_share": request.user.is_superuser}
    return render(request, "desk/macros.html", context, status=400 if form.errors else 200)


@staff_required
@require_http_methods(["GET", "POST"])
def macro_edit(request, pk):
    macro = get_object_or_404(CannedResponse, pk=pk)
    if not _editable(request, macro):
        raise Http404
    form = MacroForm(request.POST or None, instance=macro, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.macro_save(macro=form.save(commit=False), user=request.user)
        messages.success(request, _("The macro “%(title)s” has been saved.") % {"title": macro.title})
        return redirect("desk:macros")
    return render(request, "desk/macro_edit.html", {"form": form, "macro": macro},
                  status=400 if form.errors else 200)


@staff_required
@require_POST
def macro_delete(request, pk):
    macro = get_object_or_404(CannedResponse, pk=pk)
    if not _editable(request, macro):
        raise Http404
    services.macro_delete(macro=macro, user=request.user)
    messages.success(request, _("The macro “%(title)s” has been deleted.") % {"title": macro.title})
    return redirect("desk:macros")



@staff_required
@require_http_methods(["GET", "POST"])
def signature(request):
    """The agent's own signature, with a preview of how it looks under a reply."""
    current = signatures.agent_signature(request.user)
    form = SignatureForm(request.POST or None, initial={"text": current})
    if request.method == "POST" and form.is_valid():
        try:
            services.agent_signature_save(user=request.user, text=form.cleaned_data["text"])
        except FORM_ERRORS as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Your signature has been saved."))
            return redirect("desk:signature")
    preview = mark_safe(render_markdown(current))  # noqa: S308 (sanitized by nh3)
    return render(request, "desk/signature.html", {"form": form, "preview": preview},
                  status=400 if form.errors else 200)
