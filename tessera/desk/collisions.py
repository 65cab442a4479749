"""Two agents on one ticket: the stale-page answer of the workspace's actions, and what it tells.

An action sent from a page that no longer shows the ticket as it is
(``tickets.services.versions``) is shown again with what the agent typed, the
message "This ticket changed since you opened it" above the form, and the
changes made since, each with who made it and when. The page carries the new
version, so sending the same form again applies it on purpose.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar, cast

from django.forms import BaseForm
from django.http import HttpRequest
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from tessera.accounts.models import User
from tessera.core.forms import apply_service_error
from tessera.tickets import services
from tessera.tickets.models import Comment, Ticket, TicketEvent
from tessera.tickets.services import TicketChanged

from .timeline import describe_event

R = TypeVar("R")
#: The form field that carries the version the page showed (desk/ticket_version_field.html).
VERSION_FIELD = "ticket_version"
#: HTTP's word for it: the request conflicts with the resource's current state.
CONFLICT = 409

Type = TicketEvent.Type


@dataclass(frozen=True)
class Change:
    """One change made since the page was opened, in words."""

    at: datetime
    who: str
    what: str
    text: str = ""
    anchor: str = ""  # the comment's id on the timeline, to jump to it


def when_unchanged(request: HttpRequest, ticket: Ticket, perform: Callable[[], R]) -> R:
    """``perform()`` unless others changed ``ticket`` since the version the request's form carries."""
    seen = services.parse_version(request.POST.get(VERSION_FIELD))
    user = cast(User, request.user)  # the desk's views are for signed-in staff only (``staff_required``)
    return services.ticket_unchanged_then(ticket=ticket, user=user, seen=seen, perform=perform)


def show_changed(form: BaseForm, error: TicketChanged) -> None:
    """The refusal above ``form`` (and in its error summary), with the changes under it."""
    apply_service_error(form, error)
    form.ticket_changes = changes_told(error.changes)  # type: ignore[attr-defined]  # read by ticket_form_errors.html


def _who(event: TicketEvent) -> str:
    if event.actor is None:
        return _("Tessera")
    return event.actor.get_full_name() or event.actor.email


def changes_told(events: list[TicketEvent]) -> list[Change]:
    """``events`` in words; the comments they add are read in one query and quoted briefly."""
    comment_ids = [
        event.data.get("comment_id") for event in events
        if event.type in (Type.COMMENT_ADDED, Type.NOTE_ADDED) and isinstance(event.data, dict)
    ]
    comments = Comment.objects.in_bulk([pk for pk in comment_ids if isinstance(pk, int)])
    told = []
    for event in events:
        data = event.data if isinstance(event.data, dict) else {}
        if event.type in (Type.COMMENT_ADDED, Type.NOTE_ADDED):
            comment = comments.get(data.get("comment_id"))
            if event.type == Type.NOTE_ADDED:
                what = _("Internal note")
            elif event.actor is not None and event.actor.is_staff:
                what = _("Reply to the customer")
            else:
                what = _("Customer comment")
            text = Truncator(comment.body).chars(200) if comment is not None else ""
            anchor = f"comment-{comment.pk}" if comment is not None else ""
            told.append(Change(at=event.created_at, who=_who(event), what=what, text=text, anchor=anchor))
        elif event.type == Type.ATTACHMENT_ADDED:
            told.append(Change(at=event.created_at, who=_who(event), what=_("Attachment added"),
                               text=str(data.get("name", ""))))
        else:
            view = describe_event(event)
            if view.old is not None and view.new is not None:
                text = f"{view.old} → {view.new}"
            else:
                text = " ".join(part for part in (view.new or "", view.detail) if part)
            told.append(Change(at=event.created_at, who=_who(event), what=view.label, text=text))
    return told
