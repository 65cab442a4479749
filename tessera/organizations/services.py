"""Every write to memberships and link requests; each checks that the acting user may do it.

May act on an organization: its active administrators and vendor staff
(``selectors.may_manage_organization``). Changes to one organization's
administrators lock the organization row, so two concurrent demotions cannot
both pass the "at least one active administrator" check.
"""

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tessera.audit.models import AuditAction
from tessera.audit.services import audit_record
from tessera.core.errors import ApplicationError
from tessera.core.limits import REASON_MAX_LENGTH, check_length
from tessera.core.operations import unit_of_work
from tessera.notifications.emails import absolute_url, send_email_to_user

from . import signals
from .models import LinkRequest, Membership, Organization, OrganizationNote, Role
from .selectors import link_request_approvers, may_manage_organization
from .throttling import LinkThrottle, TooManyAttempts

if TYPE_CHECKING:  # accounts builds on organizations: only the type, not the module, comes from there
    from tessera.accounts.models import User

ASSIGNABLE_ROLES = (Role.BASIC, Role.MANAGER, Role.ADMIN)


def _no_match_message() -> str:
    # One message for a wrong code and a wrong postal code: it must not tell which customer codes exist.
    return _(
        "We could not find a customer with this customer code and postal code. Please check both: "
        "the customer code is printed on every invoice we sent you."
    )


def _normalize_postal_code(value: str) -> str:
    return "".join(value.split()).casefold()


def _organization_matching(customer_code: str, postal_code: str) -> tuple[Organization | None, Organization | None]:
    """(the organization this pair names, or None; the organization the code alone names, or None)."""
    code = customer_code.strip()
    if not code:
        return None, None
    wanted = _normalize_postal_code(postal_code)
    named = None
    for organization in Organization.objects.filter(customer_code__iexact=code, is_active=True):
        if wanted and _normalize_postal_code(organization.postal_code) == wanted:
            return organization, organization
        named = organization
    return None, named


def _check_may_manage(actor: "User", organization: Organization) -> None:
    if not may_manage_organization(actor, organization):
        raise PermissionDenied


def _check_assignable(role: str) -> Role:
    if role not in ASSIGNABLE_ROLES:
        raise ValidationError({"role": _("Choose Basic user, Manager or Administrator.")})
    return Role(role)


def _lock_organization(organization_id: int) -> None:
    list(Organization.objects.select_for_update().filter(pk=organization_id).values_list("pk"))


def _reload_locked(membership: Membership) -> Membership:
    """Lock the organization, then read the membership afresh: decisions rest on the committed state."""
    _lock_organization(membership.organization_id)
    return Membership.objects.select_for_update(of=("self",)).select_related("user", "organization").get(
        pk=membership.pk
    )


