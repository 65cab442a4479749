"""The values of a ticket's extra fields (its category's fields), as support edits them."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tessera.accounts.models import User
from tessera.core.operations import unit_of_work

from .. import events
from ..category_fields import clean_field_values
from ..models import CategoryField, Ticket
from ._common import locked, require_agent_for, touch


def stored_field_values(ticket: Ticket, fields: list[CategoryField], raw: Mapping[str, Any]) -> dict[str, Any]:
    """The ticket's values once ``raw`` is checked against ``fields`` (ValidationError keyed by field key).

    Values of keys that are not among ``fields`` (fields of a former category) are kept: nobody typed them
    in vain, and they come back if the ticket returns to a category that asks for them.
    """
    cleaned = clean_field_values(fields, dict(raw))
    keys = {field.key for field in fields}
    kept = {key: value for key, value in (ticket.field_values or {}).items() if key not in keys}
    return {**kept, **cleaned}


def field_changes(fields: list[CategoryField], old: Mapping[str, Any], new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One entry per field of ``fields`` whose value differs between ``old`` and ``new``, for the event."""
    return [
        {"key": field.key, "label": field.label, "old": old.get(field.key), "new": new.get(field.key)}
        for field in fields
        if old.get(field.key) != new.get(field.key)
    ]


@unit_of_work
def ticket_change_field_values(*, ticket: Ticket, user: User, values: Mapping[str, Any]) -> Ticket:
    """Support sets the values of the extra fields of the ticket's category; the changes are recorded."""
    ticket = locked(ticket)
    require_agent_for(user, ticket)
    if ticket.is_closed:
        raise PermissionDenied(_("This ticket is closed and can no longer be changed."))
    fields = ticket.category.all_fields()
    new_values = stored_field_values(ticket, fields, values)
    changes = field_changes(fields, ticket.field_values or {}, new_values)
    if changes:
        ticket.field_values = new_values
        touch(ticket, "field_values")
        events.fields_changed_event(ticket=ticket, actor=user, changes=changes)
    return ticket
