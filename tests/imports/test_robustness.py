"""Whatever a file holds, an import answers with a report or a clear message about the file: never a crash."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tessera.imports.organizations import COLUMNS, import_organizations
from tessera.imports.readers import read_table
from tessera.imports.report import ImportFileError
from tessera.imports.tickets import parse_ticket, status_map
from tessera.organizations.models import Organization

from .helpers import csv_bytes

NASTY = st.sampled_from(["", " ", "=1+2", "+49 30", "-", "@x", "\x00", "\u202e", "ä" * 300, "<script>", "1e9",
                         "a@b", "admin", "IT", "de", "9" * 40, "\r\n", '"', ";", ","])
CELL = st.one_of(NASTY, st.text(max_size=40))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000), name=st.sampled_from(["f.csv", "f.xlsx", "f.txt", "f"]))
@pytest.mark.django_db
def test_any_bytes_are_a_table_or_a_clear_message(data, name):
    try:
        table = read_table(data, name)
    except ImportFileError as error:
        assert error.message
    else:
        assert all(isinstance(line, int) for line, _cells in table.rows)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(CELL, min_size=len(COLUMNS), max_size=len(COLUMNS)), max_size=8))
@pytest.mark.django_db
def test_any_rows_give_a_report_with_one_entry_per_row(rows):
    clean = [[cell.replace("\x00", "").replace("\r", "").replace("\n", "") for cell in row] for row in rows]
    try:
        table = read_table(csv_bytes(clean), "f.csv")
    except ImportFileError as error:  # e.g. every row blank after cleaning, or a stray quote
        assert error.message
        return
    report = import_organizations(table, commit_changes=True)
    assert len(report.rows) == len(table.rows)
    assert all(row.messages for row in report.rows if row.outcome == "error")  # every error says why
    # Whatever was written is a valid organization.
    for organization in Organization.objects.all():
        assert organization.customer_code and organization.name and organization.postal_code


@settings(max_examples=80, deadline=None)
@given(value=st.one_of(st.text(max_size=200), st.dictionaries(
    st.sampled_from(["number", "title", "status", "priority", "category", "comments", "attachments", "created_at",
                     "requester", "customer_code", "x"]),
    st.one_of(st.none(), st.integers(), st.text(max_size=30), st.lists(st.text(max_size=5), max_size=3),
              st.lists(st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=3), max_size=2)),
    max_size=8,
).map(json.dumps)))
def test_any_line_is_a_ticket_or_a_reported_error(value):
    result = parse_ticket(1, value, status_map())
    row = getattr(result, "row", result)
    assert row.line == 1
    assert row.outcome != "error" or row.messages
