"""One-time form tokens: a form sent twice makes its ticket, comment or reply once (issue 14, finding 3).

Each rendering of a form carries a fresh token (``{% form_token %}``). The view
runs its service through ``submit_once``: the first submit with a token records
it, in the same transaction as what the service writes, and remembers where the
result can be seen; a repeat with that token — a double click, a reload, five
requests at once — writes nothing and is sent to that same page. Concurrent
repeats wait on the token's unique index until the first commits, then find it.
A submit that was refused (bad input) records nothing, so the same form can be
corrected and sent again.
"""

import re
import secrets
from collections.abc import Callable
from datetime import timedelta

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import FormSubmission

FIELD = "form_token"
_VALID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
#: Tokens older than this are forgotten (``forget_old_submissions``): nobody resubmits a form a day later.
KEEP = timedelta(days=1)


def new_token() -> str:
    return secrets.token_urlsafe(24)


class AlreadySubmitted(Exception):
    """This form was sent before: what it made is at ``url``."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


def submit_once(request: HttpRequest, action: Callable[[], str]) -> str:
    """Run ``action`` (which writes, and returns the URL of what it made) once per form token.

    Raises ``AlreadySubmitted`` for a repeat. A request without a (valid) token
    runs ``action`` as before: scripts and old pages still work.
    """
    token = request.POST.get(FIELD, "")
    if not _VALID.match(token) or not request.user.is_authenticated:
        return action()
    with transaction.atomic():
        try:
            with transaction.atomic():
                submission = FormSubmission.objects.create(token=token, user_id=request.user.pk)
        except IntegrityError:
            earlier = FormSubmission.objects.filter(token=token, user_id=request.user.pk).first()
            raise AlreadySubmitted(earlier.result_url if earlier else "") from None
        url = action()
        submission.result_url = url[:500]
        submission.save(update_fields=["result_url"])
    return url


def forget_old_submissions() -> int:
    deleted, _ = FormSubmission.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
    return deleted


def already_sent(request: HttpRequest, repeat: AlreadySubmitted, fallback: str) -> HttpResponseRedirect:
    """The answer to a repeated form: what the first submit made, and a word that nothing was sent twice."""
    messages.info(request, _("This form had already been sent; nothing was sent twice."))
    return HttpResponseRedirect(repeat.url or fallback)
