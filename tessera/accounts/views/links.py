"""The page for an e-mailed link that no longer works, with the way to get a new one."""

from django.shortcuts import render

from ..forms import EmailForm
from ..models import AccountToken, TokenPurpose


def invalid_link_response(request, token: AccountToken | None, purpose: TokenPurpose):
    state = token.state if token is not None else None
    context = {
        "state": state,
        "purpose": purpose,
        "renew_form": EmailForm() if purpose == TokenPurpose.INVITATION else None,
    }
    # 404 for a link we never sent; 410 Gone for one that worked once.
    return render(request, "accounts/link_invalid.html", context, status=404 if state is None else 410)


def link_still_valid(token: AccountToken) -> bool:
    """After a wrong answer: does the link still work, or was that the last try?"""
    token.refresh_from_db(fields=["used_at", "revoked_at"])
    return token.is_valid
