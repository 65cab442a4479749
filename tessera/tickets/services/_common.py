"""What the ticket services share: stored text, locks, checks of who acts, CC addresses, status changes."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from tessera.accounts.models import User
from tessera.core.limits import check_length
from tessera.organizations.models import Organization
from tessera.organizations.selectors import is_active_member

from .. import events
from ..models import Ticket
from ..policies import ticket_policy
from ..uploads import validate_upload
from ..workflow import Action, Actor, is_closed, target_status


def stored_text(value: str, *, field: str = "", limit: int = 0) -> str:
    """Text as stored: without NUL characters, which no database text column may hold, and refused
    (a ValidationError for ``field``) when longer than ``limit`` (``core.limits``).

    Forms refuse both already; e-mail and other callers of the services do not pass through forms.
    """
    text = (value or "").replace("\x00", "")
    return check_length(text, field=field, limit=limit) if limit else text


def locked(ticket: Ticket) -> Ticket:
    """The ticket read again with its row locked until the transaction ends."""
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def lock_pair(first: Ticket, second: Ticket) -> tuple[Ticket, Ticket]:
    """Lock two tickets in id order (never the other way round, so two merges cannot deadlock)."""
    rows = {t.pk: t for t in Ticket.objects.select_for_update().filter(pk__in=[first.pk, second.pk]).order_by("pk")}
    return rows[first.pk], rows[second.pk]


def ordered_pair(first: Ticket, second: Ticket) -> tuple[Ticket, Ticket]:
    # A link is stored once, the lower id first.
    return (first, second) if first.pk < second.pk else (second, first)


def touch(ticket: Ticket, *fields: str) -> None:
    ticket.updated_at = timezone.now()
    ticket.save(update_fields=[*fields, "updated_at"])


def actor_of(user: User) -> Actor:
    return Actor.AGENT if user.is_staff else Actor.CUSTOMER


def require_agent_for(user: User, ticket: Ticket) -> None:
    if not user.is_staff or not ticket_policy.can_view(user, ticket):
        raise PermissionDenied(_("Only support staff working on this ticket can do this."))


def check_upload(upload: UploadedFile) -> tuple[str, str]:
    try:
        return validate_upload(upload)
    except ValidationError as error:
        raise ValidationError({"attachments": error.messages}) from None


def clean_cc(organization: Organization, cc_users: Iterable[User], cc_emails: Iterable[str]) -> dict[str, User | None]:
    """Map each CC address to its user (a colleague) or None (a plain address)."""
    entries: dict[str, User | None] = {}
    for user in cc_users:
        if not is_active_member(user, organization.pk):
            message = _(
                "%(name)s is not an active member of your organization and cannot be added to CC."
            ) % {"name": user.get_full_name() or user.email}
            raise ValidationError({"cc_users": message})
        entries[user.email.lower()] = user
    for email in cc_emails:
        email = email.strip().lower()
        if not email:
            continue
        try:
            validate_email(email)
        except ValidationError:
            message = _("%(email)s is not a valid e-mail address.") % {"email": email}
            raise ValidationError({"cc_emails": message}) from None
        entries.setdefault(email, None)
    return entries


def apply_transition(ticket: Ticket, *, actor: Actor, action: Action, user: User | None) -> Ticket:
    """Move the (locked) ticket as the transition table says, and record it; ``user`` None is Tessera itself."""
    old = ticket.status
    new = target_status(actor, action, old)
    now = timezone.now()
    ticket.status = new
    ticket.closed_at = now if is_closed(new) else None
    ticket.status_changed_at = now
    ticket.reminder_sent_at = None
    touch(ticket, "status", "closed_at", "status_changed_at", "reminder_sent_at")
    events.status_changed_event(ticket=ticket, actor=user, old=old, new=new, action=action)
    return ticket
