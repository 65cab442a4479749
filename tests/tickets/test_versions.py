"""The stale-page check's service, and presence rows, under concurrent requests (as from several web nodes)."""

import threading
import time

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from tessera.tickets import services
from tessera.tickets.models import Comment, TicketEvent, TicketPresence
from tessera.tickets.selectors.versions import changes_since, ticket_version
from tests.factories import AgentFactory

THREADS = 4


def run_at_once(work, count=THREADS) -> list[BaseException]:
    """``work(i)`` in ``count`` threads, started together; what each raised."""
    barrier = threading.Barrier(count)
    outcomes: list[BaseException] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            work(i)
        except BaseException as error:  # reported below, in the test's thread
            with lock:
                outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


@pytest.fixture
def ticket(customer, category):
    return services.ticket_create(author=customer, title="Export fails", category=category)


def test_the_version_is_the_latest_event_and_changes_are_others_work(agent, other_agent, ticket):
    seen = ticket_version(ticket)
    assert seen == TicketEvent.objects.filter(ticket=ticket).latest("pk").pk
    services.comment_add(ticket=ticket, author=agent, body="Mine.", source="desk")
    services.comment_add(ticket=ticket, author=other_agent, body="Theirs.", is_internal=True, source="desk")
    assert [(e.actor, e.type) for e in changes_since(ticket, version=seen, user=agent)] == [
        (other_agent, TicketEvent.Type.NOTE_ADDED),
    ]
    assert changes_since(ticket, version=ticket_version(ticket), user=agent) == []


@pytest.mark.parametrize(("sent", "version"), [
    (None, None), ("", None), ("12", 12), (" 12 ", 12), ("0", 0), ("abc", 0), ("-3", 0), ("9" * 20, 0), ("٣", 0),
])
def test_parse_version(sent, version):
    assert services.parse_version(sent) == version


@given(st.text())
def test_any_text_sent_as_the_version_is_a_version_or_none(sent):
    version = services.parse_version(sent)
    assert version is None or (isinstance(version, int) and 0 <= version < 10**19)


@pytest.mark.postgres(reason="needs PostgreSQL row locking")
@pytest.mark.django_db(transaction=True)
def test_of_agents_sending_at_once_from_the_same_page_only_one_gets_through(customer, category):
    ticket = services.ticket_create(author=customer, title="Export fails", category=category)
    agents = [AgentFactory(email=f"agent{i}@vendor.test") for i in range(THREADS)]
    seen = ticket_version(ticket)

    def send(i: int) -> None:
        def write():
            time.sleep(0.2)  # the lock is held meanwhile: the others wait, then find this reply
            return services.comment_add(ticket=ticket, author=agents[i], body=f"Reply {i}", source="desk")

        services.ticket_unchanged_then(ticket=ticket, user=agents[i], seen=seen, perform=write)

    refused = run_at_once(send)
    assert len(refused) == THREADS - 1
    assert all(isinstance(error, services.TicketChanged) for error in refused), refused
    assert Comment.objects.filter(ticket=ticket).count() == 1


@pytest.mark.postgres(reason="concurrent upserts on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_heartbeats_at_once_keep_one_row_per_agent(customer, category):
    ticket = services.ticket_create(author=customer, title="Export fails", category=category)
    agent = AgentFactory()

    def beat(i: int) -> None:
        for _ in range(10):
            services.ticket_presence_beat(ticket=ticket, user=agent, activity="typing" if i % 2 else "viewing")

    assert run_at_once(beat) == []
    assert TicketPresence.objects.filter(ticket=ticket, user=agent).count() == 1
