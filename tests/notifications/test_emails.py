from django_tasks_db.models import DBTaskResult

from tessera.notifications.emails import render_email, send_email


def add_template_dir(settings, path):
    # Assigning the setting (not mutating it) makes Django rebuild its template engines.
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], path]}]


def test_rendered_in_the_recipients_language_with_one_line_subject(settings, tmp_path):
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
        assert DBTaskResult.objects.count() == 0  # nothing before the commit
    assert DBTaskResult.objects.successful().count() == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "Hello"
    assert mailoutbox[0].to == ["someone@example.test"]
    assert mailoutbox[0].body == f"Body {settings.SITE_URL}"
