"""Who else has a ticket open in the desk: the workspace's heartbeat and the line that names them.

The workspace posts a heartbeat every 10 seconds while its tab is in view, and
at once when the agent starts typing (``static/tessera/desk_presence.js``,
through htmx); the answer names the other agents on the ticket. The rows live
in the database (``tickets.services.presence``), so it works whichever web node
answers. Customers never reach it: the same check as the workspace.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from tessera.tickets import services
from tessera.tickets.selectors.presence import others_present

from ..decorators import staff_required
from .workspace import ticket_or_404

#: What the page sends when it is closed or left: its row goes at once, not 30 seconds later.
LEFT = "left"


@staff_required
@require_http_methods(["GET", "POST"])
def ticket_presence(request, number):
    """POST: the agent's heartbeat (``activity``: viewing, typing, or left), then as GET: who else is here."""
    ticket = ticket_or_404(request, number)
    if request.method == "POST":
        activity = request.POST.get("activity", "")
        if activity == LEFT:
            services.ticket_presence_leave(ticket=ticket, user=request.user)
            return HttpResponse(status=204)
        services.ticket_presence_beat(ticket=ticket, user=request.user, activity=activity)
    present = others_present(ticket, user=request.user)
    return render(request, "desk/ticket_presence_list.html", {"ticket": ticket, "present": present})
