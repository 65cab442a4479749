from datetime import UTC, datetime

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from tessera.notifications.emails import render_email, send_email
from tessera.notifications.models import OutgoingEmail


def add_template_dir(settings, path):
    # Assigning the setting (not mutating it) makes Django rebuild its template engines.
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], path]}]


def test_rendered_in_the_recipients_language_with_one_line_subject(db, settings, tmp_path):
    add_template_dir(settings, tmp_path)
    (tmp_path / "emails").mkdir()
    subject_template = '{% load i18n %}{% translate "Log in" %}\n{{ extra }}'
    (tmp_path / "emails" / "probe_language.subject.txt").write_text(subject_template)
    (tmp_path / "emails" / "probe_language.txt").write_text('{% load i18n %}{% translate "Log out" %}')
    subject, text, html = render_email("probe_language", {"extra": "x\r\nBcc: evil@example.test"}, language="de")
    assert subject == "Anmelden x Bcc: evil@example.test"
    assert "\n" not in subject
    assert text == "Abmelden"
    assert html == ""


def test_mail_waits_in_the_queue_until_the_worker_sends_it(settings, tmp_path, db, deliver, mailoutbox):
    add_template_dir(settings, tmp_path)
    (tmp_path / "emails").mkdir()
    (tmp_path / "emails" / "probe_queue.subject.txt").write_text("Hello")
    (tmp_path / "emails" / "probe_queue.txt").write_text("Body {{ site_url }}")
    with deliver():
        send_email("probe_queue", to="someone@example.test", context={})
        stored = OutgoingEmail.objects.get()
        assert (stored.status, stored.to, stored.subject) == ("queued", "someone@example.test", "Hello")
        assert mailoutbox == []  # nothing before the commit
    assert DBTaskResult.objects.successful().count() == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "Hello"
    assert mailoutbox[0].to == ["someone@example.test"]
    assert mailoutbox[0].body == f"Body {settings.SITE_URL}"
    assert mailoutbox[0].extra_headers["Auto-Submitted"] == "auto-generated"
    stored.refresh_from_db()
    assert (stored.status, stored.attempts) == ("sent", 1)
    assert stored.sent_at is not None


def test_a_rolled_back_transaction_sends_nothing(settings, tmp_path, db, run_worker, mailoutbox):
    add_template_dir(settings, tmp_path)
    (tmp_path / "emails").mkdir()
    (tmp_path / "emails" / "probe_rollback.subject.txt").write_text("Hello")
    (tmp_path / "emails" / "probe_rollback.txt").write_text("Body")

    class Refused(Exception):
        pass

    with pytest.raises(Refused), transaction.atomic():
        send_email("probe_rollback", to="someone@example.test", context={})
        raise Refused
    run_worker()
    assert OutgoingEmail.objects.count() == 0
    assert DBTaskResult.objects.count() == 0
    assert mailoutbox == []


def test_dates_follow_the_recipients_time_zone(settings, tmp_path, db):
    add_template_dir(settings, tmp_path)
    (tmp_path / "emails").mkdir()
    (tmp_path / "emails" / "probe_zone.subject.txt").write_text("{{ when|time:'H:i' }}")
    (tmp_path / "emails" / "probe_zone.txt").write_text("")
    when = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
    assert render_email("probe_zone", {"when": when}, language="en", time_zone="America/New_York")[0] == "07:00"
    assert render_email("probe_zone", {"when": when}, language="en", time_zone="Nowhere/Else")[0] == "13:00"


def test_account_mail_takes_the_same_durable_path(client, customer, deliver, mailoutbox):
    customer.language = "it"
    customer.save(update_fields=["language"])
    with deliver():
        client.post("/accounts/password/reset/", {"email": customer.email})
    stored = OutgoingEmail.objects.get(template="account_password_reset")
    assert (stored.to, stored.language, stored.status, stored.attempts) == (customer.email, "it", "sent", 1)
    [message] = mailoutbox
    assert message.to == [customer.email]
    assert '<html lang="it">' in message.alternatives[0][0]
