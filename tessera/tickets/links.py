"""The addresses e-mails give for tickets: built here and only here.

Domain code must not reverse the interfaces' URL names (``portal:…``,
``desk:…``): the interfaces sit above the domain. The paths below are the
contract instead: the portal's and the desk's ``urls.py`` keep serving them,
and ``tests/tickets/test_links.py`` checks that they still equal what
``reverse("portal:…")`` and ``reverse("desk:…")`` give.

Every link is absolute (``settings.SITE_URL``): it is read in a mail program.
"""

from urllib.parse import urlencode, urljoin

from django.conf import settings
from django.urls import Resolver404, resolve, reverse

from .models import Ticket

#: The customer's page of a ticket (``portal:ticket_detail``).
PORTAL_TICKET_PATH = "/tickets/{number}/"
#: The customer's form for a new ticket (``portal:ticket_create``).
PORTAL_TICKET_CREATE_PATH = "/tickets/new/"
#: The ticket in the agents' workspace (``desk:ticket``).
DESK_TICKET_PATH = "/desk/tickets/{number}/"
#: The administration's page of a ticket, where a site has no desk (``admin:tickets_ticket_change``).
ADMIN_TICKET_PATH = "/admin/tickets/ticket/{pk}/change/"


def absolute(path: str) -> str:
    return urljoin(settings.SITE_URL, path)


def _serves(path: str) -> bool:
    """Whether the site's URLconf has a page at ``path`` (a site may be set up without the desk)."""
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def ticket_url(ticket: Ticket, *, for_staff: bool) -> str:
    """The ticket's page for its reader: the desk's workspace for staff (the administration's page where the
    site has no desk), the portal's page for customers."""
    if not for_staff:
        return absolute(PORTAL_TICKET_PATH.format(number=ticket.number))
    desk = DESK_TICKET_PATH.format(number=ticket.number)
    if _serves(desk):
        return absolute(desk)
    return absolute(ADMIN_TICKET_PATH.format(pk=ticket.pk))


def ticket_create_url(*, follow_up_of: Ticket | None = None) -> str:
    """The portal's form for a new ticket; with ``follow_up_of``, for a follow-up of that (closed) ticket."""
    url = absolute(PORTAL_TICKET_CREATE_PATH)
    if follow_up_of is not None:
        url += "?" + urlencode({"follow_up": follow_up_of.number})
    return url


def login_url() -> str:
    return absolute(reverse("accounts:login"))


def register_url() -> str:
    return absolute(reverse("accounts:register"))
