"""The desk's home page."""

from django.shortcuts import render

from tessera.tickets.selectors import queues
from tessera.tickets.workflow import StatusCategory

from ..decorators import staff_required
from .queues import queue_list


@staff_required
def home(request):
    """The agent's overview: the queues with their counts, and the visible tickets per status category."""
    per_category = queues.status_category_counts(request.user)
    rows = [(category.label, per_category[category]) for category in StatusCategory]
    categories = [(category.value, category.label, per_category[category]) for category in StatusCategory]
    context = {"rows": rows, "categories": categories, "queues": queue_list(request.user)}
    return render(request, "desk/home.html", context)
