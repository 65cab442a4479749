"""Who a login through an OpenID provider is, and linking a provider's identity to a Tessera account.

The rules (docs/security.md, "Single sign-on"): an identity is found by provider and subject only; the e-mail
address counts only when the provider says it has verified it; a new address gets a new, unlinked account that
goes through seed 001's customer code and postal code like any other; an address that already has an account is
linked only once its owner has proved the account (its password, or a link sent to it by e-mail).
"""

from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tessera.accounts.models import User
from tessera.audit.models import AuditAction
from tessera.audit.services import audit_record
from tessera.core.errors import ApplicationError
from tessera.core.operations import unit_of_work
from tessera.notifications.emails import absolute_url, send_email_to_user

from .models import SsoIdentity
from .providers import Provider, provider_display_name, provider_get

LINK_SALT = "tessera.sso.link"
#: How long the e-mailed link that proves an account works.
LINK_MAX_AGE_SECONDS = 24 * 3600


class SsoRefused(ApplicationError):
    """The provider's answer does not let this person in; ``message`` says why, for them."""


@dataclass(frozen=True)
class ProviderIdentity:
    """What the provider told about the person, once the ID token has been verified."""

    provider: str
    subject: str
    email: str
    given_name: str = ""
    family_name: str = ""

    def as_session(self) -> dict[str, str]:
        return {
            "provider": self.provider, "subject": self.subject, "email": self.email,
            "given_name": self.given_name, "family_name": self.family_name,
        }


class LinkRequired(Exception):  # noqa: N818 (not an error: the next step of the login)
    """An account with the verified address exists but is not linked yet: its owner must prove it first."""

    def __init__(self, identity: ProviderIdentity, user: User) -> None:
        super().__init__(identity.email)
        self.identity = identity
        self.user = user


def identity_from_claims(provider: Provider, claims: dict[str, Any]) -> ProviderIdentity:
    """The person behind verified claims; SsoRefused unless the provider vouches for the e-mail address."""
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise SsoRefused(
            _("%(provider)s did not tell us your e-mail address, so we cannot log you in.")
            % {"provider": provider_display_name(provider)}
        )
    if claims.get("email_verified") is not True:
        raise SsoRefused(
            _(
                "%(provider)s has not confirmed your e-mail address %(email)s yet. Please confirm it there "
                "(look for their e-mail), then log in again."
            )
            % {"provider": provider_display_name(provider), "email": email}
        )
    return ProviderIdentity(
        provider=provider.name, subject=str(claims["sub"]), email=User.objects.normalize_email(email).lower(),
        given_name=str(claims.get("given_name") or "")[:150], family_name=str(claims.get("family_name") or "")[:150],
    )


def _check_audience(provider: Provider, user: User) -> None:
    if provider.for_staff and not user.is_staff:
        raise SsoRefused(_("This login is for the vendor's staff. Please use the customers' login."))
    if not provider.for_staff and user.is_staff:
        raise SsoRefused(_("Vendor staff log in with their company account or their password, not this login."))
    if not user.is_active:
        raise SsoRefused(_("This account is inactive."))


