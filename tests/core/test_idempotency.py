"""A form sent twice makes its ticket, comment or reply once (issue 14, finding 3)."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tessera.core.models import FormSubmission
from tessera.tickets.models import Comment, Ticket, TicketEvent
from tests.factories import TicketFactory
from tests.html import parse

CREATE = reverse("portal:ticket_create")
ALREADY = "This form had already been sent; nothing was sent twice."


def token_of(response) -> str:
    return parse(response).find("input", name="form_token").get("value")


def report(category, token, **extra):
    return {"title": "Scanner offline", "priority": "2", "category_1": category.pk,
            "description": "Since the update.", "form_token": token, **extra}


def test_each_form_carries_a_fresh_token(client, customer, category):
    client.force_login(customer)
    assert token_of(client.get(CREATE)) != token_of(client.get(CREATE))


def test_report_a_problem_sent_twice_makes_one_ticket_and_shows_it(client, customer, category, deliver, mailoutbox):
    client.force_login(customer)
    token = token_of(client.get(CREATE))
    with deliver():
        first = client.post(CREATE, report(category, token))
        second = client.post(CREATE, report(category, token), follow=True)

    ticket = Ticket.objects.get()
    assert first["Location"] == reverse("portal:ticket_detail", args=[ticket.number])
    assert second.redirect_chain[0][0] == first["Location"]
    assert ALREADY in second.content.decode()
    assert len([mail for mail in mailoutbox if mail.to == [customer.email]]) == 1


def test_a_refused_submit_does_not_use_up_the_token(client, customer, category):
    client.force_login(customer)
    token = token_of(client.get(CREATE))
    refused = client.post(CREATE, report(category, token, title=""))
    assert refused.status_code in (200, 400) and not Ticket.objects.exists()
    assert not FormSubmission.objects.exists()

    client.post(CREATE, report(category, token))
    assert Ticket.objects.count() == 1


def test_a_comment_sent_twice_is_added_once(client, customer, category):
    ticket = TicketFactory(created_by=customer, category=category)
    client.force_login(customer)
    url = reverse("portal:ticket_comment", args=[ticket.number])
    data = {"body": "It happens again.", "form_token": "comment-token-0123456789"}
    client.post(url, data)
    response = client.post(url, data, follow=True)
    assert Comment.objects.filter(ticket=ticket).count() == 1
    assert ALREADY in response.content.decode()


def test_a_desk_reply_sent_twice_is_sent_once(client, agent, customer, category, deliver, mailoutbox):
    ticket = TicketFactory(created_by=customer, category=category)
    client.force_login(agent)
    page = client.get(reverse("desk:ticket", args=[ticket.number]))
    token = token_of(page)
    url = reverse("desk:ticket_reply", args=[ticket.number])
    with deliver():
        client.post(url, {"body": "Please restart the scanner.", "visibility": "public", "form_token": token})
        client.post(url, {"body": "Please restart the scanner.", "visibility": "public", "form_token": token})
    assert Comment.objects.filter(ticket=ticket).count() == 1
    assert len([mail for mail in mailoutbox if mail.to == [customer.email]]) == 1


def test_without_a_token_a_client_still_works_as_before(client, customer, category):
    client.force_login(customer)
    client.post(CREATE, report(category, ""))
    client.post(CREATE, report(category, ""))
    assert Ticket.objects.count() == 2  # a script that sends no token gets no protection, and no refusal


@pytest.mark.postgres(reason="five requests at once need real concurrency")
@pytest.mark.django_db(transaction=True)
def test_five_identical_concurrent_posts_make_one_ticket_and_one_set_of_mail(customer, category):
    """The finding: five identical concurrent POSTs of "report a problem" created five tickets."""
    browsers = [Client() for _ in range(5)]
    for browser in browsers:
        browser.force_login(customer)
    token = token_of(browsers[0].get(CREATE))
    barrier = threading.Barrier(5)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def send(browser: Client) -> None:
        try:
            barrier.wait(timeout=30)
            statuses.append(browser.post(CREATE, report(category, token)).status_code)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(browser,)) for browser in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert statuses == [302] * 5
    assert Ticket.objects.count() == 1
    ticket = Ticket.objects.get()
    assert ticket.title == "Scanner offline"
    # The mail of a ticket is composed from its events by the worker: one creation, one set of mail.
    assert list(TicketEvent.objects.values_list("type", flat=True)) == [TicketEvent.Type.CREATED]
    assert FormSubmission.objects.get().result_url == reverse("portal:ticket_detail", args=[ticket.number])


def test_a_bulk_action_sent_twice_is_applied_once(client, agent, customer, category):
    ticket = TicketFactory(created_by=customer, category=category)
    client.force_login(agent)
    url = reverse("desk:queue", kwargs={"queue": "open"})
    token = token_of(client.get(url))
    data = {"ticket": [ticket.number], "operation": "assign_me", "form_token": token}
    client.post(url, data)
    repeat = client.post(url, data, follow=True)
    assert ALREADY in repeat.content.decode()
    assert TicketEvent.objects.filter(ticket=ticket, type=TicketEvent.Type.ASSIGNED).count() == 1
