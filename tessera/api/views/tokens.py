"""Access tokens through the API: a caller lists and revokes its tokens, and a token renews itself.

New tokens are made on the account page only: a leaked token must not be able to mint others that outlive
its revocation. Rotation is the exception that keeps an integration running unattended: it replaces the
calling token by a new one of the same owner, name and scope, and the old one stops working at once.
"""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from tessera.tokens.models import AccessToken
from tessera.tokens.selectors import token_of_or_404, tokens_of
from tessera.tokens.services import token_revoke, token_rotate

from ..permissions import TokenScopePermission
from ..serializers import AccessTokenSerializer, IssuedTokenSerializer, TokenRotateSerializer

SIGNED_IN = [IsAuthenticated, TokenScopePermission]


def _calling_token(request) -> AccessToken:
    if not isinstance(request.auth, AccessToken):
        raise Http404  # a session has no token to show or rotate
    return request.auth


class TokenListView(APIView):
    permission_classes = SIGNED_IN

    @extend_schema(summary="Your access tokens (a vendor administrator's list has the service tokens too)",
                   responses=AccessTokenSerializer(many=True))
    def get(self, request):
        return Response(AccessTokenSerializer(tokens_of(request.user), many=True).data)


class TokenSelfView(APIView):
    permission_classes = SIGNED_IN

    @extend_schema(summary="The token of this request: its name, scope and expiry",
                   responses=AccessTokenSerializer)
    def get(self, request):
        return Response(AccessTokenSerializer(_calling_token(request)).data)


class TokenRotateView(APIView):
    permission_classes = SIGNED_IN

    @extend_schema(summary="Replace the token of this request by a new one (shown once); the old one stops at once",
                   request=TokenRotateSerializer, responses={201: IssuedTokenSerializer})
    def post(self, request):
        token = _calling_token(request)
        data = TokenRotateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issued = token_rotate(token=token, expires_at=data.validated_data["expires_at"])
        new = issued.token
        return Response(IssuedTokenSerializer({
            "id": new.pk, "name": new.name, "scope": new.scope, "expires_at": new.expires_at, "token": issued.raw,
        }).data, status=201)


class TokenDetailView(APIView):
    permission_classes = SIGNED_IN

    @extend_schema(summary="One of your access tokens", responses=AccessTokenSerializer)
    def get(self, request, pk: int):
        return Response(AccessTokenSerializer(token_of_or_404(request.user, pk=pk)).data)

    @extend_schema(summary="Revoke one of your access tokens: it stops working at once", responses={204: None})
    def delete(self, request, pk: int):
        token_revoke(token=token_of_or_404(request.user, pk=pk), revoked_by=request.user)
        return Response(status=204)
