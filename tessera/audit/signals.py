"""Logins, failed logins and logouts, from django.contrib.auth's signals."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import AuditAction
from .services import audit_record_for_request

MAX_USERNAME = 254


@receiver(user_logged_in, dispatch_uid="tessera.audit.login")
def record_login(sender, request, user, **kwargs) -> None:
    audit_record_for_request(request=request, action=AuditAction.LOGIN, actor=user, target=user)


@receiver(user_login_failed, dispatch_uid="tessera.audit.login_failed")
def record_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Only the name that was tried: never the password, not even Django's masked copy of it.
    username = str(credentials.get("username") or credentials.get("email") or "")[:MAX_USERNAME]
    audit_record_for_request(
        request=request, action=AuditAction.LOGIN_FAILED, username=username,
        locked_out=bool(getattr(request, "axes_locked_out", False)),
    )


@receiver(user_logged_out, dispatch_uid="tessera.audit.logout")
def record_logout(sender, request, user, **kwargs) -> None:
    if user is None:  # logging out without being logged in: nothing happened
        return
    audit_record_for_request(request=request, action=AuditAction.LOGOUT, actor=user, target=user)
