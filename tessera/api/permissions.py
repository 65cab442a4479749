"""Who may call what: the token's scope, and which kind of user an endpoint is for.

Which rows a user sees is not decided here but by the domain's policies and selectors (tickets.policies).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from tessera.tokens.models import AccessToken


class TokenScopePermission(BasePermission):
    """Signed in (session or token); a read-only token may only read."""

    message = _("This token may only read: create a read and write token to change anything.")

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        token = request.auth
        if isinstance(token, AccessToken) and request.method not in SAFE_METHODS:
            return token.may_write
        return True


class IsAgent(BasePermission):
    message = _("Only support staff can do this.")

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class IsVendorAdmin(BasePermission):
    message = _("Only vendor administrators can do this.")

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_superuser)
