"""Invitations of an import made in the desk, sent by the task worker rather than in the request."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django_tasks import task

from tessera.accounts.models import User
from tessera.accounts.services import contact_invite, contact_is_uninvited

logger = logging.getLogger(__name__)


@task()
def import_invitations_send(*, emails: list[str], invited_by_id: int) -> int:
    """Invite those of ``emails`` who are contacts not invited yet; return how many were invited.

    Each invitation is its own unit of work (``accounts.services.contact_invite``), its e-mail queued
    in turn. A contact invited or activated meanwhile is skipped, so running this twice invites
    nobody twice.
    """
    inviter = User.objects.filter(pk=invited_by_id, is_active=True, is_staff=True).first()
    if inviter is None:
        logger.warning("import invitations not sent: user %s may no longer invite", invited_by_id)
        return 0
    invited = 0
    for user in User.objects.filter(email__in=emails).select_related("membership__organization"):
        membership = getattr(user, "membership", None)
        if membership is None or not contact_is_uninvited(user):
            continue
        try:
            contact_invite(organization=membership.organization, email=user.email, first_name=user.first_name,
                           last_name=user.last_name, invited_by=inviter)
        except (ValidationError, PermissionDenied) as error:
            logger.warning("import invitation to user %s not sent: %s", user.pk, error)
        else:
            invited += 1
    return invited
