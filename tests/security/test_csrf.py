"""Every state-changing request needs the CSRF token: without it, nothing changes."""

import pytest
from django.test import Client
from django.urls import reverse

from tessera.tickets.workflow import Status
from tests.factories import TicketFactory


@pytest.fixture
def strict_client():
    return Client(enforce_csrf_checks=True)


def test_posts_without_token_are_refused(strict_client, customer, agent, category):
    ticket = TicketFactory(created_by=customer, category=category, status=Status.SOLUTION_PROVIDED)
    strict_client.force_login(customer)
    customer_posts = [
        (reverse("portal:ticket_create"), {"title": "x"}),
        (reverse("portal:ticket_comment", args=[ticket.number]), {"body": "x"}),
        (reverse("portal:ticket_accept", args=[ticket.number]), {}),
        (reverse("portal:ticket_close", args=[ticket.number]), {}),
        (reverse("accounts:profile_change"), {"first_name": "x", "language": "en"}),
        (reverse("accounts:logout"), {}),
    ]
    for url, data in customer_posts:
        assert strict_client.post(url, data).status_code == 403, url
    strict_client.force_login(agent)
    for url in (reverse("desk:ticket_assign_me", args=[ticket.number]),
                reverse("desk:ticket_reply", args=[ticket.number])):
        assert strict_client.post(url, {"body": "x"}).status_code == 403, url
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLUTION_PROVIDED and ticket.comments.count() == 0 and ticket.assignee is None


def test_the_login_form_needs_the_token_too(strict_client, customer):
    response = strict_client.post(reverse("accounts:login"), {"username": customer.email, "password": "x"})
    assert response.status_code == 403
