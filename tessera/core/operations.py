"""Services are the unit of work: each call is one transaction and one operation.

``@unit_of_work`` replaces ``@transaction.atomic`` on a service. Besides the
transaction, it gives the call an operation id, shared by everything the call
records (its events, and the events of the services it calls in turn). What
happened in one operation is told together: notifications group a ticket's
events by this id, never by how close in time they were.
"""

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import ParamSpec, TypeVar

from django.db import transaction

P = ParamSpec("P")
R = TypeVar("R")

_current_operation: ContextVar[uuid.UUID | None] = ContextVar("tessera_operation", default=None)


@contextmanager
def operation(*, savepoint: bool = True) -> Iterator[uuid.UUID]:
    """One transaction and one operation id; a nested operation joins the outer one.

    ``savepoint=False``: inside a transaction the caller has open, no savepoint of its own (two statements
    fewer), for a write nobody goes on from when it fails: an error then dooms the caller's transaction.
    """
    outer = _current_operation.get()
    if outer is not None:
        with transaction.atomic(savepoint=savepoint):
            yield outer
        return
    token = _current_operation.set(uuid.uuid4())
    try:
        with transaction.atomic(savepoint=savepoint):
            yield _current_operation.get() or uuid.uuid4()
    finally:
        _current_operation.reset(token)


def unit_of_work(service: Callable[P, R]) -> Callable[P, R]:
    """Decorate a service: it runs atomically, as one operation."""

    @wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with operation():
            return service(*args, **kwargs)

    return run


def current_operation_id() -> uuid.UUID:
    """The id of the operation under way; outside one, a fresh id (the write stands alone)."""
    return _current_operation.get() or uuid.uuid4()