@unit_of_work
def sso_login_resolve(*, provider: Provider, identity: ProviderIdentity) -> User:
    """The user a provider's identity logs in as, or LinkRequired, or SsoRefused.

    A new e-mail address at a customers' provider makes a new account without any organization: the portal then
    asks for customer code and postal code, and the organization's administrator approves (seed 001).
    """
    linked = (
        SsoIdentity.objects.select_for_update().select_related("user")
        .filter(provider=provider.name, subject=identity.subject).first()
    )
    if linked is not None:
        _check_audience(provider, linked.user)
        linked.last_login_at = timezone.now()
        linked.save(update_fields=["last_login_at"])
        return linked.user
    existing = User.objects.filter(email__iexact=identity.email).first()
    if existing is not None:
        _check_audience(provider, existing)
        if SsoIdentity.objects.filter(user=existing, provider=provider.name).exists():
            # The account is linked to another identity at this provider: no second one through the address.
            raise SsoRefused(
                _("Your account is already linked to another %(provider)s account.")
                % {"provider": provider_display_name(provider)}
            )
        raise LinkRequired(identity, existing)
    if provider.for_staff:
        raise SsoRefused(
            _("There is no staff account for %(email)s. Please ask an administrator.") % {"email": identity.email}
        )
    user = User(
        email=identity.email, first_name=identity.given_name, last_name=identity.family_name,
        is_active=True, email_verified_at=timezone.now(),
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
            created = SsoIdentity.objects.create(
                user=user, provider=provider.name, subject=identity.subject, email=identity.email,
                last_login_at=timezone.now(),
            )
    except IntegrityError:  # the same first login twice at once: the other one made the account
        raise SsoRefused(_("Your account is being set up. Please log in again.")) from None
    audit_record(action=AuditAction.SSO_ACCOUNT_CREATE, actor=user, target=user, provider=provider.name)
    return created.user


@unit_of_work
def sso_identity_link(*, user: User, identity: ProviderIdentity, proof: str) -> SsoIdentity:
    """Link ``identity`` to ``user``, whose owner has proved the account (``proof``: "password" or "email")."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.email.lower() != identity.email.lower():
        raise SsoRefused(_("The e-mail address of this account has changed. Please log in again."))
    current = SsoIdentity.objects.filter(provider=identity.provider, subject=identity.subject).first()
    if current is not None:
        if current.user_id != user.pk:
            raise SsoRefused(_("This provider account is already linked to another account."))
        return current
    if SsoIdentity.objects.filter(user=user, provider=identity.provider).exists():
        raise SsoRefused(_("Your account is already linked to another account at this provider."))
    linked = SsoIdentity.objects.create(
        user=user, provider=identity.provider, subject=identity.subject, email=identity.email,
        last_login_at=timezone.now(),
    )
    audit_record(
        action=AuditAction.SSO_IDENTITY_LINK, actor=user, target=user, provider=identity.provider, proof=proof
    )
    provider = provider_get(identity.provider)
    label = provider_display_name(provider) if provider is not None else identity.provider
    send_email_to_user("sso_linked", user=user, context={"provider": label})
    return linked


@unit_of_work
def sso_identity_unlink(*, identity: SsoIdentity, actor: User) -> None:
    """Remove a provider login from its account (an administrator's act): the next login at that provider
    starts over, with the account's password or an e-mail link to link it again. The owner is told."""
    user = identity.user
    provider = identity.provider
    identity.delete()
    audit_record(action=AuditAction.SSO_IDENTITY_UNLINK, actor=actor, target=user, provider=provider)
    configured = provider_get(provider)
    label = provider_display_name(configured) if configured is not None else provider
    send_email_to_user("sso_unlinked", user=user, context={"provider": label})


def sso_link_token(identity: ProviderIdentity, user: User) -> str:
    return signing.dumps({"user": user.pk, **identity.as_session()}, salt=LINK_SALT, compress=True)


def sso_link_token_read(token: str) -> tuple[User, ProviderIdentity] | None:
    """The account and identity an e-mailed link names, or None once it is forged or too old."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE_SECONDS)
        user = User.objects.get(pk=data.pop("user"))
        return user, ProviderIdentity(**data)
    except (signing.BadSignature, User.DoesNotExist, TypeError, KeyError):
        return None


@unit_of_work
def sso_link_email_send(*, user: User, identity: ProviderIdentity, provider_label: str) -> None:
    """E-mail the account's owner a link that links ``identity``: it proves the mailbox of the account."""
    link = absolute_url(reverse("sso:link_confirm", args=[sso_link_token(identity, user)]))
    send_email_to_user("sso_link", user=user, context={"link": link, "provider": provider_label})
