"""Exports of "My tickets" as CSV and XLSX: the list's filter and order, scoped, formula-safe, constant queries."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from openpyxl import load_workbook

from tessera.tickets.models import SavedTicketFilter
from tessera.tickets.workflow import Status
from tests.factories import CategoryFactory, TicketCCFactory, TicketFactory, create_tickets

UTC = ZoneInfo("UTC")


def _url(format: str) -> str:
    return reverse("portal:ticket_export", kwargs={"format": format})


def _csv_rows(response, delimiter=",") -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=delimiter))


def _xlsx_rows(response) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(workbook.active.iter_rows(values_only=True))


@pytest.fixture
def tickets(manager, customer):
    category = CategoryFactory(name="Sub", parent=CategoryFactory(name="Main"))
    return [
        TicketFactory(
            created_by=manager, category=category, title="=SUM(A1:A9)", status=Status.OPEN, priority=1,
            created_at=datetime(2025, 3, 1, 8, 0, tzinfo=UTC), updated_at=datetime(2025, 3, 2, 8, 0, tzinfo=UTC),
        ),
        TicketFactory(
            created_by=customer, category=category, title="@import printer", status=Status.COMPLETED,
            created_at=datetime(2025, 4, 1, 8, 0, tzinfo=UTC), updated_at=datetime(2025, 4, 2, 8, 0, tzinfo=UTC),
        ),
        TicketFactory(
            created_by=customer, category=category, title="Plain title", status=Status.IN_PROCESS,
            description="-1+1 in the description is not exported",
            created_at=datetime(2025, 5, 1, 8, 0, tzinfo=UTC), updated_at=datetime(2025, 5, 2, 8, 0, tzinfo=UTC),
        ),
    ]


def test_csv_export_content(client, manager, tickets):
    client.force_login(manager)
    response = client.get(_url("csv"), {"status": "all", "sort": "number"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="tickets-100001-')
    assert response["Content-Disposition"].endswith('.csv"')
    header, *rows = _csv_rows(response)
    assert header == [
        "Number", "Title", "Status", "Priority", "Created by", "Creation date", "Change date", "Category",
    ]
    assert [row[0] for row in rows] == [t.number for t in tickets]
    first = rows[0]
    assert first[1] == "'=SUM(A1:A9)"
    assert first[2:5] == ["Open", "very high (prio. 1)", manager.get_full_name()]
    assert first[5:8] == ["03/01/2025 09:00", "03/02/2025 09:00", "Main › Sub"]  # English short date, Rome time
    assert rows[1][1] == "'@import printer"


def test_csv_export_follows_filter_search_and_sort(client, manager, tickets):
    client.force_login(manager)
    rows = _csv_rows(client.get(_url("csv"), {"status": ["open", "in_process"], "sort": "-created"}))[1:]
    assert [row[0] for row in rows] == [tickets[2].number, tickets[0].number]
    rows = _csv_rows(client.get(_url("csv"), {"status": "all", "q": "printer"}))[1:]
    assert [row[0] for row in rows] == [tickets[1].number]
    rows = _csv_rows(client.get(_url("csv"), {"status": "all", "own": "1"}))[1:]
    assert [row[0] for row in rows] == [tickets[0].number]


def test_export_without_parameters_uses_the_saved_filter(client, manager, tickets):
    SavedTicketFilter.objects.create(user=manager, statuses=["completed"])
    client.force_login(manager)
    rows = _csv_rows(client.get(_url("csv")))[1:]
    assert [row[0] for row in rows] == [tickets[1].number]


def test_list_export_links_carry_the_lists_filter(client, manager, tickets):
    client.force_login(manager)
    html = client.get(reverse("portal:ticket_list"), {"status": "open", "q": "sum", "sort": "title"}).content.decode()
    assert f'href="{_url("csv")}?status=open&amp;q=sum&amp;sort=title"' in html
    assert f'href="{_url("xlsx")}?status=open&amp;q=sum&amp;sort=title"' in html


def test_csv_in_italian_uses_semicolons_and_italian_labels(client, manager, tickets):
    manager.language = "it"
    manager.save(update_fields=["language"])
    client.force_login(manager)
    response = client.get(_url("csv"), {"status": "open"})
    header, row = _csv_rows(response, delimiter=";")
    assert len(header) == 8 and row[0] == tickets[0].number


@pytest.mark.parametrize(
    ("language", "time_zone", "delimiter", "header", "dates"),
    [
        ("it", "Europe/Rome", ";", "Numero", ["01/03/2025 09:00", "02/03/2025 09:00"]),
        ("de", "Europe/Berlin", ";", "Nummer", ["01.03.2025 09:00", "02.03.2025 09:00"]),
        ("en", "America/New_York", ",", "Number", ["03/01/2025 03:00", "03/02/2025 03:00"]),
    ],
)
def test_csv_fits_the_users_locale_and_time_zone(
    client, manager, tickets, language, time_zone, delimiter, header, dates
):
    """Excel in Italian and German splits on ";", in English on ","; dates: the locale's short format, user's zone."""
    manager.language, manager.time_zone = language, time_zone
    manager.save(update_fields=["language", "time_zone"])
    client.force_login(manager)
    response = client.get(_url("csv"), {"status": "open"})
    (first_header, *_labels), row = _csv_rows(response, delimiter=delimiter)
    assert len(row) == 8 and row[0] == tickets[0].number
    assert first_header == header
    assert row[5:7] == dates


def test_xlsx_export_content(client, manager, tickets):
    client.force_login(manager)
    response = client.get(_url("xlsx"), {"status": "all", "sort": "number"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="tickets-100001-' in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment")
    header, *rows = _xlsx_rows(response)
    assert header[0] == "Number" and len(header) == 8
    assert [row[0] for row in rows] == [t.number for t in tickets]
    assert rows[0][1] == "'=SUM(A1:A9)"
    assert rows[1][1] == "'@import printer"
    assert rows[0][5] == datetime(2025, 3, 1, 9, 0)
    assert rows[0][7] == "Main › Sub"


def test_xlsx_has_no_formula_cells(client, manager, tickets):
    client.force_login(manager)
    workbook = load_workbook(io.BytesIO(b"".join(client.get(_url("xlsx"), {"status": "all"}).streaming_content)))
    assert all(cell.data_type != "f" for row in workbook.active.iter_rows() for cell in row)


def test_unknown_export_format_is_404(client, manager):
    client.force_login(manager)
    assert client.get("/tickets/export.pdf", follow=True).status_code == 404


# --- isolation ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_outsider_exports_nothing_of_another_organization(client, outsider, tickets, format):
    client.force_login(outsider)
    response = client.get(_url(format), {"status": "all", "q": tickets[0].number})
    rows = _csv_rows(response) if format == "csv" else _xlsx_rows(response)
    assert rows[1:] == []


def test_basic_user_exports_own_and_cc_only(client, customer, colleague, category):
    own = TicketFactory(created_by=customer, category=category)
    in_cc = TicketFactory(created_by=colleague, category=category)
    TicketCCFactory(ticket=in_cc, user=customer)
    TicketFactory(created_by=colleague, category=category)
    client.force_login(customer)
    rows = _csv_rows(client.get(_url("csv"), {"status": "all"}))[1:]
    assert {row[0] for row in rows} == {own.number, in_cc.number}
    # "Only own" leaves out the ticket the user is in CC of, as in the list.
    rows = _csv_rows(client.get(_url("csv"), {"own": "1"}))[1:]
    assert {row[0] for row in rows} == {own.number}


def test_staff_are_sent_to_the_desk(client, agent):
    client.force_login(agent)
    assert client.get(_url("csv")).status_code == 302


# --- scale ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_export_queries_do_not_grow_with_tickets(client, manager, category, format, django_assert_max_num_queries):
    client.force_login(manager)
    create_tickets(5, created_by=manager, category=category)

    def export() -> int:
        with django_assert_max_num_queries(8) as captured:
            response = client.get(_url(format), {"status": "all"})
            body = b"".join(response.streaming_content)
        assert body
        return len(captured.captured_queries)

    few = export()
    create_tickets(495, created_by=manager, category=category)
    assert export() == few


def test_csv_streams_in_chunks(client, manager, category, settings):
    settings.TESSERA_TICKET_EXPORT_CHUNK_SIZE = 7
    create_tickets(30, created_by=manager, category=category)
    client.force_login(manager)
    response = client.get(_url("csv"), {"status": "all"})
    chunks = list(response.streaming_content)
    assert len(chunks) == 31  # a line at a time, never the whole file at once
    assert len(_csv_rows_from_bytes(b"".join(chunks))) == 31


def _csv_rows_from_bytes(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8").removeprefix("\ufeff"))))
