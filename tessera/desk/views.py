from django.db.models import Count
from django.shortcuts import render

from tessera.tickets.models import Ticket
from tessera.tickets.workflow import STATUS_CATEGORY, StatusCategory

from .decorators import staff_required


@staff_required
def home(request):
    """The agent's overview: how many visible tickets stand in each status category."""
    per_status = dict(
        Ticket.objects.visible_to(request.user).values_list("status").annotate(n=Count("pk")).order_by()
    )
    per_category = dict.fromkeys(StatusCategory, 0)
    for status, count in per_status.items():
        per_category[STATUS_CATEGORY[status]] += count
    rows = [(category.label, per_category[category]) for category in StatusCategory]
    return render(request, "desk/home.html", {"rows": rows})
