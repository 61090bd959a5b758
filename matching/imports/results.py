"""What an import answers: the rows created, updated or unchanged, or every error with its sheet,
row and column; and the refusal of a file as a whole."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from matching.imports.columns import OFFER, ORGANIZATION


@dataclass(frozen=True)
class RowError:
    sheet: str  # the sheet's name; "" for a CSV file
    row: int | None  # as the spreadsheet shows it (header = 1); None for the file as a whole
    column: str  # the header as written in the file; "" for the row or file as a whole
    message: str

    def __str__(self):
        where = ", ".join(part for part in (location(self.sheet, self.row), self.column) if part)
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True)
class ImportedRow:
    kind: str  # ORGANIZATION or OFFER
    outcome: str  # created, updated or unchanged
    sheet: str
    row: int
    label: str


@dataclass
class ImportResult:
    dry_run: bool = False
    rows: list[ImportedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, kind: str, outcome: str) -> int:
        return sum(1 for row in self.rows if row.kind == kind and row.outcome == outcome)

    def counts(self) -> dict[str, dict[str, int]]:
        return {
            kind: {outcome: self.count(kind, outcome) for outcome in ("created", "updated", "unchanged")}
            for kind in (ORGANIZATION, OFFER)
        }


def location(sheet: str, row: int | None) -> str:
    if row is None:
        return sheet
    if sheet:
        return _("sheet %(sheet)s, row %(row)d") % {"sheet": sheet, "row": row}
    return _("row %(row)d") % {"row": row}


class ImportRefused(Exception):
    """The file as a whole cannot be imported (empty, too large, not a spreadsheet …)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
