"""The account page's "E-mail me about ticket updates"."""

import pytest

from tessera.tickets import services

pytestmark = pytest.mark.django_db


def test_the_account_page_offers_the_switch(client, customer):
    client.force_login(customer)
    page = client.get("/accounts/").content.decode()
    assert 'name="notify_ticket_updates"' in page
    assert "E-mail me about ticket updates" in page
    assert "checked" in page.split('name="notify_ticket_updates"')[1].split(">")[0]
    assert "coming version" not in page


def test_switching_ticket_mail_off_and_on(client, customer, colleague, agent, category, deliver, mailoutbox):
    client.force_login(customer)
    profile = {"first_name": "Giulia", "last_name": "Rossi", "language": "en"}
    response = client.post("/accounts/profile/", profile)
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.notify_ticket_updates is False  # an unchecked box is sent as nothing
    page = client.get("/accounts/").content.decode()
    assert "checked" not in page.split('name="notify_ticket_updates"')[1].split(">")[0]

    with deliver():
        ticket = services.ticket_create(author=customer, title="Quiet", category=category, cc_users=[colleague])
        services.comment_add(ticket=ticket, author=agent, body="Answer.")
    assert customer.email not in {m.to[0] for m in mailoutbox}
    assert colleague.email in {m.to[0] for m in mailoutbox}

    client.post("/accounts/profile/", {**profile, "notify_ticket_updates": "on"})
    customer.refresh_from_db()
    assert customer.notify_ticket_updates is True
    mailoutbox.clear()
    with deliver():
        services.comment_add(ticket=ticket, author=agent, body="Another answer.")
    assert customer.email in {m.to[0] for m in mailoutbox}
