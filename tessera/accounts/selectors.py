from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext as _

from .models import LegalDocument, TokenPurpose, User

if TYPE_CHECKING:
    from tessera.organizations.models import Organization


@dataclass(frozen=True)
class LegalText:
    title: str
    body: str
    updated_at: datetime | None = None


def _default_text(kind: str) -> LegalText:
    if kind == LegalDocument.Kind.TERMS:
        return LegalText(
            title=_("Terms of use"),
            body=_(
                "This portal lets the staff of our customers report problems with our software and follow "
                "their handling.\n\n"
                "Your account is personal: do not share your password, and tell us at once if you think "
                "someone else has used it.\n\n"
                "Do not upload patient data or other personal health information in tickets, comments or "
                "attachments unless our support asks for it through a channel agreed for that purpose.\n\n"
                "We may suspend accounts that are misused. The vendor may change these terms; the version "
                "shown here is the one in force."
            ),
        )
    return LegalText(
        title=_("Privacy policy"),
        body=_(
            "We process your name, e-mail address, language and the content of your tickets to provide "
            "customer support under our contract with your organization.\n\n"
            "Your password and the answer to your security question are stored only in a form that cannot "
            "be read back. We send you e-mail about your account and your tickets.\n\n"
            "Your data is kept for as long as your organization is our customer and the law requires. You "
            "may ask us for access, correction or deletion of your personal data at any time through our "
            "customer support."
        ),
    )


def legal_text(kind: str, language: str) -> LegalText:
    """The vendor's text of ``kind`` in ``language``, else in the default language, else the built-in one."""
    documents = {
        doc.language: doc
        for doc in LegalDocument.objects.filter(kind=kind, language__in={language, settings.LANGUAGE_CODE})
    }
    document = documents.get(language) or documents.get(settings.LANGUAGE_CODE)
    if document is None:
        return _default_text(kind)
    return LegalText(title=document.title, body=document.body, updated_at=document.updated_at)


def invitations_pending(organization: "Organization") -> QuerySet[User]:
    """Contacts of ``organization`` invited by the vendor who have not activated their account yet."""
    return (
        User.objects.filter(
            membership__organization=organization, is_active=False, account_tokens__purpose=TokenPurpose.INVITATION
        )
        .annotate(
            link_expires_at=Max("account_tokens__expires_at"),
            links_used=Count("account_tokens", filter=Q(account_tokens__used_at__isnull=False)),
        )
        .filter(links_used=0)
        .order_by("email")
    )
