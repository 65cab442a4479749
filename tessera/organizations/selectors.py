"""Reads of organizations, memberships and link requests, always scoped to what the reader may see."""

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

if TYPE_CHECKING:
    from tessera.accounts.models import User

from .models import LinkRequest, Membership, Organization, Role


def administered_organization(user: "User | AnonymousUser") -> Organization | None:
    """The organization ``user`` administers (an active admin membership), else None.

    Vendor staff administer no organization here: they work in the desk.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.is_staff:
        return None
    membership = getattr(user, "membership", None)
    if membership is None or not membership.is_admin:
        return None
    return membership.organization


def administered_organization_or_404(user: "User | AnonymousUser") -> Organization:
    organization = administered_organization(user)
    if organization is None:
        raise Http404
    return organization


def may_manage_organization(user: "User | AnonymousUser", organization: Organization) -> bool:
    """Vendor staff manage every organization; an organization's active admin manages theirs."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_staff:
        return True
    administered = administered_organization(user)
    return administered is not None and administered.pk == organization.pk


def organization_memberships(*, organization: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email")
    )


def active_member_users(*, organization_id: int) -> QuerySet["User"]:
    """The people of an organization who work with tickets: active account, active membership, not restricted.

    Only they can be kept informed of a ticket (CC): a pending, restricted or deactivated colleague would get nothing.
    """
    return (
        get_user_model()
        .objects.filter(membership__organization_id=organization_id, membership__is_active=True, is_active=True)
        .exclude(membership__role=Role.RESTRICTED)
        .order_by("first_name", "last_name", "email")
    )


def is_active_member(user: "User", organization_id: int) -> bool:
    """Whether ``user`` is one of ``active_member_users`` of the organization (no query: the membership is read)."""
    membership = getattr(user, "membership", None)
    return (
        user.is_active
        and membership is not None
        and membership.organization_id == organization_id
        and membership.may_use_tickets
    )


def membership_in_organization_or_404(*, organization: Organization, pk: int) -> Membership:
    """A membership by id, scoped to ``organization`` first: any other is simply not found."""
    try:
        return organization_memberships(organization=organization).select_related("organization").get(pk=pk)
    except Membership.DoesNotExist:
        raise Http404 from None


def pending_link_requests(*, organization: Organization | None = None) -> QuerySet[LinkRequest]:
    """Pending link requests, oldest first: of one organization, or of all (the vendor's inbox)."""
    requests = LinkRequest.objects.filter(state=LinkRequest.State.PENDING).select_related("user", "organization")
    if organization is not None:
        requests = requests.filter(organization=organization)
    return requests.order_by("created_at", "pk")


def pending_link_request_or_404(*, pk: int, organization: Organization | None = None) -> LinkRequest:
    try:
        return pending_link_requests(organization=organization).get(pk=pk)
    except LinkRequest.DoesNotExist:
        raise Http404 from None


def link_request_latest_for_user(user: "User") -> LinkRequest | None:
    """The user's most recent link request, to show its state on the link page."""
    return LinkRequest.objects.filter(user=user).select_related("organization").order_by("-created_at", "-pk").first()


def has_pending_link_request(user: "User") -> bool:
    return LinkRequest.objects.filter(user=user, state=LinkRequest.State.PENDING).exists()


def link_request_approvers(organization: Organization) -> list:
    """Who decides on a link request: the organization's active admins, else all active vendor staff."""
    admins = [
        membership.user
        for membership in Membership.objects.admins()
        .filter(organization=organization, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    ]
    if admins:
        return admins
    return list(get_user_model().objects.filter(is_staff=True, is_active=True).order_by("pk"))


def _count_of(queryset: QuerySet, field: str = "organization") -> Coalesce:
    counted = queryset.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def organization_list(*, search: str = "") -> QuerySet[Organization]:
    """Organizations for the desk, with how many active users and pending link requests each has."""
    organizations = Organization.objects.annotate(
        active_user_count=_count_of(Membership.objects.filter(is_active=True)),
        pending_link_request_count=_count_of(LinkRequest.objects.filter(state=LinkRequest.State.PENDING)),
    )
    search = search.strip()
    if search:
        # A person's e-mail address or name finds their organization too (a subquery: no duplicate rows).
        people = Membership.objects.filter(
            Q(user__email__icontains=search) | Q(user__last_name__icontains=search)
        ).values("organization_id")
        organizations = organizations.filter(
            Q(name__icontains=search) | Q(customer_code__icontains=search) | Q(city__icontains=search)
            | Q(pk__in=people)
        )
    return organizations.order_by("name", "pk")


def organization_or_404(*, pk: int) -> Organization:
    """An organization for the desk (vendor staff see every organization)."""
    try:
        return Organization.objects.get(pk=pk)
    except Organization.DoesNotExist:
        raise Http404 from None


def organization_notes(*, organization_id: int, limit: int | None = None) -> QuerySet:
    """The agents' notes about one organization, newest first (staff pages only)."""
    from .models import OrganizationNote

    notes = OrganizationNote.objects.filter(organization_id=organization_id).select_related("author")
    return notes[:limit] if limit else notes
