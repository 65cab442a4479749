"""E-mail leaves only from the durable task queue, after the transaction that caused it commits."""

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django_tasks import task


@task()
def send_email(*, to: list[str], subject: str, body: str, html: str = "", reply_to: list[str] | None = None) -> None:
    message = EmailMultiAlternatives(subject=subject, body=body, to=to, reply_to=reply_to or None)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


def enqueue_email(**kwargs) -> None:
    """Queue a message once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: send_email.enqueue(**kwargs))
