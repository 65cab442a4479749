"""An agent's own signature under their replies to customers."""

from django.core.exceptions import PermissionDenied

from tessera.accounts.models import User
from tessera.core.limits import check_length
from tessera.core.operations import unit_of_work

from ..models import AgentSignature

SIGNATURE_MAX_LENGTH = 2000


@unit_of_work
def agent_signature_save(*, user: User, text: str) -> AgentSignature:
    if not user.is_staff:
        raise PermissionDenied
    text = check_length(text.strip(), field="text", limit=SIGNATURE_MAX_LENGTH)
    signature, _created = AgentSignature.objects.update_or_create(user=user, defaults={"text": text})
    return signature
