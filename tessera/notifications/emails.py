"""Compose e-mail in the recipient's language and hand it to the durable task queue.

A message named ``name`` has three templates under ``templates/emails/``:
``name.subject.txt`` (one line), ``name.txt`` and ``name.html``. Everything is
rendered here, inside the request, so the task carries only strings.
"""

from urllib.parse import urljoin

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation

from .tasks import enqueue_email


def absolute_url(path: str) -> str:
    return urljoin(settings.SITE_URL, path)


def _one_line(text: str) -> str:
    # Subjects never carry line breaks: no header can be smuggled in.
    return " ".join(text.split())


def render_email(name: str, context: dict, *, language: str) -> tuple[str, str, str]:
    """Return (subject, text, html) of message ``name`` rendered in ``language``."""
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = _one_line(render_to_string(f"emails/{name}.subject.txt", context))
        text = render_to_string(f"emails/{name}.txt", context)
        try:
            html = render_to_string(f"emails/{name}.html", context)
        except TemplateDoesNotExist:
            html = ""
    return subject, text, html


def send_email(name: str, *, to: str, context: dict, language: str | None = None, reply_to: str = "") -> None:
    """Queue message ``name`` to one address, sent after the current transaction commits."""
    subject, text, html = render_email(name, context, language=language or settings.LANGUAGE_CODE)
    enqueue_email(to=[to], subject=subject, body=text, html=html, reply_to=[reply_to] if reply_to else None)


def send_email_to_user(name: str, *, user, context: dict, reply_to: str = "") -> None:
    send_email(name, to=user.email, context={"recipient": user, **context}, language=user.language, reply_to=reply_to)
