"""The desk's home page."""

from django.shortcuts import render

from tessera.tickets.selectors import queues
from tessera.tickets.workflow import StatusCategory

from ..decorators import staff_required


@staff_required
def home(request):
    """The agent's overview: the queues with their counts, and the visible tickets per status category."""
    per_category = queues.status_category_counts(request.user)
    rows = [(category.label, per_category[category]) for category in StatusCategory]
    counts = queues.queue_counts(request.user)
    context = {"rows": rows, "queues": [(queue, counts[queue.key]) for queue in queues.QUEUES]}
    return render(request, "desk/queue_home.html", context)
