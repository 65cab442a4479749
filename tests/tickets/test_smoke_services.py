from tessera.tickets.services import comment_add, ticket_create
from tessera.tickets.workflow import Status


def test_create_and_comment(customer, category):
    ticket = ticket_create(author=customer, title="Printer", category=category)
    assert len(ticket.number) == 10 and ticket.status == Status.OPEN
    comment_add(ticket=ticket, author=customer, body="More info")
    assert ticket.events.count() == 2
