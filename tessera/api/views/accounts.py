"""Accepting an invitation through the API (seed 000's invited registration, for an integrator's script)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from tessera.accounts.services import invitation_accept
from tessera.accounts.tokens import TokenInvalid
from tessera.core.operations import operation
from tessera.tokens.models import TokenScope
from tessera.tokens.services import personal_token_create

from ..serializers import InvitationAcceptedSerializer, InvitationAcceptSerializer


class InvitationAcceptView(APIView):
    """No credentials: the single-use, expiring link of the invitation e-mail is the proof."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(summary="Accept an invitation; optionally receive a personal access token (shown once)",
                   request=InvitationAcceptSerializer, responses={201: InvitationAcceptedSerializer}, auth=[])
    def post(self, request):
        data = InvitationAcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        token_name = values.pop("token_name").strip()
        with operation():  # the account and its first token, or neither
            try:
                user = invitation_accept(**values)
            except TokenInvalid:
                raise ValidationError({"token": [_(
                    "This invitation was used already, has expired or does not exist. Ask for a new one."
                )]})
            raw = None
            if token_name:
                raw = personal_token_create(user=user, name=token_name, scope=TokenScope.READ_WRITE,
                                            expires_at=None).raw
        return Response({"username": user.username, "access_token": raw}, status=201)
