"""Exports of the "My tickets" list (seed 001: "filtrarle, ordinarle ed esportarle") as CSV and XLSX.

Both read plain tuples through ``values_list(...).iterator()``: however many
tickets match, only one chunk of rows is in memory at a time. Every text cell
that a spreadsheet would take for a formula is neutralized.
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.db.models import QuerySet
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from .models import Priority
from .workflow import Status

CHUNK_SIZE = 2000

#: Characters that make Excel, LibreOffice or Google Sheets read a cell as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

HEADER = (
    _("Number"), _("Title"), _("Status"), _("Priority"), _("Created by"),
    _("Creation date"), _("Change date"), _("Category"),
)

_FIELDS = (
    "number", "title", "status", "priority",
    "created_by__first_name", "created_by__last_name", "created_by__email",
    "created_at", "updated_at",
    "category__name", "category__parent__name", "category__parent__parent__name",
    "category__parent__parent__parent__name",
)


def neutralize(value: str) -> str:
    """Prefix a quote to text a spreadsheet would evaluate, so it shows as typed."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def priority_label(priority: Priority) -> str:
    """Seed 000's "medium (prio. 3)", as Ticket.priority_display shows it."""
    return str(_("%(label)s (prio. %(value)d)") % {"label": priority.label, "value": priority.value})


def export_rows(tickets: QuerySet, *, chunk_size: int = CHUNK_SIZE) -> Iterator[list]:
    """The visible columns of each ticket, in the list's order: text, and datetimes in the current time zone.

    Labels follow the active language; call it inside ``translation.override`` when consuming lazily.
    """
    status_labels = {status.value: str(status.label) for status in Status}
    priority_labels = {priority.value: priority_label(priority) for priority in Priority}
    zone = timezone.get_current_timezone()
    for (
        number, title, status, priority, first_name, last_name, email, created_at, updated_at, *path
    ) in tickets.values_list(*_FIELDS).iterator(chunk_size=chunk_size):
        yield [
            number,
            title,
            status_labels.get(status, status),
            priority_labels.get(priority, str(priority)),
            f"{first_name} {last_name}".strip() or email,
            timezone.localtime(created_at, zone).replace(tzinfo=None),
            timezone.localtime(updated_at, zone).replace(tzinfo=None),
            " › ".join(name for name in reversed(path) if name),
        ]


def _csv_cell(value) -> str:
    if isinstance(value, datetime):
        # The locale's short date, as the list shows it, and a 24-hour time: what Excel and LibreOffice
        # in that locale read as a date ("a.m." of the English TIME_FORMAT would stay text).
        return f"{formats.date_format(value, 'SHORT_DATE_FORMAT')} {value:%H:%M}"
    return neutralize(str(value))


class _Echo:
    """A file whose write returns the line, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


def csv_delimiter() -> str:
    """The separator Excel expects in the active language: ";" for Italian and German, "," for English."""
    # Excel splits on the list separator of the user's locale: ";" where the decimal separator is ",".
    return ";" if formats.get_format("DECIMAL_SEPARATOR") == "," else ","


def csv_lines(rows: Iterable[list], *, language: str, zone, delimiter: str | None = None) -> Iterator[str]:
    """The CSV text line by line, UTF-8 BOM first so Excel reads the encoding right.

    Separator (unless ``delimiter`` is given), labels and dates follow ``language``
    and times are in ``zone``. Runs while the response streams, after the view
    has returned: the language and time zone of the request are set again here.
    """
    with translation.override(language), timezone.override(zone):
        writer = csv.writer(_Echo(), delimiter=delimiter or csv_delimiter())
        yield "\ufeff" + writer.writerow([neutralize(str(label)) for label in HEADER])
        for row in rows:
            yield writer.writerow([_csv_cell(value) for value in row])


def xlsx_file(rows: Iterable[list]):
    """A temporary file holding the rows as an XLSX workbook (openpyxl's write-only mode)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Tickets"))[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for label in HEADER:
        cell = WriteOnlyCell(sheet, value=neutralize(str(label)))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    # Plain values, not styled cells, keep 100,000 rows fast; openpyxl gives datetimes a date format itself.
    for row in rows:
        sheet.append([
            # Control characters (say, from an e-mailed ticket) are not allowed in XLSX's XML.
            value if isinstance(value, datetime) else neutralize(ILLEGAL_CHARACTERS_RE.sub("", str(value)))
            for value in row
        ])
    target = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it)
    workbook.save(target)
    target.seek(0)
    return target
