"""The portal's home (seed 001): what waits for the customer, an overview of their tickets, their latest, a search."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tessera.organizations.selectors import has_pending_link_request
from tessera.tickets.policies import ticket_policy
from tessera.tickets.selectors import listing

#: How many tickets each of the home page's short lists shows; "All my tickets" leads to the rest.
HOME_LIST_LENGTH = 5

#: The overview's tiles: bucket, label, icon.
OVERVIEW_TILES = (
    ("waiting", _("Waiting for you"), "bell"),
    ("in_progress", _("With customer support"), "headset"),
    ("on_hold", _("On hold"), "clock"),
    ("closed", pgettext_lazy("status category", "Closed"), "archive"),
)


def _overview_tiles(counts: dict[str, int]) -> list[dict]:
    """Seed 001's overview in the middle of the portal: a count per group of statuses, each a link to that list."""
    statuses = dict(listing.OVERVIEW_BUCKETS)
    list_url = reverse("portal:ticket_list")
    return [
        {
            "key": key,
            "label": label,
            "icon": icon,
            "count": counts[key],
            "url": f"{list_url}?{urlencode([('status', status) for status in statuses[key]])}",
        }
        for key, label, icon in OVERVIEW_TILES
    ]


@login_required
def home(request):
    """Seed 001's home: "Report a problem" and "My tickets", with what waits for the user."""
    user = request.user
    if user.is_staff:
        return redirect("desk:home")
    membership = getattr(user, "membership", None)
    if membership is None or (membership.is_restricted and has_pending_link_request(user)):
        # Seed 001's first login: customer code and postal code first, then the wait for approval.
        return redirect("portal:link")
    may_use_tickets = ticket_policy.can_create(user)
    context = {"membership": membership, "may_use_tickets": may_use_tickets}
    if may_use_tickets:
        counts = listing.ticket_overview(user)
        context.update(
            overview=_overview_tiles(counts),
            open_count=counts["open"],
            waiting_count=counts["waiting"],
            waiting=listing.tickets_waiting_for(user, limit=HOME_LIST_LENGTH),
            recent=listing.recent_tickets(user, limit=HOME_LIST_LENGTH),
        )
    return render(request, "portal/home.html", context)
