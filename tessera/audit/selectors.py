"""Reading the audit log."""

from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from .models import AuditEntry

if TYPE_CHECKING:
    from tessera.organizations.models import Organization


def audit_entries(
    *, action: str = "", actor: str = "", ip_address: str = "", organization: "Organization | None" = None,
    date_from: date | None = None, date_to: date | None = None,
) -> QuerySet[AuditEntry]:
    """Entries newest first, filtered; ``actor`` matches the actor's e-mail or the name a failed login tried.

    Dates are whole days in the current time zone, both ends included.
    """
    entries = AuditEntry.objects.select_related("organization")
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(Q(actor_email__icontains=actor) | Q(data__username__icontains=actor))
    if ip_address:
        entries = entries.filter(ip_address=ip_address)
    if organization is not None:
        entries = entries.filter(organization=organization)
    if date_from is not None:
        entries = entries.filter(created_at__date__gte=date_from)
    if date_to is not None:
        entries = entries.filter(created_at__date__lte=date_to)
    return entries.order_by("-created_at", "-pk")
