"""A ticket's timeline in the desk: comments, internal notes and events in one stream, in time order."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from tessera.tickets.models import Attachment, Comment, Priority, Source, Ticket, TicketEvent
from tessera.tickets.workflow import Action, Status

Type = TicketEvent.Type
#: Shown by the comment or attachment itself, not as a separate line of the timeline.
EVENTS_SHOWN_BY_THEIR_OBJECT = (Type.COMMENT_ADDED, Type.NOTE_ADDED, Type.ATTACHMENT_ADDED)


@dataclass
class EventView:
    """One event said in words: what changed, from what, to what."""

    label: str
    old: str | None = None
    new: str | None = None
    detail: str = ""
    ticket_number: str = ""  # another ticket the event is about (links, merges)
    merge: bool = False
    #: Extra fields: (label, old, new) for each value that changed.
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    #: What the event stands for on the timeline (an icon name of the sprite).
    icon: str = "history"


@dataclass
class TimelineEntry:
    at: datetime
    order: tuple
    comment: Comment | None = None
    event: TicketEvent | None = None
    view: EventView | None = field(default=None)
    attachments: list[Attachment] = field(default_factory=list)  # those the comment came with

    @property
    def kind(self) -> str:
        if self.comment is not None:
            return "note" if self.comment.is_internal else "comment"
        return "event"


def _status_label(value) -> str:
    try:
        return str(Status(value).label)
    except ValueError:
        return str(value)


def _priority_label(value) -> str:
    try:
        priority = Priority(int(value))
    except (TypeError, ValueError):
        return str(value)
    return _("%(label)s (prio. %(value)d)") % {"label": priority.label, "value": priority.value}


def _action_label(value) -> str:
    try:
        return str(Action(value).label)
    except ValueError:
        return ""


def _number(value) -> str:
    """A ticket number from an event's data, or "" for anything that is not one (no link is built)."""
    value = str(value or "")
    return value if value.isascii() and value.isdigit() else ""


def _none(value) -> str:
    return str(value) if value not in (None, "") else _("none")


def _field_value(value) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return _none(value)


def _field_changes(changes) -> list[tuple[str, str, str]]:
    rows = []
    for change in changes if isinstance(changes, list) else []:
        if isinstance(change, dict):
            label = str(change.get("label") or change.get("key") or "")
            rows.append((label, _field_value(change.get("old")), _field_value(change.get("new"))))
    return rows


ICONS: dict[str, str] = {
    Type.CREATED: "plus", Type.STATUS_CHANGED: "refresh-cw", Type.PRIORITY_CHANGED: "arrow-up-down",
    Type.CATEGORY_CHANGED: "tag", Type.TEAM_CHANGED: "users", Type.ASSIGNED: "user-check",
    Type.UNASSIGNED: "user-x", Type.CC_CHANGED: "at-sign", Type.LINKED: "link", Type.UNLINKED: "link",
    Type.REMINDER_SENT: "bell", Type.FIELDS_CHANGED: "pencil", Type.TAGS_CHANGED: "tag",
    Type.SLA_BREACHED: "alert-triangle",
}


def describe_event(event: TicketEvent) -> EventView:
    view = _describe(event)
    view.icon = ICONS.get(str(event.type), "history")
    if event.type == Type.STATUS_CHANGED and isinstance(event.data, dict):
        if event.data.get("merged_into"):
            view.icon = "git-merge"
        elif event.data.get("action") == Action.REOPEN:
            view.icon = "rotate-ccw"
    return view


