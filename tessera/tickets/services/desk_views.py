"""Agents' saved views: a queue with its filters and sort, under a name, for themselves or for one of their teams."""

from urllib.parse import parse_qsl, urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from tessera.accounts.models import User
from tessera.core.operations import unit_of_work

from ..models import DeskView, ServiceTeam
from ..selectors.queues import QUEUES_BY_KEY

#: What a view keeps of the queue's query string: its filters and sort, never the page or anything else.
VIEW_PARAMS = ("q", "team", "status", "priority", "organization", "assignee", "category", "tag", "sort")
VIEWS_PER_AGENT = 50


def clean_view_query(query: str) -> str:
    return urlencode([(key, value) for key, value in parse_qsl(query) if key in VIEW_PARAMS and value][:20])


def may_share_with(user: User, team: ServiceTeam) -> bool:
    return user.is_superuser or team.members.filter(pk=user.pk).exists()


@unit_of_work
def desk_view_save(*, user: User, name: str, queue: str, query: str, team: ServiceTeam | None = None) -> DeskView:
    """Save the queue as the agent sees it; a view of the same name (theirs, or the team's) is replaced."""
    if not user.is_staff:
        raise PermissionDenied
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the view a name.")})
    if queue not in QUEUES_BY_KEY:
        raise ValidationError({"queue": _("There is no such queue.")})
    if team is not None and not may_share_with(user, team):
        raise ValidationError({"team": _("You can share a view only with a team you belong to.")})
    owner = None if team is not None else user
    others = DeskView.objects.filter(owner=owner).exclude(name__iexact=name)
    if owner is not None and others.count() >= VIEWS_PER_AGENT:
        raise ValidationError({"name": _("You have %(max)d views already; delete one first.")
                               % {"max": VIEWS_PER_AGENT}})
    view, _created = DeskView.objects.update_or_create(
        name__iexact=name, owner=owner, team=team,
        defaults={"name": name, "queue": queue, "query": clean_view_query(query)},
    )
    return view


@unit_of_work
def desk_view_delete(*, user: User, view: DeskView) -> None:
    if not (view.owner_id == user.pk or (view.team is not None and may_share_with(user, view.team))):
        raise PermissionDenied(_("You may not delete this view."))
    view.delete()
