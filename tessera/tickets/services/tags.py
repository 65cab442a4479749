"""Agents' tags on tickets: set from the workspace, filtered in the queues; customers never see them."""

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tessera.accounts.models import User
from tessera.core.operations import unit_of_work

from .. import events
from ..models import TAG_MAX_LENGTH, TAGS_PER_TICKET, Tag, Ticket
from ._common import locked, require_agent_for, touch

#: Letters of any language, digits, spaces, "-", "_", "." and "/": no commas (they separate tags in the form).
TAG_PATTERN = re.compile(r"[\w][\w .\-/]*", re.UNICODE)


def parse_tags(text: str) -> list[str]:
    """The tags of a comma-separated ``text``, each trimmed, runs of spaces as one, duplicates (any case) once."""
    names: dict[str, str] = {}
    for part in text.split(","):
        name = " ".join(part.split())
        if name:
            names.setdefault(name.casefold(), name)
    return list(names.values())


def clean_tags(names: Iterable[str]) -> list[str]:
    names = list(names)
    problems = []
    for name in names:
        if len(name) > TAG_MAX_LENGTH:
            problems.append(
                _("“%(name)s” is longer than %(max)d characters.") % {"name": name[:50], "max": TAG_MAX_LENGTH}
            )
        elif not TAG_PATTERN.fullmatch(name):
            problems.append(_("“%(name)s” may hold only letters, digits, spaces and - _ . /") % {"name": name[:50]})
    if len(names) > TAGS_PER_TICKET:
        problems.append(ngettext("A ticket carries at most %(max)d tag.", "A ticket carries at most %(max)d tags.",
                                 TAGS_PER_TICKET) % {"max": TAGS_PER_TICKET})
    if problems:
        raise ValidationError({"tags": problems})
    return names


def _tags_named(names: list[str]) -> list[Tag]:
    """The tags of ``names``: an existing tag is reused whatever its case, a new one is created as typed."""
    found = Tag.objects.annotate(key=Lower("name")).filter(key__in=[name.lower() for name in names])
    existing: dict[str, Tag] = {tag.name.casefold(): tag for tag in found}
    tags: list[Tag] = []
    for name in names:
        if name.casefold() in existing:
            tags.append(existing[name.casefold()])
        else:
            tags.append(Tag.objects.get_or_create(name__iexact=name, defaults={"name": name})[0])
    return tags


@unit_of_work
def ticket_set_tags(*, ticket: Ticket, user: User, names: Iterable[str]) -> Ticket:
    """Support sets the ticket's tags (closed tickets too: tags serve reports); the change is recorded."""
    ticket = locked(ticket)
    require_agent_for(user, ticket)
    tags = _tags_named(clean_tags(names))
    old = {tag.pk: tag.name for tag in ticket.tags.all()}
    new = {tag.pk: tag.name for tag in tags}
    added = sorted(name for pk, name in new.items() if pk not in old)
    removed = sorted(name for pk, name in old.items() if pk not in new)
    if added or removed:
        ticket.tags.set(tags)
        touch(ticket)
        events.tags_changed_event(ticket=ticket, actor=user, added=added, removed=removed)
    return ticket