def _describe(event: TicketEvent) -> EventView:
    data = event.data if isinstance(event.data, dict) else {}
    merge = bool(data.get("merge"))
    kind = event.type
    if kind == Type.CREATED:
        source = data.get("source") or ""
        if source in Source.values:  # else a source this version does not know: its value as it is
            source = Source(source).label
        return EventView(_("Ticket created"), new=_status_label(data.get("status")), detail=str(source))
    if kind == Type.STATUS_CHANGED:
        view = EventView(
            _("Status"), old=_status_label(data.get("old")), new=_status_label(data.get("new")),
            detail=_action_label(data.get("action")), merge=merge,
        )
        if data.get("merged_into"):
            view.detail = _("merged into ticket")
            view.ticket_number = _number(data["merged_into"])
        return view
    if kind == Type.PRIORITY_CHANGED:
        return EventView(_("Priority"), old=_priority_label(data.get("old")), new=_priority_label(data.get("new")))
    if kind == Type.CATEGORY_CHANGED:
        return EventView(_("Category"), old=_none(data.get("old")), new=_none(data.get("new")))
    if kind == Type.TEAM_CHANGED:
        return EventView(_("Service team"), old=_none(data.get("old")), new=_none(data.get("new")))
    if kind == Type.ASSIGNED:
        return EventView(_("Assignee"), old=_none(data.get("previous")), new=_none(data.get("assignee")))
    if kind == Type.UNASSIGNED:
        return EventView(_("Assignee"), old=_none(data.get("previous")), new=_("none"))
    if kind == Type.TAGS_CHANGED:
        parts = []
        if data.get("added"):
            parts.append(_("added: %(list)s") % {"list": ", ".join(map(str, data["added"]))})
        if data.get("removed"):
            parts.append(_("removed: %(list)s") % {"list": ", ".join(map(str, data["removed"]))})
        return EventView(_("Tags"), detail="; ".join(parts))
    if kind == Type.CC_CHANGED:
        parts = []
        if data.get("added"):
            parts.append(_("added: %(list)s") % {"list": ", ".join(map(str, data["added"]))})
        if data.get("removed"):
            parts.append(_("removed: %(list)s") % {"list": ", ".join(map(str, data["removed"]))})
        view = EventView(_("CC"), detail="; ".join(parts), merge=merge)
        if data.get("duplicate"):
            view.detail += " " + _("(from the merged ticket)")
            view.ticket_number = _number(data["duplicate"])
        return view
    if kind == Type.LINKED:
        return EventView(_("Linked to ticket"), ticket_number=_number(data.get("other")), merge=merge)
    if kind == Type.UNLINKED:
        return EventView(_("Link removed to ticket"), ticket_number=_number(data.get("other")))
    if kind == Type.SLA_BREACHED:
        target = {"first_response": _("First response"), "resolution": _("Resolution")}.get(str(data.get("target")), "")
        return EventView(_("SLA target missed"), new=target or None)
    if kind == Type.FIELDS_CHANGED:
        return EventView(_("Extra fields"), changes=_field_changes(data.get("changes")))
    # Events this page does not know yet (added by other features) still read as their type and data.
    detail = ", ".join(f"{key}: {value}" for key, value in sorted(data.items()) if not key.endswith("_id"))
    return EventView(str(event.get_type_display()), detail=detail, merge=merge)


def attachments_by_comment(ticket: Ticket) -> dict[int | None, list[Attachment]]:
    """Every file of ``ticket`` in one query, by the comment it came with (``None``: with the ticket itself)."""
    files = defaultdict(list)
    for attachment in Attachment.objects.filter(ticket=ticket).order_by("created_at", "pk"):
        files[attachment.comment_id].append(attachment)
    return files


def timeline(ticket: Ticket, files: dict[int | None, list[Attachment]]) -> list[TimelineEntry]:
    """Public comments, internal notes and events of ``ticket``; two queries whatever their number.

    ``files`` are the ticket's attachments by comment (``attachments_by_comment``).
    """
    comments = Comment.objects.filter(ticket=ticket).select_related("author")
    ticket_events = (
        TicketEvent.objects.filter(ticket=ticket).exclude(type__in=EVENTS_SHOWN_BY_THEIR_OBJECT).select_related("actor")
    )
    entries = [
        TimelineEntry(at=c.created_at, order=(c.created_at, 1, c.pk), comment=c, attachments=files.get(c.pk, []))
        for c in comments
    ]
    entries += [
        TimelineEntry(at=e.created_at, order=(e.created_at, 0, e.pk), event=e, view=describe_event(e))
        for e in ticket_events
    ]
    entries.sort(key=lambda entry: entry.order)
    return entries


