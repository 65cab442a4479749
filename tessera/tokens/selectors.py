"""Reads of access tokens."""

from django.db.models import QuerySet
from django.http import Http404

from tessera.accounts.models import User

from .models import AccessToken, TokenKind


def tokens_of(user: User) -> QuerySet[AccessToken]:
    """The personal tokens of ``user``, and for a vendor administrator also every service token."""
    mine = AccessToken.objects.filter(user=user, kind=TokenKind.PERSONAL)
    if user.is_superuser:
        mine = mine | AccessToken.objects.filter(kind=TokenKind.SERVICE)
    return mine.select_related("user").order_by("-created_at", "-pk")


def token_of_or_404(user: User, *, pk: int) -> AccessToken:
    token = tokens_of(user).filter(pk=pk).first()
    if token is None:
        raise Http404
    return token
