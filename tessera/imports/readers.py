"""Tables from a CSV or XLSX file: a header and rows of text, each with its line number.

Anything wrong with the file as a whole (an encoding other than UTF-8, a binary
file, an old .xls, a damaged workbook, too many rows) raises ``ImportFileError``
with a message for the person who chose the file.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .report import ImportFileError

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc: the binary Office formats
#: A workbook may unpack to at most this many times the import limit (a zip bomb does not).
UNPACKED_FACTOR = 20


@dataclass
class Table:
    header: list[str]
    #: (line number as a spreadsheet shows it, the row's cells by column name)
    rows: list[tuple[int, dict[str, str]]]


def normalize_column(name: str) -> str:
    return "_".join(str(name or "").strip().lower().replace("-", " ").split())


def max_bytes() -> int:
    return settings.TESSERA_IMPORT_MAX_BYTES


def check_size(size: int) -> None:
    if size > max_bytes():
        raise ImportFileError(
            _("The file is too large: at most %(max)s can be imported at once. Split it into several files.")
            % {"max": filesizeformat(max_bytes())}
        )
    if size == 0:
        raise ImportFileError(_("The file is empty."))


def read_table(data: bytes, name: str) -> Table:
    check_size(len(data))
    if data.startswith(OLE_MAGIC):
        raise ImportFileError(
            _("This is an old Excel (.xls) file. Save it as an Excel workbook (.xlsx) or as CSV (UTF-8) and try again.")
        )
    if data.startswith(ZIP_MAGIC):
        table = _read_xlsx(data)
    elif name.lower().endswith((".xlsx", ".xlsm")):
        raise ImportFileError(_("This file is not an Excel workbook, although its name ends in .xlsx."))
    else:
        table = _read_csv(data)
    if len(table.rows) > settings.TESSERA_IMPORT_MAX_ROWS:
        raise ImportFileError(
            _("The file has %(rows)d rows; at most %(max)d can be imported at once. Split it into several files.")
            % {"rows": len(table.rows), "max": settings.TESSERA_IMPORT_MAX_ROWS}
        )
    return table


def _text_of(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a customer code typed as a number: 1001, not 1001.0
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _table(lines: Iterator[tuple[int, list]]) -> Table:
    header: list[str] | None = None
    rows = []
    for line, cells in lines:
        texts = [_text_of(cell) for cell in cells]
        if header is None:
            if not any(texts):
                continue  # blank lines above the header
            header = [normalize_column(text) for text in texts]
            continue
        if not any(texts):
            continue
        rows.append((line, {column: texts[i] if i < len(texts) else "" for i, column in enumerate(header) if column}))
    if header is None:
        raise ImportFileError(_("The file has no header row."))
    return Table(header=[column for column in header if column], rows=rows)


def _read_csv(data: bytes) -> Table:
    if b"\x00" in data[:8192]:
        raise ImportFileError(_("This is not a CSV file or spreadsheet. Choose a .csv or .xlsx file."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportFileError(
            _("The file is not in UTF-8 (line %(line)d). In Excel choose \"Save as\" → \"CSV UTF-8\", "
              "in LibreOffice the character set \"Unicode (UTF-8)\".") % {"line": line}
        ) from None
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        return _table((reader.line_num, cells) for cells in reader)
    except csv.Error as error:
        raise ImportFileError(_("The CSV file is damaged near line %(line)d: %(error)s")
                              % {"line": reader.line_num, "error": error}) from None


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if "xl/workbook.xml" not in archive.namelist():
                raise ImportFileError(_("This file is not an Excel workbook. Choose a .csv or .xlsx file."))
    except zipfile.BadZipFile:
        raise ImportFileError(_("The workbook is damaged and cannot be read.")) from None
    if unpacked > max_bytes() * UNPACKED_FACTOR:
        raise ImportFileError(_("The workbook is too large once unpacked. Split it into several files."))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(_("The workbook is damaged and cannot be read.")) from None
    try:
        sheet = workbook.worksheets[0]
        return _table((line, list(cells)) for line, cells in enumerate(sheet.iter_rows(values_only=True), start=1))
    finally:
        workbook.close()
