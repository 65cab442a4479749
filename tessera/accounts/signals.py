"""An account locked after failed logins: its owner hears of it, with a way back in."""

from axes.signals import user_locked_out
from django.dispatch import receiver

from . import services


@receiver(user_locked_out, dispatch_uid="tessera.accounts.unlock_link")
def send_unlock_link(sender, request, username, ip_address, **kwargs) -> None:
    # axes also sends this for each refused try while the lock lasts: the service sends one e-mail per lock.
    if username:
        services.account_unlock_link_send(login=username)
