"""Services are the unit of work: each call is one transaction and one operation.

``@unit_of_work`` replaces ``@transaction.atomic`` on a service. Besides the
transaction, it gives the call an operation id, shared by everything the call
records (its events, and the events of the services it calls in turn). What
happened in one operation is told together: notifications group a ticket's
events by this id, never by how close in time they were.

Files are not in the transaction: a service that writes one to a storage names it with
``delete_file_on_rollback``, and when the operation (or the nested one that wrote it) ends in an
error, commit failures included, the file is deleted again. No file outlives the rows that would
have named it. A process that dies in between leaves what ``sweep_attachments`` finds.
"""

import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import ParamSpec, TypeVar

from django.core.files.storage import Storage
from django.db import transaction

P = ParamSpec("P")
R = TypeVar("R")

_current_operation: ContextVar[uuid.UUID | None] = ContextVar("tessera_operation", default=None)
#: The files written by the operation under way (storage, name), in order; None outside an operation.
_written_files: ContextVar[list[tuple[Storage, str]] | None] = ContextVar("tessera_written_files", default=None)

logger = logging.getLogger(__name__)


def delete_file_on_rollback(storage: Storage, name: str) -> None:
    """``name``, just written to ``storage``, is deleted again if the operation under way does not commit.

    Outside an operation the caller's own write is the whole unit: nothing to register.
    """
    files = _written_files.get()
    if files is not None:
        files.append((storage, name))


def _delete_written(files: list[tuple[Storage, str]], start: int) -> None:
    for storage, name in reversed(files[start:]):
        try:
            storage.delete(name)
        except Exception:  # the storage is down too: sweep_attachments removes it later
            logger.exception("Could not delete %s after the transaction that named it failed", name)
    del files[start:]


@contextmanager
def operation(*, savepoint: bool = True) -> Iterator[uuid.UUID]:
    """One transaction and one operation id; a nested operation joins the outer one.

    ``savepoint=False``: inside a transaction the caller has open, no savepoint of its own (two statements
    fewer), for a write nobody goes on from when it fails: an error then dooms the caller's transaction.
    """
    outer = _current_operation.get()
    files = _written_files.get()
    if outer is not None and files is not None:
        start = len(files)
        try:
            with transaction.atomic(savepoint=savepoint):
                yield outer
        except BaseException:
            _delete_written(files, start)  # rolled back to the savepoint, or the whole transaction is doomed
            raise
        return
    token = _current_operation.set(uuid.uuid4())
    files_token = _written_files.set([])
    try:
        with transaction.atomic(savepoint=savepoint):
            yield _current_operation.get() or uuid.uuid4()
    except BaseException:
        _delete_written(_written_files.get() or [], 0)  # the commit failing too
        raise
    finally:
        _written_files.reset(files_token)
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
