"""What an import did, or would do, row by row; and that report as a CSV a spreadsheet opens safely."""

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tessera.tickets.exports import neutralize


class ImportFileError(Exception):
    """The file as a whole cannot be read: wrong encoding, wrong columns, not a spreadsheet, too large."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


#: Row outcomes, in the order a report lists them.
CREATED, UPDATED, UNCHANGED, ERROR = "created", "updated", "unchanged", "error"
OUTCOME_LABELS = {
    CREATED: gettext_lazy("new"),
    UPDATED: gettext_lazy("changed"),
    UNCHANGED: gettext_lazy("unchanged"),
    ERROR: gettext_lazy("error"),
}


@dataclass
class RowResult:
    """One row of the file: its line (1 is the header of a table, the first ticket of a JSON lines file)."""

    line: int
    key: str
    outcome: str = UNCHANGED
    messages: list[str] = field(default_factory=list)

    def fail(self, message: str) -> None:
        self.outcome = ERROR
        self.messages.append(message)

    def note(self, message: str) -> None:
        self.messages.append(message)

    @property
    def failed(self) -> bool:
        return self.outcome == ERROR

    def as_dict(self) -> dict:
        return {"line": self.line, "key": self.key, "outcome": self.outcome, "messages": self.messages}


@dataclass
class Report:
    rows: list[RowResult] = field(default_factory=list)
    #: Counts beyond the rows' outcomes, e.g. "contacts_created", "invited", "comments".
    extra: Counter = field(default_factory=Counter)

    def summary(self) -> dict[str, int]:
        counts = Counter(row.outcome for row in self.rows)
        result = {outcome: counts.get(outcome, 0) for outcome in (CREATED, UPDATED, UNCHANGED, ERROR)}
        result.update(self.extra)
        result["rows"] = len(self.rows)
        return result

    @property
    def errors(self) -> list[RowResult]:
        return [row for row in self.rows if row.failed]


def report_csv(rows: list[dict]) -> str:
    """The report as CSV text; every cell a spreadsheet would run as a formula is neutralized."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Line"), _("Key"), _("Result"), _("Messages")])
    for row in rows:
        label = str(OUTCOME_LABELS.get(row["outcome"], row["outcome"]))
        writer.writerow([row["line"], neutralize(str(row["key"])), label,
                         neutralize(" | ".join(row["messages"]))])
    return out.getvalue()
