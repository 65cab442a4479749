"""Every write to accounts: invitation, self-registration, password and security question, profile.

Each service is a unit of work (``tessera.core.operations``). Those that count
a wrong answer on a link's page (``registration_confirm``,
``password_reset_complete``) are not decorated as a whole: the count must be
kept although the call then fails, so the failure is raised after the unit of
work that stored it has ended.
"""

import zoneinfo
from datetime import timedelta

from axes.utils import reset as reset_login_attempts
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tessera.audit.models import AuditAction
from tessera.audit.services import audit_record
from tessera.core.operations import operation, unit_of_work
from tessera.notifications.emails import absolute_url, send_email_to_user
from tessera.organizations.models import Membership, Organization, Role

from .models import AccountEmail, SecurityQuestion, TokenPurpose, User
from .throttling import account_email_allowed, account_email_check, account_email_record
from .tokens import token_claim, token_issue, token_record_failure, token_revoke_all, token_use


def normalize_email(email: str) -> str:
    return User.objects.normalize_email(email.strip()).lower()


def _send(name: str, *, user: User, **context: object) -> None:
    send_email_to_user(f"account_{name}", user=user, context=context)


def _check_password(password: str, *, user: User, field: str = "password") -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({field: error.error_list}) from None


def _tries_left_message(left: int) -> str:
    if left == 0:
        return _("Too many wrong answers: this link no longer works. Please ask for a new one.")
    return ngettext("%(left)d try left.", "%(left)d tries left.", left) % {"left": left}


def invitation_is_pending(user: User) -> bool:
    """Invited by the vendor, activation link not used yet."""
    if user.is_active or user.has_usable_password():
        return False
    tokens = user.account_tokens.filter(purpose=TokenPurpose.INVITATION)
    return tokens.exists() and not tokens.filter(used_at__isnull=False).exists()


def contact_is_uninvited(user: User) -> bool:
    """Created by the vendor (say, by an import) but not invited yet: no link was ever sent, never activated."""
    return not user.is_active and not user.has_usable_password() and not user.account_tokens.exists()


def registration_is_pending(user: User) -> bool:
    """Registered by themselves, e-mail address not confirmed yet."""
    return (
        not user.is_active
        and user.email_verified_at is None
        and user.account_tokens.filter(purpose=TokenPurpose.EMAIL_CONFIRMATION).exists()
    )


# Invitation (seed 000): the vendor creates the contact, the contact chooses user name and password.


def _send_invitation(user: User, *, organization: Organization) -> None:
    days = settings.TESSERA_INVITATION_VALID_DAYS
    raw = token_issue(user=user, purpose=TokenPurpose.INVITATION, valid_for=timedelta(days=days))
    _send(
        "invitation", user=user, organization=organization, valid_days=days,
        link=absolute_url(reverse("accounts:invitation_accept", args=[raw])),
    )
    account_email_record(user=user, kind=AccountEmail.Kind.INVITATION)


