"""The stale-page check: an action sent from a page that no longer shows the ticket as it is, is not applied.

The desk's forms carry the ticket's version the page showed
(``selectors.versions``). The action runs through ``ticket_unchanged_then``,
which locks the ticket's row first and compares in the same transaction: of two
agents sending at once, the second waits for the first to commit, then finds its
event and is refused with ``TicketChanged``. The agent's page then shows what
changed and carries the new version, so sending again applies the action on
purpose.
"""

from collections.abc import Callable
from typing import TypeVar

from django.utils.translation import gettext as _

from tessera.accounts.models import User
from tessera.core.errors import ApplicationError
from tessera.core.operations import unit_of_work

from ..models import Ticket, TicketEvent
from ..selectors.versions import changes_since
from ._common import locked

R = TypeVar("R")
#: Longer than any event id a database hands out: anything else is not a version.
_MAX_DIGITS = 19


class TicketChanged(ApplicationError):
    """Others changed the ticket after the version the action was sent from; ``changes`` says how."""

    def __init__(self, changes: list[TicketEvent]) -> None:
        super().__init__(_("This ticket changed since you opened it. Nothing was saved: check what changed, "
                           "then send again to apply your change anyway."))
        self.changes = changes


def parse_version(value: object) -> int | None:
    """The version a form sent: None when it sent none (not checked: scripts, older pages), 0 for anything that
    is not a version (the page is taken to have shown nothing)."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    if not (text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS):
        return 0
    return int(text)


@unit_of_work
def ticket_unchanged_then(*, ticket: Ticket, user: User, seen: int | None, perform: Callable[[], R]) -> R:
    """``perform()`` (another service, which joins this transaction) unless others changed ``ticket`` after
    ``seen``; then ``TicketChanged``, and nothing is done. ``seen`` None: no check."""
    if seen is not None:
        changes = changes_since(locked(ticket), version=seen, user=user)
        if changes:
            raise TicketChanged(changes)
    return perform()
