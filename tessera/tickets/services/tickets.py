"""Opening a ticket."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from tessera.accounts.models import User
from tessera.core.limits import REFERENCE_MAX_LENGTH, TEXT_MAX_LENGTH, TITLE_MAX_LENGTH
from tessera.core.operations import operation
from tessera.organizations.models import Organization

from .. import events, routing
from ..category_fields import clean_field_values
from ..cc_rules import check_cc
from ..models import Category, Priority, Source, Ticket, TicketCC
from ..numbering import draw_ticket_number
from ..policies import ticket_policy
from ..rate_limits import check_customer_activity
from ..workflow import Status
from ._common import check_upload, clean_cc, stored_text
from .comments import attachments_add


def ticket_create(
    *,
    author: User,
    title: str,
    category: Category,
    organization: Organization | None = None,
    priority: int = Priority.MEDIUM,
    description: str = "",
    external_reference: str = "",
    field_values: Mapping[str, Any] | None = None,
    cc_users: Sequence[User] = (),
    cc_emails: Sequence[str] = (),
    attachments: Sequence[UploadedFile] = (),
    source: str = Source.PORTAL,
    follow_up_of: Ticket | None = None,
) -> Ticket:
    """Open a ticket for ``author``'s organization (or, for vendor staff, the one given).

    A follow-up ticket continues a closed one the author may see. Everything is
    checked before the first write, which all happen in one unit of work.
    """
    if author.is_staff:
        if organization is None:
            raise ValidationError({"organization": _("Choose the customer's organization.")})
    else:
        if not ticket_policy.can_create(author):
            raise PermissionDenied(_("Your account is not yet activated for tickets."))
        organization = author.membership.organization
    if not category.is_active:
        raise ValidationError({"category": _("This category can no longer be chosen.")})
    title = stored_text(title, field="title", limit=TITLE_MAX_LENGTH).strip()
    description = stored_text(description, field="description", limit=TEXT_MAX_LENGTH)
    external_reference = stored_text(external_reference, field="external_reference", limit=REFERENCE_MAX_LENGTH)
    if not title:
        raise ValidationError({"title": _("This field is required.")})
    for upload in attachments:
        check_upload(upload)
    if follow_up_of is not None and not (
        follow_up_of.is_closed
        and follow_up_of.organization_id == organization.pk
        and ticket_policy.can_view(author, follow_up_of)
    ):
        raise ValidationError({"follow_up_of": _("Only a closed ticket of yours can be followed up.")})
    cc = clean_cc(organization, cc_users, cc_emails)
    check_cc(organization, cc, by_staff=author.is_staff)
    check_customer_activity(user=author, organization=organization, creating=True)
    values = clean_field_values(category.all_fields(), dict(field_values or {}))
    priority, service_team = Priority(priority), category.routing_team()

    # A unit of work opened only for the writes (the checks above write nothing). A savepoint only for files: a
    # file the storage refuses is reported to the user in the same request, so the ticket's rows must go back on
    # their own. Nothing else below raises an error anyone goes on from.
    with operation(savepoint=bool(attachments)):
        now = timezone.now()
        ticket = Ticket.objects.create(
            number=draw_ticket_number(),  # the counter stays locked until the transaction ends: draw last
            organization=organization,
            created_by=author,
            title=title,
            description=description,
            priority=priority,
            status=Status.OPEN,
            external_reference=external_reference.strip(),
            category=category,
            service_team=service_team,
            field_values=values,
            source=source,
            follow_up_of=follow_up_of,
            created_at=now,
            updated_at=now,
        )
        TicketCC.objects.bulk_create(TicketCC(ticket=ticket, email=email, user=user) for email, user in cc.items())
        events.ticket_created_event(ticket=ticket, actor=author)
        attachments_add(ticket=ticket, uploaded_by=author, uploads=attachments)
        routing.ticket_auto_assign(ticket=ticket)
    return ticket
