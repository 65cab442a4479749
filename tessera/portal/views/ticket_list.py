"""'My tickets' (seed 000 "Show Tickets", seed 001 "I miei ticket"): the list, its side pane and exports.

The filter lives in the query string, so every view here reads the same
parameters: the page, the pane, the CSV and the XLSX export show the same
tickets in the same order. The filter form is posted (it carries the CSRF
token "Save" needs) and answered with a redirect to the list's GET address.
"""

from functools import wraps
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpResponseRedirect, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from tessera.audit.models import AuditAction
from tessera.audit.services import audit_record
from tessera.tickets import exports, selectors, services
from tessera.tickets.models import Comment
from tessera.tickets.policies import ticket_policy
from tessera.tickets.selectors import listing, sorting, text_search
from tessera.tickets.workflow import STATUS_GROUPS

from ..errors import refusals_shown
from .comment_order import comment_order, ordered_comments, other_order
from .home import OVERVIEW_TILES


def _customer_tickets(*, unavailable: str):
    """Gate of these views: anonymous users log in, staff work in the desk.

    Users who may not use tickets (restricted, unlinked, deactivated) see a
    page saying why (``unavailable="page"``) or nothing at all (``"404"``).
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.is_staff:
                return redirect("desk:home")
            if not ticket_policy.can_create(user):
                if unavailable == "page":
                    context = {"membership": getattr(user, "membership", None)}
                    return render(request, "portal/ticket_list_unavailable.html", context)
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _may_filter_own(user) -> bool:
    # Everyone who sees more than their own tickets: managers and admins (the organization's),
    # basic users too (colleagues' tickets they are in CC of).
    return user.membership.may_use_tickets


def _filter_of(request, params) -> tuple[listing.TicketListFilter, bool]:
    """The filter ``params`` name or, when they name none, the user's saved default; and whether that applied."""
    saved = None if listing.filter_is_explicit(params) else selectors.saved_ticket_filter_of(request.user)
    ticket_filter = listing.ticket_list_filter_from(params, saved=saved, may_filter_own=_may_filter_own(request.user))
    return ticket_filter, saved is not None


def _list_url(ticket_filter: listing.TicketListFilter) -> str:
    return f"{reverse('portal:ticket_list')}?{ticket_filter.query_string()}"


def _sort_links(ticket_filter: listing.TicketListFilter) -> dict[str, dict]:
    """Per column: the address that sorts by it (ascending first, then descending) and its current direction."""
    links = {}
    for key in sorting.LIST_SORT_KEYS:
        current = ticket_filter.sort_key == key
        descending = current and ticket_filter.sort_descending
        next_sort = key if not current or descending else f"-{key}"
        links[key] = {
            "url": f"?{ticket_filter.query_string(sort=next_sort)}",
            "direction": ("descending" if descending else "ascending") if current else "",
        }
    return links


#: The list's columns after the first (number and title), each sorted by the SORTS entry of the same key.
COLUMNS = (
    ("status", _lazy("Status")),
    ("priority", _lazy("Priority")),
    ("created_by", _lazy("Created by")),
    ("created", _lazy("Creation date")),
    ("updated", _lazy("Change date")),
    ("category", _lazy("Category")),
)


def _with_params(url: str, **changes: str) -> str:
    """``url`` with the query parameters ``changes`` set (an empty value removes one)."""
    parts = urlsplit(url)
    params = QueryDict(parts.query, mutable=True)
    for key, value in changes.items():
        params.pop(key, None)
        if value:
            params[key] = value
    return f"{parts.path}?{params.urlencode()}" if params else parts.path


def _pane_context(request, ticket, *, list_url: str | None) -> dict:
    """What the side pane shows: the ticket, its public comments in the chosen order, and the links that switch it.

    ``list_url``: the list the pane stands beside (its links keep the list in the address, for the browser's
    history and for browsers without JavaScript); ``None`` on the pane's own page.
    """
    order = comment_order(request)
    other = other_order(order)
    public = Comment.objects.filter(ticket=ticket, is_internal=False).select_related("author")
    comments = ordered_comments(public, order)
    pane_url = reverse("portal:ticket_pane", kwargs={"number": ticket.number})
    if list_url is None:
        toggle_href = f"{pane_url}?{urlencode({'comments': other})}"
    else:
        toggle_href = _with_params(list_url, selected=ticket.number, comments=other)
    return {
        "ticket": ticket,
        "comments": comments,
        "comment_order": order,
        "comment_toggle": {"href": toggle_href, "pane_url": f"{pane_url}?{urlencode({'comments': other})}"},
        "close_url": _with_params(list_url, selected="", comments="") if list_url else None,
    }


def _list_url_of_pane(request) -> str | None:
    """The list page a pane fragment is loaded into (htmx names the browser's address), if it is one."""
    current = request.htmx.current_url if request.htmx else None
    if not current:
        return None
    parts = urlsplit(current)
    if parts.path != reverse("portal:ticket_list"):
        return None
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _ticket_views(user, ticket_filter: listing.TicketListFilter) -> list[dict]:
    """The overview above the list (seed 001): every ticket, and each group of statuses, with its count.

    A view keeps "only own" and the sort, and shows every ticket of its statuses (no search), as its count says.
    """
    counts = listing.ticket_overview(user, only_own=ticket_filter.only_own)
    buckets = dict(listing.OVERVIEW_BUCKETS)
    choices = [("all", _lazy("All"), ())] + [(key, label, buckets[key]) for key, label, _icon in OVERVIEW_TILES]
    views = []
    for key, label, statuses in choices:
        view_filter = listing.TicketListFilter(
            statuses=listing.clean_statuses(statuses), only_own=ticket_filter.only_own, sort=ticket_filter.sort
        )
        current = not ticket_filter.query and set(ticket_filter.statuses) == set(view_filter.statuses)
        url = _list_url(view_filter)
        views.append({"key": key, "label": label, "count": counts[key], "url": url, "current": current})
    return views


