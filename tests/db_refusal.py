"""A real database failure for a test: a trigger that makes the database refuse every write of one table.

``at_commit=True`` (PostgreSQL only): a deferred constraint trigger, so the rows are written and the file stored,
and the database refuses the commit itself, the hardest moment for a file written beside the transaction.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

MESSAGE = "refused by the test"


@contextmanager
def refused_writes(table: str, *, at_commit: bool = False) -> Iterator[None]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE OR REPLACE FUNCTION tessera_test_refuse() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$"
            )
            if at_commit:
                cursor.execute(f"CREATE CONSTRAINT TRIGGER tessera_test_refuse AFTER INSERT OR UPDATE ON {table} "
                               "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tessera_test_refuse()")
            else:
                cursor.execute(f"CREATE TRIGGER tessera_test_refuse BEFORE INSERT OR UPDATE ON {table} "
                               "FOR EACH ROW EXECUTE FUNCTION tessera_test_refuse()")
            drops = [f"DROP TRIGGER tessera_test_refuse ON {table}", "DROP FUNCTION tessera_test_refuse()"]
        else:
            assert not at_commit, "a refused commit needs PostgreSQL"
            for event in ("INSERT", "UPDATE"):
                cursor.execute(f"CREATE TRIGGER tessera_test_refuse_{event.lower()} BEFORE {event} ON {table} "
                               f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")
            drops = ["DROP TRIGGER tessera_test_refuse_insert", "DROP TRIGGER tessera_test_refuse_update"]
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for drop in drops:
                cursor.execute(drop)


@pytest.fixture(params=["disk", "s3"])
def stored_files(request, settings) -> Callable[[], list[str]]:
    """The files the default storage holds, by name: on the local disk (MEDIA_ROOT) or in a bucket of the S3
    server (tests/s3.py), one run of the test each."""
    if request.param == "s3":
        bucket = request.getfixturevalue("s3_storage")
        return bucket.objects

    def on_disk() -> list[str]:
        root = Path(settings.MEDIA_ROOT)
        return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())

    return on_disk
