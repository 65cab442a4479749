"""Every read of tickets goes through these selectors, each scoped by ``Ticket.objects.visible_to``.

Split by concern: ``tickets`` (counts, category paths), ``listing`` (the
customer's "My tickets"), ``queues`` (the desk's queues), and what both lists
share: ``sorting`` (the one sort registry) and ``text_search`` (the one search).
The selectors themselves are importable from here; the lists' filters, queues
and constants from their modules.
"""

from .listing import (
    saved_ticket_filter_of,
    ticket_list,
    ticket_list_filter_from,
    ticket_list_page,
    ticket_summary,
    ticket_summary_or_none,
)
from .queues import (
    agents,
    category_paths,
    queue_counts,
    queue_page,
    queue_tickets,
    service_teams,
    status_category_counts,
    visible_tickets_by_number,
)
from .sorting import sort_tickets
from .text_search import search_tickets
from .tickets import ticket_counts, with_categories

__all__ = [
    "agents",
    "category_paths",
    "queue_counts",
    "queue_page",
    "queue_tickets",
    "saved_ticket_filter_of",
    "search_tickets",
    "service_teams",
    "sort_tickets",
    "status_category_counts",
    "ticket_counts",
    "ticket_list",
    "ticket_list_filter_from",
    "ticket_list_page",
    "ticket_summary",
    "ticket_summary_or_none",
    "visible_tickets_by_number",
    "with_categories",
]
