"""Rate limits on account e-mails, so nobody can flood a mailbox through our forms.

Each account e-mail sent leaves an ``AccountEmail`` row; an account gets at
most one e-mail of a kind every ``TESSERA_ACCOUNT_EMAIL_INTERVAL_SECONDS`` and
``TESSERA_ACCOUNT_EMAILS_PER_DAY`` a day.
"""

import math
from datetime import timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tessera.core.errors import ApplicationError

from .models import AccountEmail


class EmailRateLimited(ApplicationError):
    pass


def account_email_check(*, user, kind: AccountEmail.Kind) -> None:
    """Raise EmailRateLimited, with a message saying how long to wait, when ``user`` had enough e-mails."""
    now = timezone.now()
    recent = AccountEmail.objects.filter(user=user, kind=kind, created_at__gte=now - timedelta(days=1))
    last = recent.aggregate(last=Max("created_at"))["last"]
    if last is None:
        return
    interval = timedelta(seconds=settings.TESSERA_ACCOUNT_EMAIL_INTERVAL_SECONDS)
    if now - last < interval:
        seconds = max(math.ceil((last + interval - now).total_seconds()), 1)
        raise EmailRateLimited(
            ngettext(
                "The e-mail was sent a moment ago. Please wait %(seconds)d second before asking again.",
                "The e-mail was sent a moment ago. Please wait %(seconds)d seconds before asking again.",
                seconds,
            )
            % {"seconds": seconds}
        )
    limit = settings.TESSERA_ACCOUNT_EMAILS_PER_DAY
    if recent.count() >= limit:
        raise EmailRateLimited(
            _(
                "The e-mail has been sent %(count)d times in the last 24 hours, which is the most we send. "
                "Please check your spam folder, try again tomorrow or contact our support."
            )
            % {"count": limit}
        )


def account_email_record(*, user, kind: AccountEmail.Kind) -> None:
    # Rows older than a day count for nothing: drop this account's while we are here.
    AccountEmail.objects.filter(user=user, kind=kind, created_at__lt=timezone.now() - timedelta(days=1)).delete()
    AccountEmail.objects.create(user=user, kind=kind)


def account_email_allowed(*, user, kind: AccountEmail.Kind) -> bool:
    try:
        account_email_check(user=user, kind=kind)
    except EmailRateLimited:
        return False
    return True