def _ensure_another_admin_remains(membership: Membership) -> None:
    if not (membership.is_admin and membership.user.is_active):
        return
    others = (
        Membership.objects.admins()
        .filter(organization_id=membership.organization_id, user__is_active=True)
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise ApplicationError(
            _(
                "%(name)s is the organization's only active administrator. "
                "Make another user an administrator first."
            )
            % {"name": membership.user.get_full_name()},
            field="role",
        )


def _notify_approvers(link_request: LinkRequest) -> None:
    for approver in link_request_approvers(link_request.organization):
        review_path = reverse("desk:approvals") if approver.is_staff else reverse("portal:organization_users")
        send_email_to_user(
            "link_request_received",
            user=approver,
            context={"link_request": link_request, "applicant": link_request.user,
                     "organization": link_request.organization, "review_url": absolute_url(review_path)},
        )


def _activate(*, membership: Membership, role: Role, actor: "User", link_request: LinkRequest | None) -> Membership:
    now = timezone.now()
    membership.role = role
    membership.is_active = True
    if membership.pk is None:
        membership.save()
    else:
        membership.save(update_fields=["role", "is_active", "updated_at"])
    if link_request is not None:
        link_request.state = LinkRequest.State.APPROVED
        link_request.decided_by = actor
        link_request.decided_at = now
        link_request.save(update_fields=["state", "decided_by", "decided_at", "updated_at"])
    signals.membership_linked.send(sender=Membership, membership=membership)
    send_email_to_user(
        "membership_activated",
        user=membership.user,
        context={"membership": membership, "organization": membership.organization, "activated_at": now,
                 "home_url": absolute_url(reverse("portal:home"))},
    )
    return membership


def _lock_pending(link_request: LinkRequest) -> LinkRequest:
    locked = (
        LinkRequest.objects.select_for_update(of=("self",)).select_related("user", "organization")
        .get(pk=link_request.pk)
    )
    if locked.state != LinkRequest.State.PENDING:
        raise ApplicationError(_("This request has already been decided."))
    return locked


def link_request_create(
    *, user: "User", customer_code: str, postal_code: str, ip_address: str | None = None
) -> LinkRequest:
    """Seed 001's first login: link ``user`` to the customer with this code and postal code.

    On a match the user becomes a ``restricted`` member and the organization's
    administrators (or, if it has none, vendor staff) are asked to approve.
    Wrong pairs are counted per user, per organization (a right code with a wrong
    postal code) and per IP address (``throttling``); the count is committed
    before the refusal, outside the unit of work that links, so that it survives it.
    """
    if user.is_staff:
        raise PermissionDenied
    if Membership.objects.filter(user=user).exists():
        raise ApplicationError(_("Your account is already linked to an organization."))
    throttle = LinkThrottle(user=user, ip_address=ip_address)
    with transaction.atomic():
        # One user's guesses are taken one at a time: parallel requests cannot all pass the check
        # before any failure is recorded. The failure is committed here, before the refusal.
        get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
        organization, named = _organization_matching(customer_code, postal_code)
        blocked = throttle.is_blocked(named)
        if not blocked and organization is None:
            throttle.record_failure(named)
    if blocked:
        minutes = throttle.cooloff_minutes()
        raise TooManyAttempts(
            ngettext(
                "Too many unsuccessful tries. Please wait %(minutes)d minute and try again.",
                "Too many unsuccessful tries. Please wait %(minutes)d minutes and try again.",
                minutes,
            )
            % {"minutes": minutes}
        )
    if organization is None:
        raise ValidationError(_no_match_message(), code="no_match")
    return _link_request_open(user=user, organization=organization,
                              customer_code=customer_code.strip(), postal_code=postal_code.strip())


@unit_of_work
def _link_request_open(
    *, user: "User", organization: Organization, customer_code: str, postal_code: str
) -> LinkRequest:
    # Lock the user: a double submission must not create two memberships.
    get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
    if Membership.objects.filter(user=user).exists():
        raise ApplicationError(_("Your account is already linked to an organization."))
    if LinkRequest.objects.filter(user=user, state=LinkRequest.State.PENDING).exists():
        raise ApplicationError(_("Your request is already waiting for approval."))
    Membership.objects.create(user=user, organization=organization, role=Role.RESTRICTED, is_active=True)
    link_request = LinkRequest.objects.create(
        user=user, organization=organization, customer_code=customer_code, postal_code=postal_code
    )
    _notify_approvers(link_request)
    return link_request


@unit_of_work
def link_request_approve(*, link_request: LinkRequest, approved_by: "User", role: str = Role.BASIC) -> Membership:
    """Approve a pending request: the user's restricted membership becomes ``role`` (Basic user by default)."""
    _check_may_manage(approved_by, link_request.organization)
    role = _check_assignable(role)
    _lock_organization(link_request.organization_id)
    link_request = _lock_pending(link_request)
    membership = (
        Membership.objects.select_for_update(of=("self",)).select_related("user", "organization")
        .filter(user=link_request.user).first()
    )
    if membership is None:
        # The restricted membership was removed meanwhile (say, in the admin site): grant access afresh.
        membership = Membership(user=link_request.user, organization=link_request.organization)
    elif membership.organization_id != link_request.organization_id:
        raise ApplicationError(_("This user already belongs to another organization."))
    elif not membership.is_restricted:
        role = Role(membership.role)  # already activated meanwhile: keep the role chosen then
    membership = _activate(membership=membership, role=role, actor=approved_by, link_request=link_request)
    audit_record(action=AuditAction.LINK_REQUEST_APPROVE, actor=approved_by, target=link_request, role=role.value)
    return membership


@unit_of_work
def link_request_reject(*, link_request: LinkRequest, rejected_by: "User", reason: str) -> LinkRequest:
    """Reject a pending request with a reason; the user loses the restricted membership and may try again."""
    _check_may_manage(rejected_by, link_request.organization)
    reason = check_length(reason.replace("\x00", ""), field="reason", limit=REASON_MAX_LENGTH).strip()
    if not reason:
        raise ValidationError({"reason": _("Tell the user why the request is rejected.")})
    link_request = _lock_pending(link_request)
    link_request.state = LinkRequest.State.REJECTED
    link_request.rejection_reason = reason
    link_request.decided_by = rejected_by
    link_request.decided_at = timezone.now()
    link_request.save(update_fields=["state", "rejection_reason", "decided_by", "decided_at", "updated_at"])
    Membership.objects.filter(
        user=link_request.user, organization=link_request.organization, role=Role.RESTRICTED
    ).delete()
    send_email_to_user(
        "link_request_rejected",
        user=link_request.user,
        context={"link_request": link_request, "organization": link_request.organization,
                 "link_url": absolute_url(reverse("portal:link"))},
    )
    audit_record(action=AuditAction.LINK_REQUEST_REJECT, actor=rejected_by, target=link_request, reason=reason)
    return link_request


@unit_of_work
def membership_activate(*, membership: Membership, role: str, activated_by: "User") -> Membership:
    """Seed 001's "Activation": a restricted user gets a role; a pending link request is approved with it."""
    _check_may_manage(activated_by, membership.organization)
    role = _check_assignable(role)
    membership = _reload_locked(membership)
    if not membership.is_restricted:
        raise ApplicationError(_("This user is already activated."), field="role")
    link_request = (
        LinkRequest.objects.select_for_update()
        .filter(user=membership.user, organization=membership.organization, state=LinkRequest.State.PENDING)
        .first()
    )
    membership = _activate(membership=membership, role=role, actor=activated_by, link_request=link_request)
    audit_record(action=AuditAction.MEMBERSHIP_ACTIVATE, actor=activated_by, target=membership, role=role.value)
    return membership


@unit_of_work
def membership_change_role(*, membership: Membership, role: str, changed_by: "User") -> Membership:
    _check_may_manage(changed_by, membership.organization)
    role = _check_assignable(role)
    membership = _reload_locked(membership)
    if membership.is_restricted:
        raise ApplicationError(_("Activate this user first."), field="role")
    if membership.role == role:
        return membership
    if role != Role.ADMIN:
        _ensure_another_admin_remains(membership)
    old_role = membership.role
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    audit_record(action=AuditAction.ROLE_CHANGE, actor=changed_by, target=membership,
                 old_role=old_role, new_role=role.value)
    return membership


@unit_of_work
def membership_deactivate(*, membership: Membership, deactivated_by: "User") -> Membership:
    """The user keeps the account but sees no ticket of the organization until reactivated."""
    _check_may_manage(deactivated_by, membership.organization)
    membership = _reload_locked(membership)
    if not membership.is_active:
        raise ApplicationError(_("This user is already inactive."))
    pending = LinkRequest.objects.filter(
        user=membership.user, organization=membership.organization, state=LinkRequest.State.PENDING
    )
    if pending.exists():
        raise ApplicationError(_("This user's request is waiting for approval: approve or reject it instead."))
    _ensure_another_admin_remains(membership)
    membership.is_active = False
    membership.save(update_fields=["is_active", "updated_at"])
    audit_record(action=AuditAction.MEMBERSHIP_DEACTIVATE, actor=deactivated_by, target=membership)
    signals.membership_deactivated.send(sender=Membership, membership=membership, user=membership.user)
    return membership


@unit_of_work
def membership_reactivate(*, membership: Membership, reactivated_by: "User") -> Membership:
    _check_may_manage(reactivated_by, membership.organization)
    membership = _reload_locked(membership)
    if membership.is_active:
        raise ApplicationError(_("This user is already active."))
    membership.is_active = True
    membership.save(update_fields=["is_active", "updated_at"])
    audit_record(action=AuditAction.MEMBERSHIP_REACTIVATE, actor=reactivated_by, target=membership)
    return membership


@unit_of_work
def organization_note_add(*, organization: Organization, author: "User", body: str) -> OrganizationNote:
    """An agent's note about a customer, for the other agents; only vendor staff write or read them."""
    if not author.is_staff:
        raise PermissionDenied
    body = check_length(body.strip(), field="body", limit=REASON_MAX_LENGTH)
    if not body:
        raise ValidationError({"body": _("Write the note first.")}, code="required")
    return OrganizationNote.objects.create(organization=organization, author=author, body=body)


@unit_of_work
def organization_two_factor_require(*, organization: Organization, required: bool, changed_by: "User") -> Organization:
    """The organization's admin (or vendor staff) requires two-factor authentication of every member, or not.

    Members without it are led to set it up at their next request (accounts' TwoFactorRequiredMiddleware).
    """
    _check_may_manage(changed_by, organization)
    if organization.require_two_factor != required:
        organization.require_two_factor = required
        organization.save(update_fields=["require_two_factor", "updated_at"])
        audit_record(
            action=AuditAction.ORGANIZATION_TWO_FACTOR, actor=changed_by, target=organization,
            organization=organization, required=required,
        )
    return organization


# --- the REST API's "upsert by customer code" (issue 16) -------------------------------------------------------

ORGANIZATION_FIELDS = ("name", "postal_code", "city", "country", "language")


@unit_of_work
def organization_upsert(
    *, customer_code: str, values: dict[str, str], changed_by: "User"
) -> tuple[Organization, bool]:
    """Create the organization with ``customer_code``, or change the fields ``values`` names; returns it and
    whether it was created. Only vendor staff may; a new organization needs a name and a postal code."""
    if not (changed_by.is_active and changed_by.is_staff):
        raise PermissionDenied
    customer_code = customer_code.strip()
    if not customer_code:
        raise ValidationError({"customer_code": _("This field is required.")})
    changes = {key: str(value).strip() for key, value in values.items() if key in ORGANIZATION_FIELDS}
    if "country" in changes:
        changes["country"] = changes["country"].upper()
    organization = Organization.objects.select_for_update().filter(customer_code=customer_code).first()
    created = organization is None
    if organization is None:
        organization = Organization(customer_code=customer_code)
    for key, value in changes.items():
        setattr(organization, key, value)
    organization.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            organization.save()
    except IntegrityError:  # created a moment ago by a concurrent request: one more try updates it
        raise ValidationError({"customer_code": _("This customer code was just created; send the request again.")})
    return organization, created
