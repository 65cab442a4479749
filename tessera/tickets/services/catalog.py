"""The vendor's master data for tickets: categories and service teams (the REST API's admin endpoints)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tessera.accounts.models import User
from tessera.core.operations import unit_of_work

from ..models import Category, ServiceTeam


def _require_vendor_admin(user: User) -> None:
    if not (user.is_active and user.is_superuser):
        raise PermissionDenied(_("Only vendor administrators can do this."))


@unit_of_work
def service_team_create(*, name: str, email: str = "", created_by: User) -> ServiceTeam:
    _require_vendor_admin(created_by)
    team = ServiceTeam(name=name.strip(), email=email.strip())
    team.full_clean()
    team.save()
    return team


def _save_category(category: Category) -> Category:
    category.full_clean(validate_constraints=False)  # a twin name is told below, in the user's words
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError:
        raise ValidationError({"name": _("A category with this name exists here already.")})
    return category


@unit_of_work
def category_create(
    *, name: str, parent: Category | None = None, service_team: ServiceTeam | None = None, position: int = 0,
    created_by: User,
) -> Category:
    """A new node of the category tree (at most four levels deep, names unique among siblings)."""
    _require_vendor_admin(created_by)
    category = Category(name=name.strip(), parent=parent, service_team=service_team, position=position)
    return _save_category(category)


TEAM_FIELDS = ("name", "email", "is_active")
CATEGORY_FIELDS = ("name", "service_team", "position", "is_active")


def _apply(obj: ServiceTeam | Category, values: dict, fields: tuple[str, ...]) -> None:
    """Set what ``values`` holds of ``fields`` on ``obj``, text stripped; the other fields stay."""
    for name in fields:
        if name in values:
            value = values[name]
            setattr(obj, name, value.strip() if isinstance(value, str) else value)


@unit_of_work
def service_team_update(*, team: ServiceTeam, values: dict, changed_by: User) -> ServiceTeam:
    """Rename a team, change its e-mail or (de)activate it; ``values`` holds only what changes.

    A deactivated team keeps its tickets and categories; it is no longer offered for new assignments.
    """
    _require_vendor_admin(changed_by)
    team = ServiceTeam.objects.select_for_update().get(pk=team.pk)
    _apply(team, values, TEAM_FIELDS)
    team.full_clean()
    team.save()
    return team


@unit_of_work
def category_update(*, category: Category, values: dict, changed_by: User) -> Category:
    """Rename a category, route it to another team (None: its parent's), move it in its list or (de)activate it.

    It stays where it is in the tree: a new place would change the depth of its whole branch.
    """
    _require_vendor_admin(changed_by)
    category = Category.objects.select_for_update().get(pk=category.pk)
    _apply(category, values, CATEGORY_FIELDS)
    return _save_category(category)
