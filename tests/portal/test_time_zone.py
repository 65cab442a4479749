import datetime

from django.urls import reverse

from tests.factories import TicketFactory

CREATED = datetime.datetime(2026, 1, 15, 10, 0, tzinfo=datetime.UTC)


def test_dates_follow_the_users_time_zone(client, customer, category):
    ticket = TicketFactory(created_by=customer, category=category, created_at=CREATED, updated_at=CREATED)
    client.force_login(customer)
    url = reverse("portal:ticket_detail", args=[ticket.number])
    assert "11 a.m." in client.get(url).content.decode()  # the portal's default, Europe/Rome
    customer.time_zone = "America/New_York"
    customer.save()
    page = client.get(url).content.decode()
    assert "5 a.m." in page and "11 a.m." not in page


def test_an_unknown_time_zone_falls_back_to_the_default(client, customer, category):
    ticket = TicketFactory(created_by=customer, category=category, created_at=CREATED, updated_at=CREATED)
    customer.time_zone = "Mars/Olympus"
    customer.save()
    client.force_login(customer)
    assert "11 a.m." in client.get(reverse("portal:ticket_detail", args=[ticket.number])).content.decode()


def test_the_account_page_saves_the_time_zone(client, customer):
    client.force_login(customer)
    form = {"first_name": "Anna", "last_name": "Rossi", "language": "en", "notify_ticket_updates": "on"}
    response = client.post(reverse("accounts:profile_change"), {**form, "time_zone": "Europe/Berlin"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.time_zone == "Europe/Berlin"
    response = client.post(reverse("accounts:profile_change"), {**form, "time_zone": "Mars/Olympus"})
    assert "Select a valid choice" in response.content.decode()
    customer.refresh_from_db()
    assert customer.time_zone == "Europe/Berlin" and customer.first_name == "Anna"
    assert 'value="Europe/Berlin" selected' in client.get(reverse("accounts:account")).content.decode()
