"""Writing the audit log: one call per audited action, from the service that performs it.

Each entry is a unit of work of its own, or part of the caller's when one is
under way. A single INSERT: it joins the caller's transaction without a
savepoint, so the entry commits or rolls back with the action it records.
"""

from typing import TYPE_CHECKING, Any

from django.db import models
from django.http import HttpRequest

from tessera.core.operations import operation

from . import context
from .models import AuditAction, AuditEntry

if TYPE_CHECKING:  # accounts builds on the audit log: only the type, not the module, comes from there
    from tessera.accounts.models import User

MAX_REPR = AuditEntry._meta.get_field("target_repr").max_length


def _organization_id_of(obj: models.Model | None) -> int | None:
    """The customer organization ``obj`` belongs to, where it says so without a query of its own."""
    if obj is None:
        return None
    organization_id: int | None = getattr(obj, "organization_id", None)
    if organization_id is not None:
        return organization_id
    if getattr(obj, "is_staff", True):  # vendor staff (and anything that is not a user) belong to none
        return None
    membership = getattr(obj, "membership", None)  # loaded with the signed-in user by the login backend
    return membership.organization_id if membership is not None else None


def _entry_create(
    *, action: AuditAction, actor: "User | None", ip_address: str | None, target: models.Model | None,
    organization: models.Model | None, data: dict[str, Any],
) -> AuditEntry:
    if organization is not None:
        organization_id = organization.pk
    else:
        organization_id = _organization_id_of(target) or _organization_id_of(actor)
    with operation(savepoint=False):
        return AuditEntry.objects.create(
            action=action,
            actor=actor,
            actor_email=actor.email if actor is not None else "",
            ip_address=ip_address,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            target_repr=str(target)[:MAX_REPR] if target is not None else "",
            organization_id=organization_id,
            data=data,
        )


def audit_record(
    *, action: AuditAction, actor: "User | None" = None, target: models.Model | None = None,
    organization: models.Model | None = None, **data: Any,
) -> AuditEntry:
    """Record that ``actor`` did ``action`` to ``target``; ``data`` holds the details (JSON values only).

    The actor defaults to the signed-in user of the current request, the IP
    address is the request's (none outside a request). The organization, used to
    filter the log, defaults to the target's, then the actor's.
    """
    request_context = context.current()
    if actor is None and request_context is not None:
        actor = request_context.user
    return _entry_create(
        action=action, actor=actor, target=target, organization=organization, data=data,
        ip_address=request_context.ip_address if request_context is not None else None,
    )


def audit_record_for_request(
    *, request: HttpRequest | None, action: AuditAction, actor: "User | None" = None,
    target: models.Model | None = None, **data: Any,
) -> AuditEntry:
    """As ``audit_record``, for the request a signal hands over (there may be no middleware around it, or none
    at all); the actor is exactly the one given, never the signed-in user."""
    return _entry_create(
        action=action, actor=actor, target=target, organization=None, data=data,
        ip_address=context.client_ip_address(request) if request is not None else None,
    )
