"""CSV and XLSX exports of the ticket list (tessera.tickets.exports)."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from tessera.tickets.exports import HEADER, csv_delimiter, csv_lines, export_rows, neutralize, xlsx_file
from tessera.tickets.models import Ticket
from tessera.tickets.workflow import Status
from tests.factories import CategoryFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")


@pytest.mark.parametrize("value", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", "=HYPERLINK(\"http://x\")"])
def test_formula_triggers_are_neutralized(value):
    assert neutralize(value) == "'" + value


@pytest.mark.parametrize("value", ["0800000123", "Printer", "", "a=b", " =x"])
def test_ordinary_text_is_left_alone(value):
    assert neutralize(value) == value


@pytest.fixture
def exported(organization, customer):
    author = UserFactory(first_name="", last_name="", email="noname@rossi.test")
    from tests.factories import MembershipFactory

    MembershipFactory(user=author, organization=organization)
    category = CategoryFactory(name="Leaf", parent=CategoryFactory(name="Middle", parent=CategoryFactory(name="Top")))
    ticket = TicketFactory(
        created_by=author, category=category, title="=cmd|' /C calc'!A0", status=Status.CUSTOMER_ACTION,
        priority=2, created_at=datetime(2025, 1, 15, 9, 30, tzinfo=ZoneInfo("UTC")),
        updated_at=datetime(2025, 7, 1, 12, 0, tzinfo=ZoneInfo("UTC")),
    )
    return ticket


def test_rows_hold_the_visible_columns_in_local_time(exported):
    with translation.override("en"), timezone.override(ROME):
        (row,) = list(export_rows(Ticket.objects.all()))
    assert row == [
        exported.number, "=cmd|' /C calc'!A0", "Customer action", "high (prio. 2)", "noname@rossi.test",
        datetime(2025, 1, 15, 10, 30), datetime(2025, 7, 1, 14, 0), "Top › Middle › Leaf",
    ]


def _read_csv(lines, delimiter=","):
    text = "".join(lines)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=delimiter))


def test_csv_has_bom_header_and_neutralized_cells(exported):
    lines = csv_lines(export_rows(Ticket.objects.all()), language="en", zone=ROME)
    header, row = _read_csv(lines)
    assert header == [str(label) for label in HEADER]
    assert row[0] == exported.number
    assert row[1] == "'=cmd|' /C calc'!A0"
    assert row[5:7] == ["01/15/2025 10:30", "07/01/2025 14:00"]  # the English short date, Rome time


def test_csv_speaks_the_language_it_was_asked_for_even_when_streamed_later(exported):
    lines = csv_lines(export_rows(Ticket.objects.all()), language="en", zone=ROME)
    with translation.override("it"):
        _header, row = _read_csv(lines)
    assert row[2] == "Customer action"


def test_csv_delimiter_follows_the_decimal_separator():
    with translation.override("en"):
        assert csv_delimiter() == ","
    with translation.override("it"):
        assert csv_delimiter() == ";"
    with translation.override("de"):
        assert csv_delimiter() == ";"


@pytest.mark.parametrize(
    ("language", "delimiter", "created"),
    [("en", ",", "01/15/2025 10:30"), ("it", ";", "15/01/2025 10:30"), ("de", ";", "15.01.2025 10:30")],
)
def test_csv_separator_and_dates_follow_the_language(exported, language, delimiter, created):
    lines = csv_lines(export_rows(Ticket.objects.all()), language=language, zone=ROME)
    _header, row = _read_csv(lines, delimiter=delimiter)
    assert row[0] == exported.number and row[5] == created


def test_xlsx_holds_text_and_dates_and_no_formula(exported):
    with translation.override("en"), timezone.override(ROME):
        workbook = load_workbook(xlsx_file(export_rows(Ticket.objects.all())))
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [str(label) for label in HEADER]
    assert rows[1][0] == exported.number  # text: the leading zero stays
    assert rows[1][1] == "'=cmd|' /C calc'!A0"
    assert rows[1][5] == datetime(2025, 1, 15, 10, 30)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_xlsx_drops_characters_xml_cannot_hold(customer, category):
    TicketFactory(created_by=customer, category=category, title="Bell\x07 and \x01=formula")
    workbook = load_workbook(xlsx_file(export_rows(Ticket.objects.all())))
    assert list(workbook.active.iter_rows(values_only=True))[1][1] == "Bell and =formula"