def _status_groups(ticket_filter: listing.TicketListFilter) -> list[dict]:
    return [
        {
            "label": label,
            "slug": slug,
            "options": [
                {"value": status.value, "label": status.label, "checked": status.value in ticket_filter.statuses}
                for status in statuses
            ],
        }
        for slug, (label, statuses) in zip(("open", "closed"), STATUS_GROUPS, strict=True)
    ]


@require_GET
@_customer_tickets(unavailable="page")
def ticket_list(request):
    """The filtered, sorted, paginated list; with ``?selected=<number>`` the side pane shows that ticket."""
    user = request.user
    ticket_filter, saved_filter_applied = _filter_of(request, request.GET)
    page = selectors.ticket_list_page(
        user, ticket_filter=ticket_filter, page=request.GET.get("page"),
        per_page=settings.TESSERA_TICKET_LIST_PAGE_SIZE,
    )
    selected_number = request.GET.get("selected", "")[:20]
    selected = selectors.ticket_summary_or_none(user, number=selected_number) if selected_number else None
    list_url = _list_url(ticket_filter)
    sort_links = _sort_links(ticket_filter)
    page_url = f"{list_url}&page={page.number}"
    chosen_statuses = [
        option["label"] for group in _status_groups(ticket_filter) for option in group["options"] if option["checked"]
    ]
    query = ticket_filter.query
    context = {
        "filter": ticket_filter,
        "page_obj": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "ticket_count": page.paginator.count,
        "query": ticket_filter.query_string(),
        # Where a row's click in the side pane leads the browser's history: this very list with it selected.
        "pane_push_url": f"{page_url}&selected=",
        "sort_links": sort_links,
        "headers": [{"label": label, "link": sort_links[key]} for key, label in COLUMNS],
        "status_groups": _status_groups(ticket_filter),
        "views": _ticket_views(user, ticket_filter),
        "chosen_statuses": chosen_statuses,
        "may_filter_own": _may_filter_own(user),
        "saved_filter_applied": saved_filter_applied,
        "selected": selected,
        "pane": _pane_context(request, selected, list_url=page_url) if selected else None,
        # A number too short to look for inside ticket numbers: say what to type.
        "number_too_short": query.isdigit() and not text_search.is_partial_number(query),
        "min_number_digits": text_search.MIN_PARTIAL_NUMBER_DIGITS,
    }
    return render(request, "portal/ticket_list.html", context)


def _posted_filter(request) -> listing.TicketListFilter:
    return listing.ticket_list_filter_from(request.POST, may_filter_own=_may_filter_own(request.user))


def _back_to_list(request):
    """The list as the posted filter shows it; where a refused "Save" returns, too."""
    return HttpResponseRedirect(_list_url(_posted_filter(request)))


@require_POST
@_customer_tickets(unavailable="404")
@refusals_shown(_back_to_list)
def ticket_filter(request):
    """The filter form: "Apply" shows the list so filtered, "Save" also keeps it as the default."""
    ticket_filter = _posted_filter(request)
    if request.POST.get("action") == "save":
        services.saved_ticket_filter_save(
            user=request.user, statuses=ticket_filter.statuses, only_own=ticket_filter.only_own
        )
        messages.success(request, _("Your filter is saved. The list opens with it from now on."))
    return _back_to_list(request)


@require_GET
@_customer_tickets(unavailable="404")
def ticket_pane(request, number: str):
    """The selected ticket beside the list (an htmx partial), or on a page of its own without JavaScript."""
    ticket = selectors.ticket_summary(request.user, number=number)
    if request.htmx:
        template, list_url = "portal/ticket_pane.html", _list_url_of_pane(request)
    else:
        template, list_url = "portal/ticket_pane_page.html", None
    response = render(request, template, {"pane": _pane_context(request, ticket, list_url=list_url)})
    patch_vary_headers(response, ("HX-Request",))  # never serve the fragment from cache for a page, or back
    return response


def _export_filename(user, extension: str) -> str:
    code = slugify(user.membership.organization.customer_code) or "tickets"
    return f"tickets-{code}-{timezone.localtime():%Y-%m-%d-%H%M}.{extension}"


@require_GET
@_customer_tickets(unavailable="404")
def ticket_export(request, format: str):
    """The list as it is filtered and sorted, every matching row (not only the page), as CSV or XLSX."""
    ticket_filter, _saved = _filter_of(request, request.GET)
    tickets = selectors.ticket_list(request.user, ticket_filter=ticket_filter)
    rows = exports.export_rows(tickets, chunk_size=settings.TESSERA_TICKET_EXPORT_CHUNK_SIZE)
    filename = _export_filename(request.user, format)
    audit_record(action=AuditAction.EXPORT, format=format, filter=ticket_filter.query_string())
    if format == "csv":
        # The user's language picks the separator (";" for Italian and German) and the date format.
        lines = exports.csv_lines(rows, language=translation.get_language(), zone=timezone.get_current_timezone())
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return FileResponse(
        exports.xlsx_file(rows), as_attachment=True, filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
