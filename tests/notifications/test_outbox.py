"""The desk's outbox: failed messages for the vendor's administrators, with their error and "Retry"."""

import pytest
from django.urls import reverse

from tessera.notifications.emails import queue_email
from tessera.notifications.models import OutgoingEmail

pytestmark = pytest.mark.django_db

OUTBOX = "/desk/outbox/"


def failed(to="someone@example.test", subject="Your ticket", error="SMTPServerDisconnected: Connection closed"):
    email = queue_email(to=to, subject=subject, text="Body")
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=OutgoingEmail.Status.FAILED, attempts=10, last_error=error, next_attempt_at=None
    )
    email.refresh_from_db()
    return email


def test_the_outbox_url():
    assert reverse("desk:email_outbox") == OUTBOX


def test_anonymous_users_are_sent_to_log_in(client, db):
    response = client.get(OUTBOX)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("persona", ["customer", "org_admin", "outsider", "agent"])
def test_nobody_but_vendor_administrators_finds_it(client, request, persona):
    email = failed()
    client.force_login(request.getfixturevalue(persona))
    assert client.get(OUTBOX).status_code == 404
    assert client.post(f"{OUTBOX}{email.pk}/retry/").status_code == 404
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.FAILED


def test_lists_failed_messages_with_their_error(client, vendor_admin):
    failed(to="lost@example.test", subject="[#0800000001] Printer – Solution provided", error="SMTPDataError: 451 busy")
    queue_email(to="waiting@example.test", subject="Still waiting", text="Body")
    client.force_login(vendor_admin)
    response = client.get(OUTBOX)
    page = response.content.decode()
    assert response.status_code == 200
    assert "lost@example.test" in page
    assert "[#0800000001] Printer – Solution provided" in page
    assert "SMTPDataError: 451 busy" in page
    assert "waiting@example.test" not in page  # the list opens on the failed ones
    assert 'data-testid="count-failed">1<' in page
    assert 'data-testid="count-queued">1<' in page
    assert ">Retry<" in page


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("?status=queued", "waiting@example.test", "lost@example.test"),
        ("?status=sent", "gone@example.test", "waiting@example.test"),
        ("?status=", "waiting@example.test", "nothing-hidden"),
        ("?status=nonsense", "lost@example.test", "waiting@example.test"),
    ],
)
def test_filter_by_status(client, vendor_admin, query, shown, hidden):
    failed(to="lost@example.test")
    queue_email(to="waiting@example.test", subject="Waiting", text="Body")
    sent = queue_email(to="gone@example.test", subject="Gone", text="Body")
    OutgoingEmail.objects.filter(pk=sent.pk).update(status=OutgoingEmail.Status.SENT)
    client.force_login(vendor_admin)
    response = client.get(OUTBOX + query)
    assert response.status_code == 200
    page = response.content.decode()
    assert shown in page
    assert hidden not in page


def test_retry_sends_it_again(client, vendor_admin, deliver, mailoutbox):
    email = failed(to="lost@example.test", subject="Your ticket")
    client.force_login(vendor_admin)
    with deliver():
        response = client.post(f"{OUTBOX}{email.pk}/retry/", {"next": f"{OUTBOX}?status=failed"})
    assert response.status_code == 302
    assert response.url == f"{OUTBOX}?status=failed"
    [message] = mailoutbox
    assert (message.to, message.subject) == (["lost@example.test"], "Your ticket")
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 1)
    page = client.get(response.url).content.decode()
    assert "The message to lost@example.test is queued again." in page
    assert "lost@example.test</td>" not in page


def test_retry_of_a_sent_message_is_refused(client, vendor_admin, deliver, mailoutbox):
    email = queue_email(to="gone@example.test", subject="Gone", text="Body")
    OutgoingEmail.objects.filter(pk=email.pk).update(status=OutgoingEmail.Status.SENT)
    client.force_login(vendor_admin)
    with deliver():
        response = client.post(f"{OUTBOX}{email.pk}/retry/", {"next": "https://evil.example/"}, follow=True)
    assert response.redirect_chain[-1][0] == OUTBOX
    assert "This message has been sent already." in response.content.decode()
    assert mailoutbox == []


def test_retry_of_an_unknown_message_is_404(client, vendor_admin):
    client.force_login(vendor_admin)
    assert client.post(f"{OUTBOX}999999/retry/").status_code == 404
    assert client.get(f"{OUTBOX}{failed().pk}/retry/").status_code == 405


def test_the_list_costs_the_same_queries_for_many_messages(client, vendor_admin, django_assert_max_num_queries):
    for n in range(60):
        failed(to=f"user{n}@example.test")
    client.force_login(vendor_admin)
    with django_assert_max_num_queries(8):
        response = client.get(OUTBOX)
    assert response.status_code == 200
    assert "Page 1 of 2" in response.content.decode()


def test_only_vendor_administrators_see_the_link(client, vendor_admin, agent):
    client.force_login(agent)
    assert OUTBOX not in client.get("/desk/").content.decode()
    client.force_login(vendor_admin)
    assert OUTBOX in client.get("/desk/").content.decode()


def test_administration_lists_and_retries(client, vendor_admin, deliver, mailoutbox):
    email = failed(to="lost@example.test")
    client.force_login(vendor_admin)
    response = client.get("/admin/notifications/outgoingemail/")
    assert response.status_code == 200
    assert "lost@example.test" in response.content.decode()
    assert client.get(f"/admin/notifications/outgoingemail/{email.pk}/change/").status_code == 200
    with deliver():
        client.post(
            "/admin/notifications/outgoingemail/", {"action": "retry", "_selected_action": [email.pk]}
        )
    assert [m.to for m in mailoutbox] == [["lost@example.test"]]
