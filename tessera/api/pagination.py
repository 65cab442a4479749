"""Cursor pagination: stable pages while tickets change, whatever the list's size (no COUNT, no OFFSET scan)."""

from rest_framework.pagination import CursorPagination

#: ``sort`` values and the orderings they mean; the id breaks ties, so no row is skipped or shown twice.
TICKET_SORTS = {
    "updated": ("updated_at", "pk"),
    "-updated": ("-updated_at", "-pk"),
    "created": ("created_at", "pk"),
    "-created": ("-created_at", "-pk"),
    "number": ("number",),
    "-number": ("-number",),
    "priority": ("priority", "pk"),
    "-priority": ("-priority", "-pk"),
}
DEFAULT_TICKET_SORT = "-updated"


class TicketCursorPagination(CursorPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = TICKET_SORTS[DEFAULT_TICKET_SORT]

    def get_ordering(self, request, queryset, view):
        return TICKET_SORTS.get(request.query_params.get("sort", ""), self.ordering)


class IdCursorPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("pk",)
