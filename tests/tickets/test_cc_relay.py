"""The support address is no spam relay (issue 14, finding 2): CC limits and domains, hourly limits."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tessera.notifications.inbound import process_inbound_message
from tessera.notifications.models import OutgoingEmail
from tessera.tickets import services
from tessera.tickets.models import Comment, Ticket, TicketCC
from tessera.tickets.rate_limits import RateLimited
from tests.factories import MembershipFactory, TicketFactory, UserFactory, email_message

LIMIT_MESSAGE = "You have sent a lot in the last hour."


def test_the_finding_one_ticket_with_110_cc_is_refused_and_sends_nothing(customer, category, deliver, mailoutbox):
    addresses = [f"victim{n}@rossi.test" for n in range(110)]
    with deliver(), pytest.raises(ValidationError) as refusal:
        services.ticket_create(author=customer, title="Buy now", category=category, cc_emails=addresses)
    assert refusal.value.message_dict["cc_emails"] == ["At most 10 people can be in CC of one ticket."]
    assert not Ticket.objects.exists() and mailoutbox == [] and not OutgoingEmail.objects.exists()


def test_ten_cc_are_fine_and_the_limit_counts_those_already_there(settings, customer, category):
    ticket = services.ticket_create(
        author=customer, title="Printer", category=category, cc_emails=[f"staff{n}@rossi.test" for n in range(9)]
    )
    services.ticket_cc_add(ticket=ticket, user=customer, cc_emails=["staff9@rossi.test"])
    with pytest.raises(ValidationError):
        services.ticket_cc_add(ticket=ticket, user=customer, cc_emails=["staff10@rossi.test"])
    assert TicketCC.objects.filter(ticket=ticket).count() == 10
    settings.TESSERA_CC_MAX_PER_TICKET = 11
    services.ticket_cc_add(ticket=ticket, user=customer, cc_emails=["staff10@rossi.test"])


@pytest.mark.parametrize("address", ["someone@elsewhere.test", "spam-target@gmail.com", "x@rossi.test.evil.test"])
def test_a_customer_may_copy_plain_addresses_only_at_the_organizations_own_domains(customer, category, address):
    with pytest.raises(ValidationError) as refusal:
        services.ticket_create(author=customer, title="Printer", category=category, cc_emails=[address])
    [message] = refusal.value.message_dict["cc_emails"]
    assert address in message and "@rossi.test" in message
    assert not Ticket.objects.exists()


def test_a_public_mail_provider_is_never_an_organizations_own_domain(organization, customer, category):
    MembershipFactory(organization=organization, user=UserFactory(email="dr.rossi@gmail.com"))
    with pytest.raises(ValidationError) as refusal:
        services.ticket_create(author=customer, title="Printer", category=category, cc_emails=["anyone@gmail.com"])
    assert "@gmail.com" not in refusal.value.message_dict["cc_emails"][0].split(":", 1)[1]
    ticket = services.ticket_create(author=customer, title="Printer", category=category,
                                    cc_emails=["Reception@Rossi.test"])
    assert list(ticket.cc_entries.values_list("email", flat=True)) == ["reception@rossi.test"]


def test_support_staff_may_copy_any_address(agent, customer, category):
    ticket = TicketFactory(created_by=customer, category=category)
    assert services.ticket_cc_add(ticket=ticket, user=agent, cc_emails=["partner@lab.test"]) == ["partner@lab.test"]


def test_the_portal_says_why_at_the_field_and_keeps_what_was_typed(client, customer, category):
    client.force_login(customer)
    response = client.post(reverse("portal:ticket_create"), {
        "title": "Scanner offline", "priority": "2", "category_1": category.pk,
        "cc_emails": "friend@elsewhere.test", "description": "Since the update.",
    })
    page = response.content.decode()
    assert "friend@elsewhere.test: only addresses of your organization (@rossi.test)" in page
    assert "Scanner offline" in page and "Since the update." in page
    assert not Ticket.objects.exists()


# Hourly limits ---------------------------------------------------------------------------------------------------


def test_a_customer_opens_at_most_the_hourly_number_of_tickets(settings, customer, colleague, category):
    settings.TESSERA_TICKETS_PER_HOUR_PER_USER = 3
    for n in range(3):
        services.ticket_create(author=customer, title=f"T{n}", category=category)
    with pytest.raises(RateLimited, match=LIMIT_MESSAGE):
        services.ticket_create(author=customer, title="One too many", category=category)
    assert services.ticket_create(author=colleague, title="A colleague's", category=category)
    assert Ticket.objects.count() == 4


def test_an_organization_opens_at_most_its_hourly_number_of_tickets(settings, customer, colleague, category):
    settings.TESSERA_TICKETS_PER_HOUR_PER_ORGANIZATION = 2
    services.ticket_create(author=customer, title="One", category=category)
    services.ticket_create(author=colleague, title="Two", category=category)
    with pytest.raises(RateLimited):
        services.ticket_create(author=colleague, title="Three", category=category)


def test_comments_and_cc_changes_count_towards_the_hourly_mail_limit(settings, customer, agent, category):
    settings.TESSERA_CUSTOMER_ACTIONS_PER_HOUR_PER_USER = 3
    ticket = services.ticket_create(author=customer, title="Printer", category=category)  # 1
    services.comment_add(ticket=ticket, author=customer, body="More detail")  # 2
    services.ticket_cc_add(ticket=ticket, user=customer, cc_emails=["it@rossi.test"])  # 3
    with pytest.raises(RateLimited):
        services.comment_add(ticket=ticket, author=customer, body="And more")
    with pytest.raises(RateLimited):
        services.ticket_cc_add(ticket=ticket, user=customer, cc_emails=["boss@rossi.test"])
    # Support is never limited, nor by the customer's activity.
    for n in range(5):
        services.comment_add(ticket=ticket, author=agent, body=f"Answer {n}")
    assert Comment.objects.filter(author=agent).count() == 5


def test_over_the_limit_the_portal_keeps_the_comment_typed(settings, client, customer, category):
    ticket = services.ticket_create(author=customer, title="Printer", category=category)
    settings.TESSERA_CUSTOMER_ACTIONS_PER_HOUR_PER_USER = 1
    client.force_login(customer)
    response = client.post(reverse("portal:ticket_comment", args=[ticket.number]), {"body": "Still broken."})
    page = response.content.decode()
    assert LIMIT_MESSAGE in page and "Still broken." in page
    assert not Comment.objects.exists()


def test_over_the_limit_a_mail_waits_for_later_instead_of_being_lost(settings, customer, category):
    settings.TESSERA_TICKETS_PER_HOUR_PER_USER = 0
    message = email_message(sender=customer.email, to="support@tessera.example", subject="Printer", body="Help")
    with pytest.raises(RateLimited):  # the SMTP receiver answers 451, IMAP leaves it unread: tried again later
        process_inbound_message(message.as_bytes())
    assert not Ticket.objects.exists()
