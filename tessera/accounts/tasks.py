"""Account work done by the task worker rather than in the request."""

from django_tasks import task

from . import services


@task()
def password_reset_send(*, email: str) -> None:
    """Look the address up and send its reset link, if it has an account.

    Run by the worker: the request that asked only queues this, the same work for an
    address with an account and one without, so its timing tells nobody which it was.
    """
    services.password_reset_request(email=email)
