"""CC: only active members of the ticket's organization can be kept informed."""

import pytest
from django.core.exceptions import ValidationError

from tessera.tickets.forms import CCAddForm
from tessera.tickets.models import Ticket
from tessera.tickets.services import ticket_cc_add, ticket_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(customer, category):
    return ticket_create(author=customer, title="Printer jams", category=category)


def test_the_cc_form_offers_only_active_members(
    ticket, colleague, restricted_user, inactive_user, inactive_member, outsider
):
    assert list(CCAddForm(ticket=ticket).fields["cc_users"].queryset) == [colleague]


@pytest.mark.parametrize("who", ["restricted_user", "inactive_user", "inactive_member", "outsider"])
def test_adding_someone_who_is_not_an_active_member_is_refused_at_the_field(request, ticket, customer, who):
    person = request.getfixturevalue(who)
    with pytest.raises(ValidationError) as refused:
        ticket_cc_add(ticket=ticket, user=customer, cc_users=[person])
    assert refused.value.message_dict == {
        "cc_users": [
            f"{person.get_full_name()} is not an active member of your organization and cannot be added to CC."
        ]
    }
    assert not ticket.cc_entries.exists()


def test_creating_a_ticket_with_a_restricted_colleague_in_cc_is_refused(customer, restricted_user, category):
    with pytest.raises(ValidationError) as refused:
        ticket_create(author=customer, title="Printer jams", category=category, cc_users=[restricted_user])
    assert list(refused.value.message_dict) == ["cc_users"]
    assert Ticket.objects.count() == 0


def test_an_active_colleague_is_added(ticket, customer, colleague):
    assert ticket_cc_add(ticket=ticket, user=customer, cc_users=[colleague]) == [colleague.email]
    assert list(ticket.cc_entries.values_list("user", flat=True)) == [colleague.pk]
