from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from tessera.organizations.selectors import has_pending_link_request
from tessera.tickets.policies import ticket_policy
from tessera.tickets.selectors import ticket_counts


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
    context = {
        "membership": membership,
        "may_use_tickets": may_use_tickets,
        "counts": ticket_counts(user) if may_use_tickets else None,
    }
    return render(request, "portal/home.html", context)
