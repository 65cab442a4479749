"""Who may be put in CC, so that the support address cannot be used to mail strangers (issue 14, finding 2).

The decision (docs/security.md, "CC"): colleagues with an account are chosen by
name; a plain e-mail address is accepted only at one of the organization's own
domains, the domains of its active members' addresses, public mail providers
(``TESSERA_PUBLIC_MAIL_DOMAINS``) excepted. A practice can copy its own
colleagues and its IT contractor's shared mailbox at the practice's domain, but
no outsider's inbox receives text a customer chose. Support staff may copy
any address. At most
``TESSERA_CC_MAX_PER_TICKET`` addresses per ticket.
"""

from collections.abc import Collection, Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tessera.accounts.models import User
from tessera.organizations.models import Membership, Organization


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip().lower()


def organization_domains(organization: Organization) -> set[str]:
    """The organization's own mail domains: those of its active members, public providers excepted."""
    public = {domain.strip().lower() for domain in settings.TESSERA_PUBLIC_MAIL_DOMAINS}
    addresses = Membership.objects.filter(organization=organization, is_active=True, user__is_active=True)
    domains = {domain_of(email) for email in addresses.values_list("user__email", flat=True)}
    return {domain for domain in domains if domain and domain not in public}


def check_cc(
    organization: Organization, entries: Mapping[str, User | None], existing: Collection[str] = (), *,
    by_staff: bool = False,
) -> None:
    """Refuse CC entries over the limit, or (from a customer) plain addresses outside the organization's domains.

    Support staff may copy any address: they answer for what the support address sends.
    """
    limit = settings.TESSERA_CC_MAX_PER_TICKET
    if len(set(existing) | set(entries)) > limit:
        raise ValidationError({"cc_emails": ngettext(
            "At most %(limit)d person can be in CC of one ticket.",
            "At most %(limit)d people can be in CC of one ticket.", limit,
        ) % {"limit": limit}})
    plain = [email for email, user in entries.items() if user is None and email not in existing]
    if not plain or by_staff:
        return
    domains = organization_domains(organization)
    refused = [email for email in plain if domain_of(email) not in domains]
    if refused:
        if domains:
            allowed = ", ".join(f"@{domain}" for domain in sorted(domains))
            message = _("%(emails)s: only addresses of your organization (%(domains)s) can be added to CC."
                        " Colleagues with an account can be chosen by name.") % {
                "emails": ", ".join(refused), "domains": allowed}
        else:
            message = _("%(emails)s: your organization has no e-mail domain of its own, so only colleagues with an"
                        " account can be added to CC.") % {"emails": ", ".join(refused)}
        raise ValidationError({"cc_emails": message})
