"""One function per type of ticket event: the audit trail as data (Saleor's events.py).

Every event records the operation (the service call) that wrote it: the events
of one call are told together (``notifications.py``).
"""

from collections.abc import Callable
from datetime import datetime
from functools import partial

from django.db import transaction

from tessera.core.operations import current_operation_id

from . import notifications
from .models import Ticket, TicketEvent

Type = TicketEvent.Type

#: Apps above tickets follow what happens to tickets by registering here in their ``ready()``; tickets never
#: imports them. Two kinds: those that run inside the transaction that wrote the event (the SLA clock,
#: ``tessera.sla``: its figures commit or roll back with the ticket), and those called once that transaction has
#: committed (webhooks: a listener that fails is logged and does not undo the write).
_listeners: list[Callable[[TicketEvent], None]] = []
_after_commit_listeners: list[Callable[[TicketEvent], None]] = []


def register_listener(listener: Callable[[TicketEvent], None]) -> None:
    """``listener(event)`` inside the transaction that writes each event."""
    if listener not in _listeners:
        _listeners.append(listener)


def add_listener(listener: Callable[[TicketEvent], None]) -> None:
    """``listener(event)`` once the transaction that wrote each event has committed."""
    if listener not in _after_commit_listeners:
        _after_commit_listeners.append(listener)


def _event(ticket: Ticket, actor, type_: str, **data) -> TicketEvent:
    event = TicketEvent.objects.create(
        ticket=ticket, actor=actor, type=type_, data=data, operation_id=current_operation_id()
    )
    notifications.schedule(event)  # the e-mails it calls for are queued with this transaction
    for listener in _listeners:
        listener(event)
    for after_commit in _after_commit_listeners:
        transaction.on_commit(partial(after_commit, event), robust=True)
    return event


def ticket_created_event(*, ticket, actor):
    return _event(ticket, actor, Type.CREATED, status=ticket.status, source=ticket.source)


def status_changed_event(*, ticket, actor, old: str, new: str, action: str):
    return _event(ticket, actor, Type.STATUS_CHANGED, old=old, new=new, action=action)


def priority_changed_event(*, ticket, actor, old: int, new: int):
    return _event(ticket, actor, Type.PRIORITY_CHANGED, old=old, new=new)


def category_changed_event(*, ticket, actor, old_id: int, new_id: int, old: str, new: str):
    return _event(ticket, actor, Type.CATEGORY_CHANGED, old_id=old_id, new_id=new_id, old=old, new=new)


def fields_changed_event(*, ticket, actor, changes: list[dict[str, object]]):
    """``changes``: one ``{"key", "label", "old", "new"}`` per extra field whose value changed."""
    return _event(ticket, actor, Type.FIELDS_CHANGED, changes=changes)


def team_changed_event(*, ticket, actor, old: str | None, new: str | None):
    return _event(ticket, actor, Type.TEAM_CHANGED, old=old, new=new)


def assigned_event(*, ticket, actor, assignee, previous):
    return _event(
        ticket, actor, Type.ASSIGNED,
        assignee_id=assignee.pk, assignee=str(assignee),
        previous_id=getattr(previous, "pk", None), previous=str(previous) if previous else None,
    )


def unassigned_event(*, ticket, actor, previous):
    return _event(ticket, actor, Type.UNASSIGNED, previous_id=previous.pk, previous=str(previous))


def cc_changed_event(*, ticket, actor, added: list[str], removed: list[str]):
    return _event(ticket, actor, Type.CC_CHANGED, added=added, removed=removed)


def tags_changed_event(*, ticket, actor, added: list[str], removed: list[str]):
    return _event(ticket, actor, Type.TAGS_CHANGED, added=added, removed=removed)


def comment_added_event(*, ticket, actor, comment):
    type_ = Type.NOTE_ADDED if comment.is_internal else Type.COMMENT_ADDED
    return _event(ticket, actor, type_, comment_id=comment.pk)


def attachment_added_event(*, ticket, actor, attachment):
    return _event(ticket, actor, Type.ATTACHMENT_ADDED, attachment_id=attachment.pk, name=attachment.original_name)


# The ticket workspace (desk). Events written by a merge carry ``merge=True``: the
# merge itself is what happened, so notifications skip them and nobody hears twice.


def linked_event(*, ticket, actor, other, merge: bool = False):
    data = {"other_id": other.pk, "other": other.number}
    if merge:
        data["merge"] = True
    return _event(ticket, actor, Type.LINKED, **data)


def unlinked_event(*, ticket, actor, other):
    return _event(ticket, actor, Type.UNLINKED, other_id=other.pk, other=other.number)


def merge_closed_event(*, ticket, actor, old: str, new: str, action: str, target):
    return _event(
        ticket, actor, Type.STATUS_CHANGED, old=old, new=new, action=action,
        merge=True, merged_into_id=target.pk, merged_into=target.number,
    )


def merge_note_event(*, ticket, actor, comment, duplicate, target):
    return _event(
        ticket, actor, Type.NOTE_ADDED, comment_id=comment.pk, merge=True,
        duplicate_id=duplicate.pk, duplicate=duplicate.number, target_id=target.pk, target=target.number,
    )


def merge_cc_event(*, ticket, actor, added: list[str], duplicate):
    return _event(
        ticket, actor, Type.CC_CHANGED, added=added, removed=[], merge=True,
        duplicate_id=duplicate.pk, duplicate=duplicate.number,
    )


# The automation (``automation.py``): it acts on its own, so these events have no actor.


def reminder_sent_event(
    *, ticket: Ticket, waiting_since: datetime, accept_on: datetime | None, message_id: int | None
) -> TicketEvent:
    """The requester is reminded that ``ticket`` waits for them (since ``waiting_since``); ``accept_on``: when a
    provided solution counts as accepted; ``message_id``: support's last public message, quoted in the reminder."""
    data = {"status": ticket.status, "waiting_since": waiting_since.isoformat(), "message_id": message_id}
    if accept_on is not None:
        data["accept_on"] = accept_on.isoformat()
    return _event(ticket, None, Type.REMINDER_SENT, **data)


def sla_breached_event(*, ticket: Ticket, target: str, due_at: datetime) -> TicketEvent:
    """A service-level target (``first_response`` or ``resolution``) was missed; found by ``tessera.sla``."""
    return _event(ticket, None, Type.SLA_BREACHED, target=target, due_at=due_at.isoformat())


# --- Event data without writing the event ------------------------------------------------------------
# What the functions above store in ``TicketEvent.data``, for code that builds many events and writes
# them with bulk_create (the demo data, tessera/demo). tests/demo checks the demo's events against the
# ones the services write.


def ticket_created_data(*, status: str, source: str) -> dict[str, object]:
    return {"status": status, "source": source}


def status_changed_data(*, old: str, new: str, action: str) -> dict[str, object]:
    return {"old": old, "new": new, "action": action}


def priority_changed_data(*, old: int, new: int) -> dict[str, object]:
    return {"old": old, "new": new}


def assigned_data(*, assignee, previous) -> dict[str, object]:
    return {
        "assignee_id": assignee.pk, "assignee": str(assignee),
        "previous_id": getattr(previous, "pk", None), "previous": str(previous) if previous else None,
    }


def comment_added_type(*, is_internal: bool) -> str:
    return Type.NOTE_ADDED if is_internal else Type.COMMENT_ADDED


def comment_added_data(*, comment_id: int) -> dict[str, object]:
    return {"comment_id": comment_id}
