"""Customer ticket screens: report a problem, the ticket page and what a customer does on it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tessera.core.forms import apply_service_error
from tessera.core.idempotency import AlreadySubmitted, already_sent, submit_once
from tessera.tickets import services
from tessera.tickets.downloads import attachment_response
from tessera.tickets.forms import CCAddForm
from tessera.tickets.models import Attachment, Comment, Ticket
from tessera.tickets.policies import ticket_policy
from tessera.tickets.workflow import Status

from ..errors import FORM_ERRORS, refusals_shown
from ..forms import FIELD_PREFIX, CloseForm, CommentForm, ReasonForm, TicketCreateForm
from .comment_order import comment_order, ordered_comments, page_toggle


def _customer_ticket(request, number) -> Ticket:
    """The ticket with ``number`` if the user may see it; 404 otherwise."""
    queryset = Ticket.objects.select_related(
        "created_by", "service_team", "category__parent__parent__parent", "follow_up_of"
    )
    return ticket_policy.get_visible_or_404(request.user, number=number, queryset=queryset)


def _back_to_ticket(request, number, **kwargs):
    """Where a refused action returns: the page of the ticket in its URL (``portal.errors.refusals_shown``)."""
    return redirect("portal:ticket_detail", number=number)


def _require_creator(request):
    if not ticket_policy.can_create(request.user):
        raise PermissionDenied(_("Your account is not yet activated for tickets."))


def _follow_up_source(request):
    number = request.GET.get("follow_up") or request.POST.get("follow_up")
    if not number:
        return None
    ticket = ticket_policy.get_visible_or_404(request.user, number=str(number)[:10])
    return ticket if ticket.is_closed else None


@login_required
def ticket_create(request):
    _require_creator(request)
    follow_up_of = _follow_up_source(request)
    if request.method == "POST" and "refresh" in request.POST:
        # "Show sub-categories" without JavaScript: show the next level, keep what was typed, judge nothing yet.
        form = TicketCreateForm(user=request.user, initial=_typed_values(request.POST))
    elif request.method == "POST":
        form = TicketCreateForm(
            request.POST, request.FILES, user=request.user,
            oversized_uploads=getattr(request, "oversized_uploads", ()),
        )
        if form.is_valid():
            data = form.cleaned_data
            made: list[Ticket] = []

            def create() -> str:
                made.append(services.ticket_create(
                    author=request.user,
                    title=data["title"],
                    category=form.category,
                    priority=data["priority"],
                    external_reference=data["external_reference"],
                    description=data["description"],
                    field_values=form.field_values(),
                    cc_users=data["cc_users"],
                    cc_emails=data["cc_email_list"],
                    attachments=data["attachments"],
                    follow_up_of=follow_up_of,
                ))
                return reverse("portal:ticket_detail", kwargs={"number": made[0].number})

            try:
                url = submit_once(request, create)
            except AlreadySubmitted as repeat:
                return already_sent(request, repeat, reverse("portal:ticket_list"))
            except FORM_ERRORS as error:
                field_map = {f.key: FIELD_PREFIX + f.key for f in form.extra_fields}
                field_map["category"] = f"category_{len(form.category_path)}"
                apply_service_error(form, error, field_map=field_map)
            else:
                ticket = made[0]
                team = ticket.service_team.name if ticket.service_team else _("Customer support")
                messages.success(
                    request,
                    _("Ticket %(number)s has been created and sent to %(team)s.")
                    % {"number": ticket.number, "team": team},
                )
                return redirect(url)
    else:
        initial = {}
        if follow_up_of is not None:
            initial = {
                "title": (_("Follow-up: %(title)s") % {"title": follow_up_of.title})[:200],
                **{f"category_{i}": node.pk for i, node in enumerate(follow_up_of.category.path(), start=1)},
            }
        form = TicketCreateForm(user=request.user, initial=initial)
    files_lost = request.method == "POST" and bool(request.FILES or getattr(request, "oversized_uploads", None))
    return render(
        request,
        "portal/ticket_create.html",
        {"form": form, "follow_up_of": follow_up_of, "files_lost": files_lost},
    )


def _typed_values(data) -> dict:
    return {key: data.getlist(key) if key == "cc_users" else data.get(key) for key in data}


@login_required
@require_GET
def ticket_create_categories(request):
    """The category selects and fields for the levels chosen so far (the htmx partial)."""
    _require_creator(request)
    form = TicketCreateForm(user=request.user, initial=_typed_values(request.GET))
    return render(request, "portal/ticket_create_categories.html", {"form": form})


def _render_detail(request, ticket: Ticket, *, status: int = 200, **forms):
    """The ticket page; a form that failed is passed in bound, so its input and errors show."""
    order = comment_order(request)
    public_comments = ordered_comments(
        Comment.objects.filter(ticket=ticket, is_internal=False)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("created_at", "pk"))),
        order,
    )
    context = {
        "ticket": ticket,
        "comments": public_comments,
        "comment_order": order,
        "comment_toggle": page_toggle(order),
        "ticket_attachments": Attachment.objects.filter(ticket=ticket, comment=None),
        "cc_entries": ticket.cc_entries.all(),
        "category_path": ticket.category.path(),
        "field_values": _field_values_for_display(ticket),
        "can_comment": ticket_policy.can_comment(request.user, ticket),
        "can_close": ticket_policy.can_close(request.user, ticket),
        "comment_form": forms.get("comment_form") or CommentForm(),
        "cc_form": forms.get("cc_form") or CCAddForm(ticket=ticket),
        "reason_form": forms.get("reason_form") or ReasonForm(),
        "solution_provided": ticket.status == Status.SOLUTION_PROVIDED,
        "follow_ups": ticket.follow_ups.all(),
        "files_lost": bool(forms.get("files_lost")),
    }
    return render(request, "portal/ticket_detail.html", context, status=status)


@login_required
@require_GET
def ticket_detail(request, number):
    return _render_detail(request, _customer_ticket(request, number))


def _field_values_for_display(ticket: Ticket) -> list[tuple[str, object]]:
    rows = []
    for field in ticket.category.all_fields():
        if field.key in ticket.field_values:
            value = ticket.field_values[field.key]
            if isinstance(value, bool):
                value = _("Yes") if value else _("No")
            rows.append((field.label, value))
    return rows


@login_required
@require_POST
@refusals_shown(_back_to_ticket)
def ticket_comment(request, number):
    ticket = _customer_ticket(request, number)
    form = CommentForm(request.POST, request.FILES, oversized_uploads=getattr(request, "oversized_uploads", ()))
    if form.is_valid():
        page = reverse("portal:ticket_detail", kwargs={"number": ticket.number})

        def add() -> str:
            services.comment_add(
                ticket=ticket, author=request.user, body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            )
            return page

        try:
            submit_once(request, add)
        except AlreadySubmitted as repeat:
            return already_sent(request, repeat, page)
        except FORM_ERRORS as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Your comment has been added."))
            return redirect(page)
    files_lost = bool(request.FILES or getattr(request, "oversized_uploads", None))
    return _render_detail(request, ticket, status=400, comment_form=form, files_lost=files_lost)


@login_required
@require_POST
@refusals_shown(_back_to_ticket)
def ticket_cc_add(request, number):
    ticket = _customer_ticket(request, number)
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
            return redirect("portal:ticket_detail", number=ticket.number)
    return _render_detail(request, ticket, status=400, cc_form=form)


def _transition(request, ticket, action, success_message):
    """Run ``action``; a refusal (the status changed meanwhile, say) is shown by ``refusals_shown``."""
    action()
    messages.success(request, success_message)
    return redirect("portal:ticket_detail", number=ticket.number)


@login_required
@refusals_shown(_back_to_ticket)
def ticket_close(request, number):
    """"Close ticket" asks for confirmation first (a page of its own, so it works without JavaScript)."""
    ticket = _customer_ticket(request, number)
    if not ticket_policy.can_close(request.user, ticket):
        messages.error(request, _("This ticket cannot be closed."))
        return redirect("portal:ticket_detail", number=ticket.number)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return _transition(
            request, ticket,
            lambda: services.ticket_close(ticket=ticket, user=request.user, message=form.cleaned_data["reason"]),
            _("The ticket has been closed."),
        )
    return render(request, "portal/ticket_close.html", {"ticket": ticket, "form": form})


@login_required
@require_POST
@refusals_shown(_back_to_ticket)
def ticket_accept(request, number):
    ticket = _customer_ticket(request, number)
    return _transition(
        request, ticket,
        lambda: services.ticket_accept_solution(ticket=ticket, user=request.user),
        _("Thank you. The ticket is now completed."),
    )


@login_required
@require_POST
@refusals_shown(_back_to_ticket)
def ticket_reject(request, number):
    ticket = _customer_ticket(request, number)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, ticket, status=400, reason_form=form)
    return _transition(
        request, ticket,
        lambda: services.ticket_reject_solution(ticket=ticket, user=request.user, message=form.cleaned_data["reason"]),
        _("Support has been told that the problem is not solved."),
    )


@login_required
@require_GET
def attachment_download(request, number, pk):
    """Files leave only through here, after the same visibility check as the ticket page."""
    ticket = _customer_ticket(request, number)
    attachment = get_object_or_404(
        Attachment.objects.exclude(comment__is_internal=True) if not request.user.is_staff else Attachment.objects,
        pk=pk, ticket=ticket,
    )
    return attachment_response(ticket=ticket, attachment=attachment)
