"""Leases: what must happen once for the whole installation, not once per process, decided by the database.

``lease_acquire`` takes a named lease for a while, if nobody holds it (or the holder's time ran out); the
decision is one conditional UPDATE, atomic on PostgreSQL (the row is locked and the condition checked again)
and on SQLite (one writer at a time). ``lease_lock`` serializes a short critical section across processes
with the lease's row locked until the transaction ends (``SELECT ... FOR UPDATE``).
"""

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import Lease


def this_process() -> str:
    """Who holds a lease: the host and process, for the operator reading the table."""
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def _ensure(name: str) -> None:
    # The row exists from the first use on; several processes may insert it at once: one wins, none fails.
    Lease.objects.bulk_create([Lease(name=name, expires_at=timezone.now() - timedelta(seconds=1))],
                              ignore_conflicts=True)


def lease_acquire(name: str, *, duration: timedelta, holder: str | None = None) -> bool:
    """Take lease ``name`` for ``duration`` unless another holder's lease still runs. True: it is ours now."""
    _ensure(name)
    now = timezone.now()
    taken = Lease.objects.filter(name=name, expires_at__lte=now).update(
        holder=holder or this_process(), expires_at=now + duration,
    )
    return taken == 1


def lease_release(name: str) -> None:
    """Give the lease back at once (the next process may take it without waiting for it to run out)."""
    Lease.objects.filter(name=name).update(expires_at=timezone.now() - timedelta(seconds=1))


@contextmanager
def lease_lock(name: str) -> Iterator[None]:
    """Only one process at a time runs the block, whatever node it is on (the lease's row stays locked)."""
    _ensure(name)
    with transaction.atomic():
        Lease.objects.select_for_update().get(name=name)
        yield
