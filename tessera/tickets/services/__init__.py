"""Every write to tickets goes through these services: each is a unit of work and leaves an event.

Split by concern (``tickets``, ``comments``, ``status``, ``assignment``, ``cc``,
``relations``, ``bulk``, ``saved_filters``); callers import this package:
``from tessera.tickets import services`` and ``services.ticket_create(...)``.
"""

from .assignment import (
    ticket_assign,
    ticket_assign_team,
    ticket_change_category,
    ticket_change_priority,
    ticket_unassign,
)
from .bulk import BulkOutcome, ticket_bulk_assign, ticket_bulk_change_status, ticket_bulk_unassign
from .cc import ticket_cc_add, ticket_cc_remove
from .comments import AttachmentNotStored, attachment_add, comment_add, ticket_seen_by_assignee
from .desk_views import desk_view_delete, desk_view_save
from .fields import ticket_change_field_values
from .macros import MacroOutcome, macro_apply, macro_delete, macro_may_edit, macro_save
from .presence import ticket_presence_beat, ticket_presence_leave
from .relations import ticket_link, ticket_merge, ticket_merge_check, ticket_unlink
from .saved_filters import saved_ticket_filter_save
from .signatures import agent_signature_save
from .status import (
    ticket_accept_solution,
    ticket_change_status,
    ticket_close,
    ticket_reject_solution,
    ticket_reopen,
    ticket_system_transition,
)
from .tags import ticket_set_tags
from .tickets import ticket_create
from .versions import TicketChanged, parse_version, ticket_unchanged_then

__all__ = [
    "agent_signature_save",
    "AttachmentNotStored",
    "BulkOutcome",
    "MacroOutcome",
    "attachment_add",
    "comment_add",
    "desk_view_delete",
    "desk_view_save",
    "macro_apply",
    "macro_delete",
    "macro_may_edit",
    "macro_save",
    "saved_ticket_filter_save",
    "ticket_accept_solution",
    "ticket_assign",
    "ticket_assign_team",
    "ticket_bulk_assign",
    "ticket_bulk_change_status",
    "ticket_bulk_unassign",
    "ticket_cc_add",
    "ticket_cc_remove",
    "ticket_change_category",
    "ticket_change_field_values",
    "ticket_change_priority",
    "ticket_change_status",
    "ticket_close",
    "ticket_create",
    "ticket_seen_by_assignee",
    "ticket_set_tags",
    "ticket_link",
    "ticket_merge",
    "ticket_merge_check",
    "ticket_reject_solution",
    "ticket_reopen",
    "ticket_system_transition",
    "ticket_unassign",
    "ticket_unlink",
    "ticket_presence_beat",
    "ticket_presence_leave",
    "TicketChanged",
    "parse_version",
    "ticket_unchanged_then",
]
