"""The outbox: every e-mail Tessera queued, for the vendor's administrators (superusers) only.

Shows what waits, what went out and what failed with the server's answer,
and sends a waiting or failed message again. Anybody else finds no page (404).
"""

from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tessera.notifications import selectors, services
from tessera.notifications.models import OutgoingEmail

from ..decorators import staff_required
from ..errors import refusals_shown
from ..forms import OutboxFilterForm
from .pages import page_range

PAGE_SIZE = 50


def superuser_required(view):
    @staff_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_superuser:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _outbox_url(status: str, page: str | None = None) -> str:
    query = {key: value for key, value in (("status", status), ("page", page)) if value}
    return reverse("desk:email_outbox") + (f"?{urlencode(query)}" if query else "")


@superuser_required
def email_outbox(request):
    """Failed messages first of all: the list opens on them; the filter shows the others."""
    data = request.GET if "status" in request.GET else {"status": OutgoingEmail.Status.FAILED}
    form = OutboxFilterForm(data)
    status = form.cleaned_data["status"] if form.is_valid() else OutgoingEmail.Status.FAILED
    page = Paginator(selectors.outgoing_emails(status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "status": status,
        "page": page,
        "status_counts": [
            (value, label, count)
            for (value, label), count in zip(
                OutgoingEmail.Status.choices, selectors.outgoing_email_counts().values(), strict=True
            )
        ],
        "this_page": _outbox_url(status, request.GET.get("page")),
        "page_range": page_range(page),
        "query": urlencode({"status": status}),
    }
    return render(request, "desk/email_outbox.html", context)


def _back_to_outbox(request, pk):
    """The outbox page the retry came from (a local one only), else its first page."""
    target = request.POST.get("next", "")
    if not target.startswith(reverse("desk:email_outbox")):
        target = reverse("desk:email_outbox")
    return redirect(target)


@superuser_required
@require_POST
@refusals_shown(_back_to_outbox, hide_denied=True)
def email_outbox_retry(request, pk):
    email = selectors.outgoing_email_or_404(pk=pk)
    services.outgoing_email_retry(email=email, user=request.user)
    messages.success(request, _("The message to %(to)s is queued again.") % {"to": email.to})
    return _back_to_outbox(request, pk)
