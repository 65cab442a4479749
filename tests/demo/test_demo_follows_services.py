"""The demo writes its rows directly (six months of history, bulk inserts), but what it writes must be
what the ticket services would have written: the same event data, the same workflow rules."""

from io import StringIO

import pytest
from django.core.management import call_command

from tessera.accounts.models import User
from tessera.demo.bulk import BulkTicketGenerator, ensure_bulk_organizations
from tessera.demo.seed import DemoPassword, ensure_demo_base
from tessera.tickets import services
from tessera.tickets.models import Comment, Priority, TicketEvent
from tessera.tickets.workflow import WAITING_FOR_CUSTOMER_STATUSES, Action, Actor, Status, target_status

pytestmark = pytest.mark.django_db

Type = TicketEvent.Type

#: Customer actions that carry the customer's message as a comment of their own (no "customer replied").
ACTIONS_WITH_CUSTOMER_MESSAGE = {Action.CLOSE, Action.REJECT_SOLUTION}


def seed(**options) -> None:
    call_command("seed_demo", stdout=StringIO(), **options)


def json_type(value) -> str:
    return type(value).__name__


@pytest.fixture
def service_event_data(customer, agent, other_agent, category) -> dict[str, list[dict]]:
    """The data of every event type the demo writes, as the services write it."""
    ticket = services.ticket_create(author=customer, title="Printer", category=category, description="Broken.")
    services.ticket_assign(ticket=ticket, user=agent, assignee=agent)
    services.ticket_assign(ticket=ticket, user=agent, assignee=other_agent)
    services.ticket_change_priority(ticket=ticket, user=agent, priority=Priority.VERY_HIGH)
    services.comment_add(ticket=ticket, author=agent, body="Checked the logs.", is_internal=True)
    services.ticket_change_status(ticket=ticket, user=agent, action=Action.REQUEST_INFO, message="Which model?")
    services.comment_add(ticket=ticket, author=customer, body="The old one.")
    data: dict[str, list[dict]] = {}
    for event in TicketEvent.objects.filter(ticket=ticket):
        data.setdefault(event.type, []).append(event.data)
    return data


@pytest.mark.parametrize("bulk", [False, True], ids=["demo", "bulk"])
def test_every_demo_event_has_the_data_its_events_function_writes(service_event_data, bulk):
    expected_keys = {type_: {frozenset(data) for data in datas} for type_, datas in service_event_data.items()}
    expected_types = {
        (type_, key): {json_type(data[key]) for data in datas if data[key] is not None}
        for type_, datas in service_event_data.items() for key in datas[0]
    }
    seed(**({"tickets": 40, "orgs": 2} if bulk else {}))

    demo_events = TicketEvent.objects.exclude(ticket__created_by__email="customer@example.test")
    assert demo_events.exists()
    for event in demo_events:
        assert event.type in expected_keys, event.type
        assert frozenset(event.data) in expected_keys[event.type], (event.type, event.data)
        for key, value in event.data.items():
            if value is not None and expected_types[event.type, key]:
                assert json_type(value) in expected_types[event.type, key], (event.type, key, value)
        if event.type in (Type.COMMENT_ADDED, Type.NOTE_ADDED):
            comment = Comment.objects.get(pk=event.data["comment_id"])
            assert comment.ticket_id == event.ticket_id and comment.author_id == event.actor_id
            assert comment.is_internal == (event.type == Type.NOTE_ADDED)


def test_a_customer_comment_on_a_ticket_waiting_for_them_hands_it_back_as_the_service_does():
    """``comment_add``: a customer's comment in "Customer action" or "Solution provided" makes the ticket
    "Additional info". The only customer comments on such a ticket without that status change are the
    messages of the customer's own "close" and "reject solution"."""
    seed()
    replied_from = set()
    events = TicketEvent.objects.select_related("actor").order_by("ticket_id", "created_at", "id")
    by_ticket: dict[int, list[TicketEvent]] = {}
    for event in events:
        by_ticket.setdefault(event.ticket_id, []).append(event)
    for history in by_ticket.values():
        status = history[0].data["status"]
        for event, following in zip(history, [*history[1:], None], strict=True):
            if event.type == Type.STATUS_CHANGED:
                status = event.data["new"]
            customer_comment = event.type == Type.COMMENT_ADDED and not event.actor.is_staff
            if not (customer_comment and status in WAITING_FOR_CUSTOMER_STATUSES):
                continue
            assert following is not None and following.type == Type.STATUS_CHANGED, event.ticket.number
            if following.data["action"] in ACTIONS_WITH_CUSTOMER_MESSAGE:
                assert following.actor_id == event.actor_id
                continue
            assert following.data["action"] == Action.CUSTOMER_REPLIED, (event.ticket.number, following.data)
            assert following.data["new"] == target_status(Actor.SYSTEM, Action.CUSTOMER_REPLIED, status)
            replied_from.add(status)
    # The demo tells both stories: answering a question, and answering a solution instead of accepting it.
    assert replied_from == {Status.CUSTOMER_ACTION, Status.SOLUTION_PROVIDED}



def test_bulk_tickets_waiting_for_the_customer_have_supports_last_word():
    """A customer's comment after support's question or solution would have handed the ticket back."""
    seed(tickets=1, orgs=2)
    base = ensure_demo_base(password=DemoPassword())
    organizations = ensure_bulk_organizations(2, password=DemoPassword(), log=lambda message: None)
    generator = BulkTicketGenerator(base, organizations, total=2000, seed=1)

    tickets, comments, _ = generator.batch(0, [f"{n:010}" for n in range(2000)])

    last_comment = {}
    for index, author_id, _body, is_internal, _source, _created_at in sorted(comments, key=lambda row: row[5]):
        last_comment[index] = (author_id, is_internal)
    waiting = [(index, row) for index, row in enumerate(tickets) if row[6] in WAITING_FOR_CUSTOMER_STATUSES]
    assert len(waiting) >= 5
    for index, row in waiting:
        author_id, is_internal = last_comment[index]
        assert User.objects.get(pk=author_id).is_staff and not is_internal, row
