"""``docs/import-format.md``, made from the column declarations (``manage.py import_format_doc``):
the headers in English and Korean, what each column holds, whether it is required, the values it
takes and the example of the templates; the enumerations and approvals with their labels in both
languages. A test keeps the committed file equal to what this module makes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import override

from matching.enums import PATHWAYS_BY_MARKET, ApprovalStatus, Market, Pathway
from matching.imports.cells import AUTHORITIES
from matching.imports.columns import COLUMNS, DESCRIPTION_HEADERS, OFFER, ORGANIZATION, Column

PATH = "docs/import-format.md"  # from the project's root

INTRODUCTION = """\
`python manage.py import_profiles FILE` and the organizer page `/organize/import/` import organizations
and technology offers from a spreadsheet, all or nothing (`matching/imports/`); the page runs the import
in the background and shows its progress and result at `/organize/import/<id>/`. The templates at
`/organize/import/template.xlsx` and `/organize/import/template.csv` have the Korean headers and the
examples below.

## The file

- **.xlsx**: every visible sheet is a table (hidden sheets are skipped). **.csv**: one table, in UTF-8
  (with or without BOM), UTF-16 with BOM or CP949/EUC-KR, comma, semicolon or tab separated. The
  content decides the format, not the file name; a .xls, a PDF or an image is refused. At most
  `IMPORT_MAX_BYTES` bytes and `IMPORT_MAX_ROWS` data rows. An .xlsx is checked before it is read: it
  may expand to at most `IMPORT_MAX_UNCOMPRESSED_BYTES` in all, and no part of it larger than 1 MiB
  may be compressed more than `IMPORT_MAX_COMPRESSION_RATIO` to 1.
- Row 1 holds the headers, which decide what a table holds: organization columns → one organization
  per row; offer columns with `organization` → one offer per row, referring to its organization;
  both → an application, one technology per row with its company (the company may repeat on several
  rows with the same values; no `organization` column). Unknown columns are ignored and reported,
  blank rows skipped.
- Headers ignore case, spaces, `_`, `-`, `·`, `.`, `/`, `:`, `*` and brackets; full-width characters
  count as their usual forms.
- {description} mean the organization's description in an organizations table and the offer's
  in an offers table; an application needs the two specific headers.
- Enumerations take their code or their English or Korean label (`clinical`, `Clinical`, `임상`); lists
  are separated by `,` or `;`.
- An organization is the stored one with the same 사업자등록번호, else the same slug, else (with
  neither) the same Korean and English names; an offer is the stored one of its organization with the
  same title. Empty cells keep the stored value; in a new row they mean what *Required* says.
- An organizer's import (the page) may change — update, or give offers to — only the organizations
  that its own imports created and that still have no member and take part in no other organizer's
  salon; any other stored organization a row names is an error. The command may change any. Every
  import is audited, also in the audit of each salon where an organization it changed takes part.
"""

HEADER = (
    "| English header | Korean header(s) | Meaning | Required | Values | Example |\n"
    "| --- | --- | --- | --- | --- | --- |"
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _both(text) -> str:
    """A label in English and in Korean, once when the two are the same."""
    with override("en"):
        english = str(text)
    with override("ko"):
        korean = str(text)
    return english if english == korean else f"{english} — {korean}"


def _codes(values) -> str:
    return ", ".join(f"`{value}`" for value in values)


def _required(column: Column) -> str:
    if column.required:
        # An application row's offer belongs to the row's own organization.
        return "yes, in an offers table" if column.key == ORGANIZATION else "yes"
    return f"no (empty: {column.empty})" if column.empty else "no"


def _values(column: Column) -> str:
    parts = []
    if column.choices is not None:
        codes = _codes(column.allowed or column.choices.values)
        if column.many:
            parts.append(f"any of {codes} or their labels, separated by `,` or `;`")
        else:
            parts.append(f"one of {codes} or its label")
    if column.written:
        parts.append(column.written)
    return "; ".join(parts)


def column_row(column: Column) -> str:
    """One column as a row of the table of its kind."""
    english = ", ".join(f"`{name}`" for name in (column.english, *[a for a in column.aliases if a.isascii()]))
    korean = ", ".join((column.korean, *[a for a in column.aliases if not a.isascii()]))
    cells = (english, korean, _both(column.describe()), _required(column), _values(column), column.example)
    return "| " + " | ".join(_cell(cell) for cell in cells) + " |"


def _choices_table(choices: type[models.TextChoices], values=None, extra: dict | None = None) -> list[str]:
    labels = dict(choices.choices)
    lines = ["| Code | English | Korean |" + (" Also written |" if extra else ""), "| --- | --- | --- |"]
    if extra:
        lines[1] += " --- |"
    for value in choices.values if values is None else values:
        with override("en"):
            english = str(labels[value])
        with override("ko"):
            korean = str(labels[value])
        row = f"| `{value}` | {_cell(english)} | {_cell(korean)} |"
        if extra:
            row += f" {', '.join(extra.get(value, ()))} |"
        lines.append(row)
    return lines


def markdown() -> str:
    """The whole of ``docs/import-format.md``."""
    description = ", ".join(f"`{name}`" for name in DESCRIPTION_HEADERS)
    lines = [
        "# Spreadsheet import format",
        "",
        "<!-- Made from matching/imports/columns.py by `python manage.py import_format_doc`: do not edit. -->",
        "",
        INTRODUCTION.replace("{description}", description).rstrip("\n"),
    ]
    for table, title in ((ORGANIZATION, "Organization columns"), (OFFER, "Technology offer columns")):
        lines += ["", f"## {title}", "", HEADER, *(column_row(c) for c in COLUMNS if c.table == table)]
    lines += ["", "## Values"]
    for column in COLUMNS:
        if column.choices is not None:
            lines += ["", f"### `{column.english}` ({column.korean})", ""]
            lines += _choices_table(column.choices, column.allowed)
    lines += [
        "",
        "## Approvals",
        "",
        "`market:pathway:status` items separated by `;` (or `,`), e.g. `MFDS:class2:granted; FDA:510k:submitted`",
        "or `식약처:2등급:허가됨`; each part by its code or its label in either language.",
        "",
        "### Markets",
        "",
        *_choices_table(
            Market, extra={market: [f"`{name}`" for name in names] for market, names in AUTHORITIES.items()}
        ),
        "",
        "### Pathways",
        "",
        "A pathway is also written without its market (`2`, `class 2`, `2등급` for `mfds_2`; `510k`, `510(k)`;",
        "`IIa`), or with the authority's name (`MFDS class 2`, `식약처 2등급`).",
    ]
    for market, pathways in PATHWAYS_BY_MARKET.items():
        lines += ["", f"#### {_both(Market(market).label)}", "", *_choices_table(Pathway, pathways)]
    lines += ["", "### Statuses", "", *_choices_table(ApprovalStatus)]
    return "\n".join(lines) + "\n"
