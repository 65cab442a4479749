import re

import pytest

from tessera.accounts.models import AccountEmail, AccountToken
from tests.html import parse, without_csrf_tokens

LINK = re.compile(r"https?://[^\s\"'<>]+/accounts/[^\s\"'<>]+/")


def link_in(message, path_part: str) -> str:
    """The absolute link in an e-mail's text whose path contains ``path_part``, as a path for the test client."""
    for url in LINK.findall(message.body):
        if path_part in url:
            assert url in message.alternatives[0][0], "the HTML part carries the same link"
            return "/" + url.split("/", 3)[3]
    raise AssertionError(f"no link with {path_part!r} in {message.body!r}")


def expire_links(user) -> None:
    from datetime import timedelta

    from django.utils import timezone

    AccountToken.objects.filter(user=user).update(expires_at=timezone.now() - timedelta(seconds=1))


def age_account_emails(user, *, seconds: int) -> None:
    """Pretend the account e-mails sent to ``user`` so far left ``seconds`` ago."""
    from datetime import timedelta

    from django.db.models import F

    AccountEmail.objects.filter(user=user).update(created_at=F("created_at") - timedelta(seconds=seconds))


@pytest.fixture
def html_lang():
    def _lang(message) -> str:
        found = parse(message.alternatives[0][0]).find_all("html")
        return found[0].get("lang") or "" if found else ""

    return _lang


def page_text(response) -> str:
    """The page without its CSRF tokens, to compare two pages for equality."""
    return without_csrf_tokens(response)