@unit_of_work
def contact_invite(
    *, organization: Organization, email: str, first_name: str, last_name: str, invited_by: User
) -> User:
    """Create a contact of ``organization`` and send the activation e-mail.

    Inviting again an address whose invitation to the same organization is
    still pending sends a new link (the old one stops working); a contact the
    vendor created without inviting it (an import) is invited with its role.
    """
    if not (invited_by.is_active and invited_by.is_staff):
        raise PermissionDenied
    email = normalize_email(email)
    existing = User.objects.select_related("membership").filter(email__iexact=email).first()
    if existing is not None:
        membership = getattr(existing, "membership", None)
        pending = invitation_is_pending(existing) or contact_is_uninvited(existing)
        if pending and membership and membership.organization_id == organization.pk:
            existing.first_name, existing.last_name = first_name, last_name
            existing.save(update_fields=["first_name", "last_name"])
            _send_invitation(existing, organization=organization)
            audit_record(action=AuditAction.INVITATION, actor=invited_by, target=existing, organization=organization)
            return existing
        raise ValidationError({"email": _("A user with this e-mail address is already registered.")})
    user = User(
        email=email, first_name=first_name.strip(), last_name=last_name.strip(),
        language=organization.language, is_active=False,
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # registered a moment ago by someone else
        raise ValidationError({"email": _("A user with this e-mail address is already registered.")})
    Membership.objects.create(user=user, organization=organization, role=Role.BASIC, is_active=False)
    _send_invitation(user, organization=organization)
    audit_record(action=AuditAction.INVITATION, actor=invited_by, target=user, organization=organization)
    return user


@unit_of_work
def invitation_renew(*, email: str) -> None:
    """Send a new activation link if ``email`` has a pending invitation; silently nothing otherwise."""
    user = User.objects.select_related("membership__organization").filter(email__iexact=normalize_email(email)).first()
    membership = getattr(user, "membership", None) if user else None
    if user is None or membership is None or not invitation_is_pending(user):
        return
    if account_email_allowed(user=user, kind=AccountEmail.Kind.INVITATION):
        _send_invitation(user, organization=membership.organization)


@unit_of_work
def invitation_accept(
    *, token: str, username: str, password: str, security_question: str, security_answer: str
) -> User:
    """Complete an invitation: the contact becomes an active member and may log in."""
    claimed = token_claim(token, purpose=TokenPurpose.INVITATION)
    user = claimed.user
    # NFKC, as Django's own user forms do: a fullwidth "ｒｏｓｓｉ" is the "rossi" it looks like.
    username = User.normalize_username(username.strip())
    if User.objects.filter(username__iexact=username).exclude(pk=user.pk).exists() or (
        User.objects.filter(email__iexact=username).exclude(pk=user.pk).exists()
    ):
        raise ValidationError({"username": _("This user name is taken. Please choose another one.")})
    if security_question not in SecurityQuestion.values:
        raise ValidationError({"security_question": _("Please choose a security question.")})
    if not security_answer.strip():
        raise ValidationError({"security_answer": _("Please enter the answer to your security question.")})
    user.username = username
    _check_password(password, user=user)
    user.set_password(password)
    user.security_question = security_question
    user.set_security_answer(security_answer)
    user.is_active = True
    user.email_verified_at = timezone.now()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise ValidationError({"username": _("This user name is taken. Please choose another one.")})
    Membership.objects.filter(user=user).update(is_active=True, updated_at=timezone.now())
    token_use(claimed)
    audit_record(action=AuditAction.INVITATION_ACCEPT, actor=user, target=user, username=username)
    return user


# Self-registration (seed 001): e-mail and password, a confirmation link, then login.


def _send_registration_confirmation(user: User) -> None:
    days = settings.TESSERA_REGISTRATION_CONFIRM_VALID_DAYS
    raw = token_issue(user=user, purpose=TokenPurpose.EMAIL_CONFIRMATION, valid_for=timedelta(days=days))
    _send(
        "registration_confirm", user=user, valid_days=days,
        link=absolute_url(reverse("accounts:register_confirm", args=[raw])),
    )
    account_email_record(user=user, kind=AccountEmail.Kind.REGISTRATION)


def _send_registration_notice(user: User) -> None:
    """Someone tried to register an address that has an account: tell its owner, nobody else."""
    _send(
        "registration_exists", user=user,
        invitation_pending=invitation_is_pending(user),
        login_link=absolute_url(reverse("accounts:login")),
        reset_link=absolute_url(reverse("accounts:password_reset")),
        renew_link=absolute_url(reverse("accounts:invitation_renew")),
    )
    account_email_record(user=user, kind=AccountEmail.Kind.REGISTRATION)


@unit_of_work
def user_register(
    *, email: str, password: str, consent: bool, language: str, first_name: str = "", last_name: str = "",
) -> None:
    """Register ``email``, or tell its owner by e-mail if it already has an account.

    Returns nothing, so that no caller can tell the two cases apart. Registering
    again an address not confirmed yet replaces its password and sends a new link.
    """
    if not consent:
        raise ValidationError({"consent": _("Please accept the terms of use and the privacy policy.")})
    email = normalize_email(email)
    first_name, last_name = first_name.strip(), last_name.strip()
    _check_password(password, user=User(email=email, first_name=first_name, last_name=last_name))
    now = timezone.now()
    existing = User.objects.select_for_update().filter(email__iexact=email).first()
    if existing is None:
        user = User(
            email=email, first_name=first_name, last_name=last_name,
            is_active=False, terms_accepted_at=now, language=language,
        )
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # the same address registered a moment ago: that one wins
            return
        _send_registration_confirmation(user)
        return
    may_send = account_email_allowed(user=existing, kind=AccountEmail.Kind.REGISTRATION)
    if registration_is_pending(existing):
        # The latest registration wins, even when no new e-mail may go out yet: the link sent before
        # then activates with the password typed last.
        existing.set_password(password)
        existing.terms_accepted_at, existing.language = now, language
        existing.first_name, existing.last_name = first_name, last_name
        existing.save(update_fields=["password", "terms_accepted_at", "language", "first_name", "last_name"])
        if may_send:
            _send_registration_confirmation(existing)
    else:
        User().set_password(password)  # as long as for a new address: timing tells nothing
        if may_send:
            _send_registration_notice(existing)


@unit_of_work
def registration_email_resend(*, email: str) -> None:
    """"Send the e-mail again": EmailRateLimited when asked too soon or too often.

    The same rules and answers hold for an address that already had an
    account, whose owner gets the notice again instead of a link.
    """
    user = User.objects.select_for_update().filter(email__iexact=normalize_email(email)).first()
    if user is None:
        return
    account_email_check(user=user, kind=AccountEmail.Kind.REGISTRATION)
    if registration_is_pending(user):
        _send_registration_confirmation(user)
    else:
        _send_registration_notice(user)


def registration_confirm(*, token: str, password: str) -> User:
    """Activate a self-registered account: the link, and the password chosen at registration."""
    with operation():
        claimed = token_claim(token, purpose=TokenPurpose.EMAIL_CONFIRMATION)
        user = claimed.user
        if user.check_password(password):
            user.is_active = True
            user.email_verified_at = timezone.now()
            user.save(update_fields=["is_active", "email_verified_at"])
            token_use(claimed)
            audit_record(action=AuditAction.REGISTRATION_CONFIRM, actor=user, target=user)
            return user
        left = token_record_failure(claimed)
    message = _("This is not the password you chose when you registered.")
    raise ValidationError({"password": f"{message} {_tries_left_message(left)}"})


# Password and security question.


def _reset_login_failures(user: User) -> None:
    # Failures are counted against the account's e-mail address (login_throttle.login_identity).
    for login in filter(None, {user.email, user.email.lower(), user.username}):
        reset_login_attempts(username=login)


def _send_password_changed(user: User) -> None:
    _send("password_changed", user=user, reset_link=absolute_url(reverse("accounts:password_reset")))


@unit_of_work
def password_change(*, user: User, old_password: str, new_password: str) -> None:
    """Change a signed-in user's password; every session of theirs ends but the caller's (see the view)."""
    if not user.check_password(old_password):
        raise ValidationError({"old_password": _("Your old password is not correct.")})
    if new_password == old_password:
        raise ValidationError({"new_password": _("The new password must differ from the old one.")})
    _check_password(new_password, user=user, field="new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    token_revoke_all(user=user, purpose=TokenPurpose.PASSWORD_RESET)
    _send_password_changed(user)
    audit_record(action=AuditAction.PASSWORD_CHANGE, actor=user, target=user)


@unit_of_work
def security_question_set(*, user: User, security_question: str, security_answer: str, current_password: str) -> None:
    """The answer resets the password (password reset): only whoever knows the password may change it."""
    if not user.check_password(current_password):
        raise ValidationError({"current_password": _("Your password is not correct.")})
    if security_question not in SecurityQuestion.values:
        raise ValidationError({"security_question": _("Please choose a security question.")})
    if not security_answer.strip():
        raise ValidationError({"security_answer": _("Please enter the answer to your security question.")})
    user.security_question = security_question
    user.set_security_answer(security_answer)
    user.save(update_fields=["security_question", "security_answer_hash"])
    audit_record(action=AuditAction.SECURITY_QUESTION_CHANGE, actor=user, target=user)
    _send("security_question_changed", user=user, reset_link=absolute_url(reverse("accounts:password_reset")))


@unit_of_work
def profile_update(
    *, user: User, first_name: str, last_name: str, language: str, notify_ticket_updates: bool | None = None,
    time_zone: str | None = None,
) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Please choose one of the languages offered.")})
    user.first_name, user.last_name, user.language = first_name.strip(), last_name.strip(), language
    fields = ["first_name", "last_name", "language"]
    if time_zone is not None:
        if time_zone and time_zone not in zoneinfo.available_timezones():
            raise ValidationError({"time_zone": _("Please choose one of the time zones offered.")})
        user.time_zone = time_zone
        fields.append("time_zone")
    if notify_ticket_updates is not None:
        user.notify_ticket_updates = notify_ticket_updates
        fields.append("notify_ticket_updates")
    user.save(update_fields=fields)


@unit_of_work
def password_reset_request(*, email: str) -> None:
    """Send a reset link to ``email`` if an active account has it; silently nothing otherwise."""
    user = User.objects.select_for_update().filter(email__iexact=normalize_email(email), is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    if not account_email_allowed(user=user, kind=AccountEmail.Kind.PASSWORD_RESET):
        return
    hours = settings.TESSERA_PASSWORD_RESET_VALID_HOURS
    raw = token_issue(user=user, purpose=TokenPurpose.PASSWORD_RESET, valid_for=timedelta(hours=hours))
    _send(
        "password_reset", user=user, valid_hours=hours,
        link=absolute_url(reverse("accounts:password_reset_confirm", args=[raw])),
    )
    account_email_record(user=user, kind=AccountEmail.Kind.PASSWORD_RESET)


@unit_of_work
def account_unlock_link_send(*, login: str) -> None:
    """An account was just locked after failed logins: send its owner a link that lifts the lock.

    ``login`` is what axes counted the failures against (an e-mail address, see
    login_throttle.login_identity). Nothing is sent for a name that is no account,
    for an account that cannot log in anyway, or more often than account e-mails may go.
    """
    user = User.objects.filter(email__iexact=login, is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    minutes = max(round(settings.AXES_COOLOFF_TIME * 60), 1)
    now = timezone.now()
    # axes tells of the lock again at every refused try while it lasts: one e-mail per lock.
    link_sent_for_this_lock = user.account_tokens.filter(
        purpose=TokenPurpose.UNLOCK, used_at__isnull=True, revoked_at__isnull=True,
        created_at__gte=now - timedelta(minutes=minutes),
    ).exists()
    if link_sent_for_this_lock or not account_email_allowed(user=user, kind=AccountEmail.Kind.UNLOCK):
        return
    raw = token_issue(user=user, purpose=TokenPurpose.UNLOCK, valid_for=timedelta(hours=24))
    _send(
        "unlock", user=user, cooloff_minutes=minutes,
        link=absolute_url(reverse("accounts:unlock", args=[raw])),
        reset_link=absolute_url(reverse("accounts:password_reset")),
    )
    account_email_record(user=user, kind=AccountEmail.Kind.UNLOCK)


@unit_of_work
def account_unlock(*, token: str) -> User:
    """The link of the unlock e-mail: the failed logins of its account no longer count."""
    claimed = token_claim(token, purpose=TokenPurpose.UNLOCK)
    token_use(claimed)
    _reset_login_failures(claimed.user)
    return claimed.user


def password_reset_complete(*, token: str, security_answer: str, password: str) -> User:
    """Set a new password through a reset link; the security answer too where the user has a question."""
    with operation():
        claimed = token_claim(token, purpose=TokenPurpose.PASSWORD_RESET)
        user = claimed.user
        answer_ok = not user.security_question or user.check_security_answer(security_answer)
        if answer_ok:
            _check_password(password, user=user)
            user.set_password(password)
            user.save(update_fields=["password"])
            token_use(claimed)
            token_revoke_all(user=user, purpose=TokenPurpose.PASSWORD_RESET)
            _reset_login_failures(user)
            _send_password_changed(user)
            audit_record(action=AuditAction.PASSWORD_RESET, actor=user, target=user)
            return user
        left = token_record_failure(claimed)
    message = _("The answer is not correct.")
    raise ValidationError({"security_answer": f"{message} {_tries_left_message(left)}"})
