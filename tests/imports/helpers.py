"""Small import files, as a vendor's ERP or old portal would write them."""

import csv
import io
import json
from pathlib import Path

from openpyxl import Workbook

HEADER = ["customer_code", "name", "postal_code", "city", "country", "language", "email", "first_name", "last_name",
          "role"]
ROWS = [
    ["5001", "Praxis Bianchi", "20121", "Milano", "IT", "it", "anna@bianchi.test", "Anna", "Bianchi", "admin"],
    ["5001", "Praxis Bianchi", "20121", "Milano", "IT", "it", "marco@bianchi.test", "Marco", "Neri", "basic"],
    ["5002", "Zahnarzt Huber", "80331", "München", "DE", "de", "eva@huber.test", "Eva", "Huber", "manager"],
    ["5003", "Labor Kaiser", "1010", "Wien", "AT", "German", "", "", "", ""],
]


def csv_bytes(rows=ROWS, header=HEADER, *, delimiter=",", encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows=ROWS, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        # An ERP export often has the customer code as a number.
        sheet.append([int(row[0]) if row[0].isdigit() else row[0], *row[1:]])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write_tickets(folder: Path, tickets: list, files: dict[str, bytes] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "tickets.jsonl"
    path.write_text("".join((t if isinstance(t, str) else json.dumps(t)) + "\n" for t in tickets), encoding="utf-8")
    for name, content in (files or {}).items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return path
