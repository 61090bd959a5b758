"""Import organizations and technology offers from a spreadsheet (.xlsx or .csv): all or nothing.

Organizers collect startup applications in spreadsheets (Google Forms exports, Korean Excel).
``import_profiles(data)`` reads the file, maps its headers, checks every row and every field, and
saves everything in one transaction, or nothing when a single row is bad; the result lists what was
created and updated, or every error with its sheet, row (as the spreadsheet shows it: the header is
row 1), column and a reason in the active language.

The file
--------
- **.xlsx**: every visible, non-empty sheet is a table (hidden sheets are skipped and noted);
  **.csv**: one table, UTF-8 with or without BOM, UTF-16 with BOM, or CP949/EUC-KR (what Korean
  Excel writes); comma, semicolon or tab separated. The content decides the format, never the
  file name: an .xlsx is a zip (``PK\\x03\\x04``), anything else must be text.
- Row 1 holds the headers. A table's headers decide what it holds: organization columns only →
  one organization per row; offer columns with ``organization`` → one offer per row, referring
  to its organization; organization *and* offer columns (a Google Forms application, one row per
  technology) → each row is an organization and one of its offers; the organization may repeat on
  several rows with the same values. Unknown columns are ignored and noted; blank rows skipped.

The columns, their headers in English and Korean and the values they take are declared once, in
``matching.imports.columns``; ``docs/import-format.md`` is generated from that declaration
(``manage.py import_format_doc``).

Existing rows
-------------
An organization is the existing one with the same 사업자등록번호, else the same slug, else (when
the row gives neither) the same Korean and English names: it is updated, never duplicated. An
offer is the existing one of its organization with the same title. Empty cells keep the stored
value (a spreadsheet never wipes data); an existing organization keeps its kind, and organizer
organizations are not changed by an import. The result counts created, updated and unchanged rows.

An organizer's import (``organizers=…``, the page) may create organizations — marked as its own in
``Organization.imported_by`` — and change (update, or give offers to) only those that its own
imports created and that still have no member and take part in no other organizer's salon (a
registration in any status): never a company that manages its own profile, nor a participant of
someone else's salon. Any other row naming a stored organization is an error that says why
(``Scope``). The platform's command (``organizers=None``) may change any. Every import that commits
is audited: one row for the importer, and one per salon (``details["salon"]``) where an
organization it changed is registered, which that salon's organizers read on their audit page.

Writes go through ``accounts.services`` and ``matching.services`` (``full_clean()`` before every
save), so the models stay the single source of the rules; this package only turns cells into field
values and says where each error is. The embeddings that the offer services queue with
``transaction.on_commit`` run only when the whole import commits.

The package, in the order an import runs: ``columns`` (the declaration), ``reading`` (file → text
cells), ``cells`` (cells → field values), ``planning`` (every row checked, the plan),
``saving`` (the plan saved in one transaction), ``results``; ``templates``, the files to fill in, and
``format_doc``, which writes the format document.
"""

from matching.imports.columns import (
    APPLICATION,
    COLUMN,
    COLUMNS,
    DESCRIPTION_HEADERS,
    HEADER_KEYS,
    OFFER,
    ORGANIZATION,
    Column,
)
from matching.imports.reading import read_sheets
from matching.imports.results import ImportedRow, ImportRefused, ImportResult, RowError
from matching.imports.saving import Scope, import_profiles
from matching.imports.templates import template_csv, template_xlsx

__all__ = [
    "APPLICATION",
    "COLUMN",
    "COLUMNS",
    "DESCRIPTION_HEADERS",
    "HEADER_KEYS",
    "OFFER",
    "ORGANIZATION",
    "Column",
    "ImportRefused",
    "ImportResult",
    "ImportedRow",
    "RowError",
    "Scope",
    "import_profiles",
    "read_sheets",
    "template_csv",
    "template_xlsx",
]
