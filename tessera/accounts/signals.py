"""An account locked after failed logins: its owner hears of it, with a way back in.
Logging in and out: the account page's list of sessions follows.
Failed and locked logins are counted for the metrics (/metrics), as django-axes and Django report them."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from tessera.core.client_ip import client_ip
from tessera.core.observability.metrics import LOGINS_FAILED, LOGINS_LOCKED
from tessera.organizations.signals import membership_deactivated

from . import services, sessions
from .middleware import mark_seen
from .models import User


@receiver(user_locked_out, dispatch_uid="tessera.accounts.unlock_link")
def send_unlock_link(sender, request, username, ip_address, **kwargs) -> None:
    # axes also sends this for each refused try while the lock lasts: the service sends one e-mail per lock.
    if username:
        services.account_unlock_link_send(login=username)


@receiver(user_login_failed, dispatch_uid="tessera.accounts.count_failed_login")
def count_failed_login(sender, credentials, request=None, **kwargs) -> None:
    LOGINS_FAILED.inc()


@receiver(user_locked_out, dispatch_uid="tessera.accounts.count_locked_login")
def count_locked_login(sender, request, username, ip_address, **kwargs) -> None:
    LOGINS_LOCKED.inc()


@receiver(user_logged_in, dispatch_uid="tessera.accounts.session_record")
def record_session(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    if not request.session.session_key:
        request.session.save()
    sessions.session_record(
        user=user, session_key=request.session.session_key, ip_address=client_ip(request) or None,
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )
    mark_seen(request)


@receiver(user_logged_out, dispatch_uid="tessera.accounts.session_forget")
def forget_session(sender, request, user, **kwargs) -> None:
    if request is not None and getattr(request, "session", None) is not None and request.session.session_key:
        sessions.forget_session(request.session.session_key)


@receiver(membership_deactivated, dispatch_uid="tessera.accounts.end_sessions_of_deactivated_member")
def end_sessions_of_deactivated_member(sender, user, **kwargs) -> None:
    sessions.sessions_end_all(user=user)


@receiver(post_save, sender=User, dispatch_uid="tessera.accounts.end_sessions_of_deactivated_user")
def end_sessions_of_deactivated_user(sender, instance: User, created: bool, **kwargs) -> None:
    if not created and not instance.is_active:
        sessions.sessions_end_all(user=instance)
