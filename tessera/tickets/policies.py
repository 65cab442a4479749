"""Who may see and do what with tickets: the one place views, templates and the API ask."""

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

if TYPE_CHECKING:
    from .models import Ticket

# The models ask the policy (``Ticket.objects.visible_to``), so the policy looks the models up
# through the app registry rather than importing them: no import cycle between the two modules.


def _model(name: str) -> Any:
    return apps.get_model("tickets", name)


def _membership(user):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return getattr(user, "membership", None)


class TicketPolicy:
    def visible(self, user, queryset: QuerySet | None = None) -> QuerySet:
        """The tickets ``user`` may see; none for anonymous, inactive or restricted users."""
        tickets = _model("Ticket").objects.all() if queryset is None else queryset
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return tickets.none()
        if user.is_staff:
            if user.is_superuser or not settings.TESSERA_AGENTS_SEE_ONLY_TEAM_TICKETS:
                return tickets
            # A subquery, not a join through the members: no duplicate rows, no DISTINCT to sort around.
            my_teams = _model("ServiceTeam").members.through.objects.filter(user=user).values("serviceteam_id")
            return tickets.filter(Q(service_team_id__in=my_teams) | Q(assignee=user))
        membership = _membership(user)
        if membership is None or not membership.may_use_tickets:
            return tickets.none()
        tickets = tickets.filter(organization_id=membership.organization_id)
        if membership.sees_organization_tickets:
            return tickets
        in_cc = _model("TicketCC").objects.filter(ticket=OuterRef("pk"), user=user)
        return tickets.filter(Q(created_by=user) | Exists(in_cc))

    def get_visible_or_404(self, user, *, number: str, queryset: QuerySet | None = None) -> "Ticket":
        """A ticket by number, scoped first: one the user may not see is simply not found."""
        if not (isinstance(number, str) and number.isascii() and number.isdigit() and len(number) <= 10):
            raise Http404
        try:
            ticket = self.visible(user, queryset).get(number=number)
        except _model("Ticket").DoesNotExist:
            raise Http404 from None
        ticket._seen_visible_by = user  # the checks of the same request need not ask the database again
        return ticket

    def can_view(self, user, ticket: "Ticket") -> bool:
        if getattr(ticket, "_seen_visible_by", None) is user:
            return True
        return self.visible(user).filter(pk=ticket.pk).exists()

    def is_customer(self, user) -> bool:
        return getattr(user, "is_authenticated", False) and not user.is_staff

    def can_create(self, user) -> bool:
        membership = _membership(user)
        return membership is not None and membership.may_use_tickets

    def can_comment(self, user, ticket: "Ticket") -> bool:
        return not ticket.is_closed and self.can_view(user, ticket)

    def can_add_internal_note(self, user, ticket: "Ticket") -> bool:
        return getattr(user, "is_staff", False) and self.can_view(user, ticket)

    def can_close(self, user, ticket: "Ticket") -> bool:
        return self.is_customer(user) and self.can_comment(user, ticket)


ticket_policy = TicketPolicy()
