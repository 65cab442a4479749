"""Our own addresses, and mail written by machines (RFC 3834): neither is ever answered."""

from collections.abc import Callable
from email.utils import parseaddr

from django.conf import settings

from .message import InboundMail


def address_of(value: str) -> str:
    return parseaddr(value)[1].lower()


def support_address() -> str:
    return address_of(settings.TESSERA_SUPPORT_ADDRESS)


def is_reply_style(address: str) -> bool:
    """A plus-address of the reply address, whether or not its token is genuine."""
    local, _sep, domain = address.lower().partition("@")
    base, _sep, domain_expected = address_of(settings.TESSERA_REPLY_ADDRESS).partition("@")
    return domain == domain_expected and local.startswith(base + "+")


def is_inbound_address(address: str) -> bool:
    """Whether mail to ``address`` is ours to read: the support address or any reply address."""
    address = address_of(address) or address.strip().lower()
    return address in {support_address(), address_of(settings.TESSERA_REPLY_ADDRESS)} or is_reply_style(address)


def _is_our_own(address: str, is_own_address: Callable[[str], bool]) -> bool:
    ours = {
        support_address(),
        address_of(settings.TESSERA_REPLY_ADDRESS),
        address_of(settings.DEFAULT_FROM_EMAIL),
        address_of(settings.SERVER_EMAIL),
    }
    if address in ours or is_reply_style(address):
        return True
    return is_own_address(address)  # the handler's addresses, e.g. a service team's


# Loops and automatic mail (RFC 3834) -------------------------------------------------------------

_BULK_PRECEDENCE = {"bulk", "junk", "list"}
_ROBOT_LOCAL_PARTS = {"mailer-daemon", "postmaster"}


def automatic_reason(mail: InboundMail, *, is_own_address: Callable[[str], bool] = lambda address: False) -> str:
    """Why the mail was sent by a machine and must get no answer; "" for mail written by a person.

    ``is_own_address`` names the addresses of ours this app does not know of (those the handler sends from).
    """
    message = mail.message
    auto_submitted = mail.header("Auto-Submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return "auto-submitted"
    if mail.has_header("X-Autoreply") or mail.has_header("X-Autorespond"):
        return "auto-reply"
    if mail.header("Precedence").strip().lower() in _BULK_PRECEDENCE:
        return "bulk precedence"
    if mail.has_header("List-Id"):
        return "mailing list"
    if message.get_content_type() == "multipart/report":
        return "delivery report"
    return_path = mail.header("Return-Path")
    if return_path and address_of(return_path) == "" and "<>" in return_path.replace(" ", ""):
        return "null sender"
    if not mail.sender:
        return "no single sender"
    if mail.sender.partition("@")[0] in _ROBOT_LOCAL_PARTS or address_of(return_path).partition("@")[0] in (
        _ROBOT_LOCAL_PARTS
    ):
        return "mailer daemon"
    if _is_our_own(mail.sender, is_own_address):
        return "our own address"
    return ""
