"""Reads of the outbox, for the desk's page and the administration."""

from django.db.models import Count, QuerySet
from django.http import Http404

from .models import OutgoingEmail


def outgoing_emails(*, status: str = "") -> QuerySet:
    emails = OutgoingEmail.objects.order_by("-created_at", "-id")
    return emails.filter(status=status) if status else emails


def outgoing_email_counts() -> dict[str, int]:
    """How many messages are in each status (every status present, zero where none)."""
    counts = dict.fromkeys(OutgoingEmail.Status.values, 0)
    counts.update(OutgoingEmail.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return counts


def outgoing_email_or_404(*, pk: int) -> OutgoingEmail:
    try:
        return OutgoingEmail.objects.get(pk=pk)
    except OutgoingEmail.DoesNotExist:
        raise Http404 from None
