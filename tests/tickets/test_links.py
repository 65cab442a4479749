"""The ticket addresses e-mails give are the contract the interfaces' URLconfs keep (tickets/links.py)."""

from django.urls import reverse

from tessera.tickets import links
from tessera.tickets.links import ticket_create_url, ticket_url
from tessera.tickets.models import Ticket

NUMBER = "0800000042"


def test_the_paths_are_what_the_portal_and_the_desk_serve():
    assert links.PORTAL_TICKET_PATH.format(number=NUMBER) == reverse("portal:ticket_detail", args=[NUMBER])
    assert reverse("portal:ticket_create") == links.PORTAL_TICKET_CREATE_PATH
    assert links.DESK_TICKET_PATH.format(number=NUMBER) == reverse("desk:ticket", args=[NUMBER])
    assert links.ADMIN_TICKET_PATH.format(pk=42) == reverse("admin:tickets_ticket_change", args=[42])


def test_links_are_absolute_and_fit_their_reader(settings):
    settings.SITE_URL = "https://support.example.com"
    ticket = Ticket(pk=42, number=NUMBER)  # a link needs nothing else
    assert ticket_url(ticket, for_staff=False) == (
        "https://support.example.com" + reverse("portal:ticket_detail", args=[ticket.number])
    )
    assert ticket_url(ticket, for_staff=True) == (
        "https://support.example.com" + reverse("desk:ticket", args=[ticket.number])
    )
    assert ticket_create_url() == "https://support.example.com" + reverse("portal:ticket_create")
    assert ticket_create_url(follow_up_of=ticket) == (
        "https://support.example.com" + reverse("portal:ticket_create") + f"?follow_up={ticket.number}"
    )
