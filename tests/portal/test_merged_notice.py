"""A merged ticket tells its customer where the conversation went (issue 13, item 8)."""

from django.urls import reverse

from tessera.tickets import services
from tests.factories import TicketFactory
from tests.html import parse


def test_the_customer_sees_merged_into_with_a_link_on_the_ticket_page_and_in_the_pane(
    client, customer, agent, category
):
    duplicate = TicketFactory(created_by=customer, category=category, title="Printer again")
    kept = TicketFactory(created_by=customer, category=category, title="Printer")
    services.ticket_merge(ticket=duplicate, target=kept, user=agent)
    client.force_login(customer)

    for url in (reverse("portal:ticket_detail", args=[duplicate.number]),
                reverse("portal:ticket_pane", args=[duplicate.number])):
        notice = parse(client.get(url)).find(testid="merged-notice")
        assert f"This ticket was merged into {kept.number}." in notice.text
        assert notice.find("a").get("href") == reverse("portal:ticket_detail", args=[kept.number])


def test_a_ticket_that_was_not_merged_shows_no_notice(client, customer, category):
    ticket = TicketFactory(created_by=customer, category=category)
    client.force_login(customer)
    page = parse(client.get(reverse("portal:ticket_detail", args=[ticket.number])))
    assert page.find_all(testid="merged-notice") == []
