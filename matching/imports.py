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

Headers (case, spaces, ``_``, ``-``, ``·``, ``/`` and brackets are ignored); the template header first:

| English header                               | Korean header(s)                 | required              |
| -------------------------------------------- | -------------------------------- | --------------------- |
| kind (startup, corporate)                    | 유형, 기관 유형                    | no (startup)          |
| name_ko                                      | 회사명(국문), 기관명(국문)          | yes                   |
| name_en                                      | 회사명(영문), 기관명(영문)          | yes                   |
| slug                                         | 슬러그                            | no (made from a name) |
| country (two letters)                        | 국가                              | no (KR)               |
| website                                      | 홈페이지, 웹사이트                  | no                    |
| business_registration_number, brn            | 사업자등록번호, 사업자번호           | no                    |
| cluster                                      | 클러스터                          | no                    |
| contact_email                                | 담당자 이메일, 이메일               | no                    |
| contact_phone                                | 담당자 연락처, 연락처, 전화번호      | no                    |
| organization_description                     | 회사 소개, 기관 소개                | no                    |
| organization (slug, 사업자등록번호, or name)   | 회사, 기관                         | yes, in offers tables |
| title                                        | 기술명                            | yes                   |
| offer_description                            | 기술 설명, 기술 소개                | yes                   |
| stage                                        | 개발 단계                          | yes                   |
| deal_types (list)                            | 협력 유형, 희망 협력 유형            | yes                   |
| target_regions (list)                        | 목표 지역, 목표 시장                | yes                   |
| status                                       | 상태                              | no (draft)            |
| approvals                                    | 인허가                            | no                    |

``description`` / 설명 / 소개 mean the organization's description in an organizations table and the
offer's in an offers table (an application table needs the two specific headers). Enumerations
take their code or their Korean or English label (``clinical``, ``임상``, ``Clinical``); lists are
separated by commas or semicolons; approvals are ``market:pathway:status`` items separated by
semicolons, e.g. ``MFDS:class2:granted; FDA:510k:submitted`` or ``식약처:2등급:허가됨``.

Existing rows
-------------
An organization is the existing one with the same 사업자등록번호, else the same slug, else (when
the row gives neither) the same Korean and English names: it is updated, never duplicated. An
offer is the existing one of its organization with the same title. Empty cells keep the stored
value (a spreadsheet never wipes data); an existing organization keeps its kind, and organizer
organizations are not changed by an import. The result counts created, updated and unchanged rows.

Writes go through ``accounts.services`` and ``matching.services`` (``full_clean()`` before every
save), so the models stay the single source of the rules; this module only turns cells into field
values and says where each error is. The embeddings that the offer services queue with
``transaction.on_commit`` run only when the whole import commits.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts import audit
from accounts import services as organization_services
from accounts.models import AuditAction, Cluster, Organization, OrganizationKind, User
from accounts.selectors import salon_participants
from accounts.validators import normalize_business_registration_number
from matching import services as offer_services
from matching.enums import PATHWAYS_BY_MARKET, ApprovalStatus, DealType, Market, OfferStatus, Pathway, Region, Stage
from matching.models import TechnologyOffer

ORGANIZATION = "organization"
OFFER = "offer"
APPLICATION = "application"  # a table whose rows each hold an organization and one of its offers

# Columns beyond this are not read: a real application form has a few dozen.
MAX_COLUMNS = 100
# An .xlsx is compressed: refuse one that would expand past this multiple of the size limit
# (sharedStrings.xml is read whole even in read-only mode, so a zip bomb would exhaust memory).
MAX_EXPANSION = 40

XLSX_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx
BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LIST_SEPARATORS = re.compile(r"[,;\n、，；]")
APPROVAL_SEPARATORS = re.compile(r"[;\n,；，]")
HEADER_NOISE = re.compile(r"[\s_\-·./()\[\]{}:*]")


@dataclass(frozen=True)
class Column:
    key: str
    table: str  # ORGANIZATION or OFFER
    english: str
    korean: str  # the header of the downloadable templates
    aliases: tuple[str, ...] = ()
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("kind", ORGANIZATION, "kind", "유형", ("기관 유형",)),
    Column("name_ko", ORGANIZATION, "name_ko", "회사명(국문)", ("기관명(국문)",), required=True),
    Column("name_en", ORGANIZATION, "name_en", "회사명(영문)", ("기관명(영문)",), required=True),
    Column("slug", ORGANIZATION, "slug", "슬러그"),
    Column("country", ORGANIZATION, "country", "국가"),
    Column("website", ORGANIZATION, "website", "홈페이지", ("웹사이트",)),
    Column(
        "business_registration_number",
        ORGANIZATION,
        "business_registration_number",
        "사업자등록번호",
        ("brn", "사업자번호"),
    ),
    Column("cluster", ORGANIZATION, "cluster", "클러스터"),
    Column("contact_email", ORGANIZATION, "contact_email", "담당자 이메일", ("이메일",)),
    Column("contact_phone", ORGANIZATION, "contact_phone", "담당자 연락처", ("연락처", "전화번호")),
    Column("organization_description", ORGANIZATION, "organization_description", "회사 소개", ("기관 소개",)),
    Column(ORGANIZATION, OFFER, "organization", "회사", ("기관",), required=True),
    Column("title", OFFER, "title", "기술명", required=True),
    Column("offer_description", OFFER, "offer_description", "기술 설명", ("기술 소개",), required=True),
    Column("stage", OFFER, "stage", "개발 단계", required=True),
    Column("deal_types", OFFER, "deal_types", "협력 유형", ("희망 협력 유형",), required=True),
    Column("target_regions", OFFER, "target_regions", "목표 지역", ("목표 시장",), required=True),
    Column("status", OFFER, "status", "상태"),
    Column("approvals", OFFER, "approvals", "인허가"),
)
COLUMN = {column.key: column for column in COLUMNS}
DESCRIPTION = "description"  # resolved to one of the two descriptions by the table's kind
DESCRIPTION_HEADERS = ("description", "설명", "소개")

# Model field → column key, where they differ.
ORGANIZATION_FIELD_COLUMN = {"description": "organization_description"}
OFFER_FIELD_COLUMN = {"description": "offer_description"}

IMPORTABLE_KINDS = (OrganizationKind.STARTUP, OrganizationKind.CORPORATE)
AUTHORITIES = {
    Market.KR: ("mfds", "식약처", "식품의약품안전처"),
    Market.US: ("fda",),
    Market.EU: ("ce",),
    Market.JP: ("pmda",),
    Market.CN: ("nmpa",),
}


def _normalise(text: str) -> str:
    """What two spellings of a header or a label have in common (full-width forms, case, spaces)."""
    return HEADER_NOISE.sub("", unicodedata.normalize("NFKC", text).casefold())


HEADER_KEYS: dict[str, str] = {
    _normalise(name): column.key for column in COLUMNS for name in (column.english, column.korean, *column.aliases)
} | {_normalise(name): DESCRIPTION for name in DESCRIPTION_HEADERS}


# --- Results --------------------------------------------------------------------------------------


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


# --- Reading --------------------------------------------------------------------------------------


@dataclass
class Sheet:
    name: str
    rows: list[tuple[int, list[str]]]  # (row number, cells); row 1 is the header


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        # Excel stores 1234567890 (a 사업자등록번호 typed as a number) as a float.
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def _too_many_rows(limit: int) -> ImportRefused:
    return ImportRefused(
        _("The file has more than %(limit)d data rows; split it into files of at most %(limit)d rows.")
        % {"limit": limit}
    )


def _collect(name: str, rows: Iterable[Iterable], counted: list[int], limit: int) -> Sheet:
    """The rows of one table, trailing blanks cut; ``counted`` carries the data rows of the file."""
    sheet = Sheet(name, [])
    for number, values in enumerate(rows, start=1):
        cells = [_cell_text(value) for value in list(values)[:MAX_COLUMNS]]
        if not any(cells):
            continue
        if number > 1:
            counted[0] += 1
            if counted[0] > limit:
                raise _too_many_rows(limit)
        sheet.rows.append((number, cells))
    return sheet


def _read_xlsx(data: bytes, limit: int, notes: list[str]) -> list[Sheet]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    unreadable = ImportRefused(
        _("This .xlsx file cannot be read (damaged, or not an Excel workbook). Save it again as .xlsx or CSV.")
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise unreadable from None
    if expanded > settings.IMPORT_MAX_BYTES * MAX_EXPANSION:
        raise _too_large()
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError):
        raise unreadable from None
    sheets, counted = [], [0]
    try:
        for worksheet in workbook.worksheets:
            if worksheet.sheet_state != "visible":
                notes.append(_("The hidden sheet %(sheet)s was skipped.") % {"sheet": worksheet.title})
                continue
            # Some writers record a wrong sheet size; read what is there instead of trusting it.
            worksheet.reset_dimensions()
            sheet = _collect(
                worksheet.title, worksheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), counted, limit
            )
            if sheet.rows:
                sheets.append(sheet)
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile, OSError, EOFError):
        raise unreadable from None
    finally:
        workbook.close()
    return sheets


def _decode(data: bytes) -> str:
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode("utf-8-sig" if encoding == "utf-8" else encoding)
            except UnicodeDecodeError:
                break
    else:
        # CP949 (a superset of EUC-KR) is what Korean Excel writes for "CSV"; UTF-8 comes first
        # because valid UTF-8 Korean text is almost never valid CP949 and vice versa.
        for encoding in ("utf-8", "cp949"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
    raise ImportRefused(_("The CSV file's encoding is not recognised: save it as UTF-8 (or CP949/EUC-KR)."))


def _read_csv(data: bytes, limit: int) -> list[Sheet]:
    text = _decode(data)
    if CONTROL_CHARACTERS.search(text):
        raise _not_a_spreadsheet()
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        sheet = _collect("", csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [0], limit)
    except csv.Error as error:
        raise ImportRefused(_("The CSV file cannot be read: %(error)s") % {"error": error}) from None
    return [sheet] if sheet.rows else []


def _not_a_spreadsheet() -> ImportRefused:
    return ImportRefused(_("This is not an .xlsx or .csv file. Upload an Excel workbook (.xlsx) or a CSV file."))


def _too_large() -> ImportRefused:
    limit = settings.IMPORT_MAX_BYTES
    return ImportRefused(
        _("The file is too large: at most %(size)s (%(bytes)d bytes).")
        % {"size": f"{limit / 1024 / 1024:.1f} MB", "bytes": limit}
    )


def read_sheets(data: bytes, notes: list[str] | None = None) -> list[Sheet]:
    """The tables of an .xlsx or .csv file, told apart by content; raises ``ImportRefused``."""
    notes = [] if notes is None else notes
    limit = settings.IMPORT_MAX_ROWS
    if not data.strip():
        raise ImportRefused(_("The file is empty."))
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise _too_large()
    if data.startswith(XLSX_MAGIC):
        sheets = _read_xlsx(data, limit, notes)
    elif data.startswith(OLE2_MAGIC):
        raise ImportRefused(
            _(
                "This is an old Excel (.xls) or a password-protected workbook. "
                "Save it as .xlsx or CSV without a password."
            )
        )
    elif data.startswith(BINARY_MAGIC) or (
        b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    ):
        raise _not_a_spreadsheet()
    else:
        sheets = _read_csv(data, limit)
    if not sheets:
        raise ImportRefused(_("The file is empty."))
    return sheets


# --- Cells to field values ------------------------------------------------------------------------


def _choices_table(choices: type[models.TextChoices], allowed: Iterable[str] | None = None) -> dict[str, str]:
    """Code, English label and Korean label (normalised) → code."""
    allowed = set(choices.values if allowed is None else allowed)
    table = {}
    for value, label in choices.choices:
        if value not in allowed:
            continue
        table[_normalise(value)] = value
        for language in ("en", "ko"):
            with override(language):
                table[_normalise(str(label))] = value
    return table


def _allowed(choices: type[models.TextChoices], values: Iterable[str] | None = None) -> str:
    labels = dict(choices.choices)
    return ", ".join(f"{value} ({labels[value]})" for value in (choices.values if values is None else values))


def _pathway_key(text: str) -> str:
    return _normalise(text).replace("class", "").replace("등급", "")


def _pathway_table(market: str) -> dict[str, str]:
    """How people write a market's pathways: ``mfds_2``, ``class 2``, ``2``, ``MFDS class 2``,
    ``식약처 2등급``; ``510k``, ``510(k)``; ``IIa``, ``CE MDR class IIa`` …"""
    table: dict[str, str] = {}
    codes = PATHWAYS_BY_MARKET[market]
    last_segments = [code.rsplit("_", 1)[1] for code in codes]
    for code, last in zip(codes, last_segments, strict=True):
        names = {code, code.split("_", 1)[1]}
        if last_segments.count(last) == 1:
            names.add(last)
        for language in ("en", "ko"):
            with override(language):
                names.add(str(Pathway(code).label))
        for name in names:
            key = _pathway_key(name)
            table[key] = code
            for authority in AUTHORITIES[market]:
                if key.startswith(authority) and len(key) > len(authority):
                    table[key[len(authority) :]] = code
    return table


class Cells:
    """Field values from one row's cells, with an error for each cell that cannot be read."""

    def __init__(self, tables: Tables, sheet: str, row: int, headers: dict[str, str], cells: dict[str, str]):
        self.tables, self.sheet, self.row, self.headers, self.cells = tables, sheet, row, headers, cells
        self.errors: list[RowError] = []
        self.failed: set[str] = set()  # column keys with an error: the model's own words about them are dropped

    def text(self, key: str) -> str:
        return self.cells.get(key, "")

    def error(self, key: str, message: str) -> None:
        self.failed.add(key)
        self.errors.append(RowError(self.sheet, self.row, self.headers.get(key, ""), message))

    def choice(self, key: str, choices: type[models.TextChoices], table: dict[str, str], allowed=None) -> str:
        raw = self.text(key)
        value = table.get(_normalise(raw))
        if value is None:
            self.error(
                key,
                _("“%(value)s” is not an allowed value. Allowed: %(allowed)s.")
                % {"value": raw, "allowed": _allowed(choices, allowed)},
            )
            return raw
        return value

    def choice_list(self, key: str, choices: type[models.TextChoices], table: dict[str, str]) -> list[str]:
        items = [item.strip() for item in LIST_SEPARATORS.split(self.text(key)) if item.strip()]
        unknown = [item for item in items if _normalise(item) not in table]
        if unknown:
            self.error(
                key,
                _("Unknown value(s): %(unknown)s. Allowed: %(allowed)s.")
                % {"unknown": ", ".join(f"“{item}”" for item in unknown), "allowed": _allowed(choices)},
            )
        return [table[_normalise(item)] for item in items if _normalise(item) in table]

    def approvals(self) -> list[dict]:
        approvals = []
        for item in (part.strip() for part in APPROVAL_SEPARATORS.split(self.text("approvals"))):
            if not item:
                continue
            parts = [part.strip() for part in unicodedata.normalize("NFKC", item).split(":")]
            if len(parts) != 3:
                self.error(
                    "approvals",
                    _("“%(item)s”: write each approval as market:pathway:status, e.g. MFDS:class2:granted.")
                    % {"item": item},
                )
                continue
            market = self.tables.markets.get(_normalise(parts[0]))
            if market is None:
                self.error(
                    "approvals",
                    _("“%(item)s”: unknown market “%(value)s”. Allowed: %(allowed)s.")
                    % {"item": item, "value": parts[0], "allowed": _allowed(Market)},
                )
                continue
            pathway = self.tables.pathways[market].get(_pathway_key(parts[1]))
            if pathway is None:
                self.error(
                    "approvals",
                    _("“%(item)s”: “%(value)s” is not a pathway of %(market)s. Allowed: %(allowed)s.")
                    % {
                        "item": item,
                        "value": parts[1],
                        "market": Market(market).label,
                        "allowed": _allowed(Pathway, PATHWAYS_BY_MARKET[market]),
                    },
                )
                continue
            status = self.tables.approval_statuses.get(_normalise(parts[2]))
            if status is None:
                self.error(
                    "approvals",
                    _("“%(item)s”: unknown status “%(value)s”. Allowed: %(allowed)s.")
                    % {"item": item, "value": parts[2], "allowed": _allowed(ApprovalStatus)},
                )
                continue
            approvals.append({"market": market, "pathway": pathway, "status": status})
        return approvals

    def model_errors(self, error: ValidationError, field_column: dict[str, str], drop: Iterable[str] = ()) -> None:
        """The model's validation errors, each on the column of its field."""
        by_field = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
        for name, messages in by_field.items():
            key = field_column.get(name, name)
            if key in self.failed or name in drop:
                continue
            for message in messages:
                self.errors.append(RowError(self.sheet, self.row, self.headers.get(key, ""), message))


class Tables:
    """Lookups of the enumerations (code or label, either language), built once per import."""

    def __init__(self):
        self.kinds = _choices_table(OrganizationKind, IMPORTABLE_KINDS)
        self.clusters = _choices_table(Cluster)
        self.stages = _choices_table(Stage)
        self.deal_types = _choices_table(DealType)
        self.regions = _choices_table(Region)
        self.offer_statuses = _choices_table(OfferStatus)
        self.approval_statuses = _choices_table(ApprovalStatus)
        self.markets = _choices_table(Market) | {
            _normalise(name): market for market, names in AUTHORITIES.items() for name in names
        }
        self.pathways = {market: _pathway_table(market) for market in PATHWAYS_BY_MARKET}


# --- Rows -----------------------------------------------------------------------------------------


@dataclass
class OrganizationRow:
    cells: Cells
    values: dict  # model field → value, only for the cells that are filled in
    instance: Organization | None = None  # once saved (or found unchanged)
    failed: bool = False

    @property
    def label(self) -> str:
        return self.values.get("name_ko") or self.values.get("name_en") or ""


@dataclass
class OfferRow:
    cells: Cells
    values: dict
    approvals: list[dict] | None
    organization: OrganizationRow | Organization | None


def _organization_values(cells: Cells, tables: Tables) -> dict:
    values = {}
    for key in ("name_ko", "name_en", "slug", "contact_email", "contact_phone"):
        if cells.text(key):
            values[key] = cells.text(key)
    if cells.text("organization_description"):
        values["description"] = cells.text("organization_description")
    if cells.text("kind"):
        values["kind"] = cells.choice("kind", OrganizationKind, tables.kinds, IMPORTABLE_KINDS)
    if cells.text("cluster"):
        values["cluster"] = cells.choice("cluster", Cluster, tables.clusters)
    if cells.text("country"):
        values["country"] = cells.text("country").upper()
    if cells.text("business_registration_number"):
        # The model normalises too, but only after checking the length: 123-45-67890 has 12 characters.
        values["business_registration_number"] = normalize_business_registration_number(
            cells.text("business_registration_number")
        )
    if cells.text("website"):
        try:
            # The same reading as the organization form: "www.example.kr" means https://www.example.kr.
            values["website"] = forms.URLField(assume_scheme="https").to_python(cells.text("website"))
        except ValidationError as error:
            cells.error("website", " ".join(error.messages))
            values["website"] = cells.text("website")
    return values


def _offer_values(cells: Cells, tables: Tables) -> tuple[dict, list[dict] | None]:
    values = {}
    if cells.text("title"):
        values["title"] = cells.text("title")
    if cells.text("offer_description"):
        values["description"] = cells.text("offer_description")
    if cells.text("stage"):
        values["stage"] = cells.choice("stage", Stage, tables.stages)
    if cells.text("status"):
        values["status"] = cells.choice("status", OfferStatus, tables.offer_statuses)
    if cells.text("deal_types"):
        values["deal_types"] = cells.choice_list("deal_types", DealType, tables.deal_types)
    if cells.text("target_regions"):
        values["target_regions"] = cells.choice_list("target_regions", Region, tables.regions)
    approvals = cells.approvals() if cells.text("approvals") else None
    return values, approvals


def _header_name(key: str) -> str:
    column = COLUMN[key]
    return f"{column.korean} ({column.english})"


@dataclass
class Plan:
    organizations: list[OrganizationRow] = field(default_factory=list)
    offers: list[OfferRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    sheet_order: dict[str, int] = field(default_factory=dict)
    column_order: dict[tuple[str, str], int] = field(default_factory=dict)


def _map_headers(sheet: Sheet, plan: Plan, notes: list[str]) -> tuple[str, dict[str, int], dict[str, str]] | None:
    """(table kind, column key → index, column key → header) of a sheet, or None after an error."""

    def refuse(header: str, message: str) -> None:
        plan.errors.append(RowError(sheet.name, 1, header, message))

    number, header_cells = sheet.rows[0]
    if number != 1:
        refuse("", _("Row 1 must hold the column headers."))
        return None
    keys: dict[str, int] = {}
    headers: dict[str, str] = {}
    ignored = []
    same_field = _("The columns “%(first)s” and “%(second)s” are the same field; keep one of them.")
    for index, header in enumerate(header_cells):
        if not header:
            continue
        plan.column_order[(sheet.name, header)] = index
        key = HEADER_KEYS.get(_normalise(header))
        if key is None:
            ignored.append(header)
        elif key in keys:
            refuse(header, same_field % {"first": headers[key], "second": header})
        else:
            keys[key], headers[key] = index, header
    has_organization = "name_ko" in keys or "name_en" in keys
    if has_organization and "title" in keys:
        kind, tables = APPLICATION, (ORGANIZATION, OFFER)
    elif has_organization:
        kind, tables = ORGANIZATION, (ORGANIZATION,)
    elif "title" in keys or ORGANIZATION in keys:
        kind, tables = OFFER, (OFFER,)
    else:
        required = {
            table: ", ".join(_header_name(c.key) for c in COLUMNS if c.required and c.table == table)
            for table in (ORGANIZATION, OFFER)
        }
        refuse(
            "",
            _(
                "The headers name neither organizations nor offers. Organizations need %(organizations)s; "
                "offers need %(offers)s."
            )
            % {"organizations": required[ORGANIZATION], "offers": required[OFFER]},
        )
        return None
    if DESCRIPTION in keys:
        if kind == APPLICATION:
            refuse(
                headers[DESCRIPTION],
                _(
                    "With both organization and offer columns, say which description this is: "
                    "“회사 소개” (organization_description) or “기술 설명” (offer_description)."
                ),
            )
            return None
        key = "organization_description" if kind == ORGANIZATION else "offer_description"
        if key in keys:
            refuse(headers[DESCRIPTION], same_field % {"first": headers[key], "second": headers[DESCRIPTION]})
            return None
        keys[key], headers[key] = keys.pop(DESCRIPTION), headers.pop(DESCRIPTION)
    # An application row's offer belongs to the row's own organization: no "organization" column.
    unused = [key for key in keys if COLUMN[key].table not in tables or (kind == APPLICATION and key == ORGANIZATION)]
    for key in unused:
        ignored.append(headers.pop(key))
        del keys[key]
    missing = [
        c.key
        for c in COLUMNS
        if c.required
        and c.table in tables
        and c.key not in keys
        and not (kind == APPLICATION and c.key == ORGANIZATION)
    ]
    if missing:
        refuse("", _("Required columns are missing: %(columns)s.") % {"columns": ", ".join(map(_header_name, missing))})
        return None
    if ignored:
        where = _("sheet %(sheet)s") % {"sheet": sheet.name} if sheet.name else _("the file")
        notes.append(
            _("Columns ignored in %(where)s: %(columns)s.")
            % {"where": where, "columns": ", ".join(f"“{header}”" for header in ignored)}
        )
    return kind, keys, headers


class Registry:
    """The organizations of the file, found by 사업자등록번호, slug or names."""

    def __init__(self):
        self.by_key: dict[tuple[str, str], OrganizationRow] = {}

    @staticmethod
    def keys(values: dict) -> list[tuple[str, str]]:
        keys = []
        if values.get("business_registration_number"):
            keys.append(("brn", values["business_registration_number"]))
        if values.get("slug"):
            keys.append(("slug", values["slug"]))
        if not keys and (values.get("name_ko") or values.get("name_en")):
            keys.append(("names", f"{values.get('name_ko', '')}\n{values.get('name_en', '')}"))
        return keys

    def find(self, values: dict) -> OrganizationRow | None:
        return next((self.by_key[key] for key in self.keys(values) if key in self.by_key), None)

    def add(self, row: OrganizationRow) -> None:
        for key in self.keys(row.values):
            self.by_key.setdefault(key, row)

    def reference(self, text: str) -> OrganizationRow | None:
        """An offer's organization cell: a slug, a 사업자등록번호 or a name of an organization of the file."""
        digits = normalize_business_registration_number(text)
        found = self.by_key.get(("slug", text)) or self.by_key.get(("brn", digits))
        if found:
            return found
        wanted = _normalise(text)
        named = {
            id(row): row
            for row in self.by_key.values()
            if wanted in (_normalise(row.values.get("name_ko", "")), _normalise(row.values.get("name_en", "")))
        }
        return next(iter(named.values())) if len(named) == 1 else None


def _organization_cells(cells: Cells) -> dict[str, str]:
    return {key: text for key, text in cells.cells.items() if COLUMN[key].table == ORGANIZATION}


def _identity_column(values: dict) -> str:
    if values.get("business_registration_number"):
        return "business_registration_number"
    return "slug" if values.get("slug") else "name_ko"


def _where(row: OrganizationRow) -> str:
    return location(row.cells.sheet, row.cells.row)


def _plan(sheets: list[Sheet], notes: list[str]) -> Plan:
    plan = Plan(sheet_order={sheet.name: position for position, sheet in enumerate(sheets)})
    tables = Tables()
    registry = Registry()
    pending_offers: list[tuple[Cells, dict, list[dict] | None, OrganizationRow | None]] = []
    offer_sheets: list[Sheet] = []
    mapped: dict[int, tuple[str, dict[str, int], dict[str, str]]] = {}
    for sheet in sheets:
        result = _map_headers(sheet, plan, notes)
        if result is not None:
            mapped[id(sheet)] = result
    # Organizations first, from every table, so that offers anywhere in the file can refer to them.
    for sheet in sheets:
        if id(sheet) not in mapped:
            continue
        kind, keys, headers = mapped[id(sheet)]
        if kind == OFFER:
            offer_sheets.append(sheet)
            continue
        for number, row in sheet.rows[1:]:
            cells = Cells(
                tables, sheet.name, number, headers, {key: row[i] if i < len(row) else "" for key, i in keys.items()}
            )
            values = _organization_values(cells, tables)
            organization = OrganizationRow(cells, values)
            earlier = registry.find(values)
            if earlier is None:
                registry.add(organization)
                plan.organizations.append(organization)
            elif kind == APPLICATION and _organization_cells(earlier.cells) == _organization_cells(cells):
                organization = earlier  # the same company again, with another technology
            else:
                organization.failed = True
                cells.error(
                    _identity_column(values),
                    _("This organization is already in %(where)s.") % {"where": _where(earlier)}
                    if kind == ORGANIZATION
                    else _("This organization is already in %(where)s, with other values.")
                    % {"where": _where(earlier)},
                )
                plan.errors.extend(cells.errors)
            if kind == APPLICATION:
                offer_cells = Cells(tables, sheet.name, number, headers, cells.cells)
                offer_values, approvals = _offer_values(offer_cells, tables)
                pending_offers.append((offer_cells, offer_values, approvals, organization))
    for sheet in offer_sheets:
        _kind, keys, headers = mapped[id(sheet)]
        for number, row in sheet.rows[1:]:
            cells = Cells(
                tables, sheet.name, number, headers, {key: row[i] if i < len(row) else "" for key, i in keys.items()}
            )
            values, approvals = _offer_values(cells, tables)
            reference = cells.text(ORGANIZATION)
            pending_offers.append((cells, values, approvals, registry.reference(reference) if reference else None))
    seen: dict[tuple, Cells] = {}
    for cells, values, approvals, in_file in pending_offers:
        reference = cells.text(ORGANIZATION)
        target: OrganizationRow | Organization | None = in_file
        if target is None and reference:
            target = _existing_by_reference(reference)
        if target is None and ORGANIZATION in cells.headers:
            if reference:
                cells.error(
                    ORGANIZATION,
                    _(
                        "Unknown organization “%(value)s”: give the slug or business registration number of a "
                        "registered organization, or the name, slug or business registration number of an "
                        "organization in this file."
                    )
                    % {"value": reference},
                )
            else:
                cells.error(ORGANIZATION, _("Give the organization of this offer."))
        if target is not None and values.get("title"):
            owner = ("file", id(target)) if isinstance(target, OrganizationRow) else ("db", target.pk)
            key = (owner, values["title"].casefold())
            if key in seen:
                cells.error(
                    "title",
                    _("This organization already has an offer with this title in %(where)s.")
                    % {"where": location(seen[key].sheet, seen[key].row)},
                )
            else:
                seen[key] = cells
        plan.offers.append(OfferRow(cells, values, approvals, target))
    return plan


def _existing_by_reference(text: str) -> Organization | None:
    digits = normalize_business_registration_number(text)
    query = models.Q(slug=text)
    if re.fullmatch(r"\d{10}", digits):
        query |= models.Q(business_registration_number=digits)
    found = list(Organization.objects.filter(query)[:2])
    return found[0] if len(found) == 1 else None


# --- Saving ---------------------------------------------------------------------------------------


def _existing_organization(row: OrganizationRow) -> Organization | None:
    """The stored organization this row describes: same 사업자등록번호, else slug, else names."""
    values, cells = row.values, row.cells
    by_brn = by_slug = None
    if values.get("business_registration_number"):
        by_brn = Organization.objects.filter(
            business_registration_number=values["business_registration_number"]
        ).first()
    if values.get("slug"):
        by_slug = Organization.objects.filter(slug=values["slug"]).first()
    if by_brn and by_slug and by_brn.pk != by_slug.pk:
        cells.error(
            "slug",
            _(
                "The slug “%(slug)s” belongs to %(other)s, not to the organization with this business "
                "registration number (%(name)s)."
            )
            % {"slug": values["slug"], "other": by_slug.name, "name": by_brn.name},
        )
        return None
    if by_brn or by_slug:
        return by_brn or by_slug
    if "business_registration_number" in values or "slug" in values:
        return None
    named = list(Organization.objects.filter(name_ko=values.get("name_ko", ""), name_en=values.get("name_en", ""))[:2])
    if len(named) > 1:
        cells.error(
            "name_ko", _("Several organizations have these names: give the slug or the business registration number.")
        )
        return None
    return named[0] if named else None


class Scope:
    """Which stored organizations an import may change. ``organizers=None`` (the command, run by the
    platform's operators): any. An organizer's import: organizations nobody has claimed yet (no
    member; typically created by an earlier import) and those that applied to its salons, never
    another company's own profile."""

    def __init__(self, organizers=None):
        self.organizers = organizers
        self._participants: set[int] | None = None

    def allows(self, organization: Organization) -> bool:
        if self.organizers is None or not organization.memberships.exists():
            return True
        if self._participants is None:
            self._participants = set(salon_participants(self.organizers).values_list("pk", flat=True))
        return organization.pk in self._participants

    @staticmethod
    def refusal(organization: Organization) -> str:
        return _(
            "%(name)s is managed by its own members and has not applied to your salons; an import cannot change it."
        ) % {"name": organization.name}


def _save_organization(row: OrganizationRow, result: ImportResult, scope: Scope) -> None:
    cells, values = row.cells, row.values
    found = len(cells.errors)
    existing = _existing_organization(row)
    outcome = "created"
    try:
        with transaction.atomic():
            if len(cells.errors) > found:
                pass  # the row contradicts the stored organizations; nothing to check against
            elif existing is None:
                # Also for a row with errors already: the model still checks its other fields.
                row.instance = organization_services.organization_create(**{"kind": OrganizationKind.STARTUP, **values})
            elif not scope.allows(existing):
                cells.error(_identity_column(values), scope.refusal(existing))
            elif existing.kind not in IMPORTABLE_KINDS:
                cells.error(
                    _identity_column(values),
                    _("%(name)s is an organizer organization; imports do not change it.") % {"name": existing.name},
                )
            elif values.get("kind", existing.kind) != existing.kind:
                cells.error(
                    "kind",
                    _("%(name)s is registered as %(kind)s; an import does not change the kind.")
                    % {"name": existing.name, "kind": existing.get_kind_display()},
                )
            else:
                changed = {name: value for name, value in values.items() if getattr(existing, name) != value}
                outcome = "updated" if changed else "unchanged"
                if changed:
                    organization_services.organization_update(existing, **changed)
                row.instance = existing
            if cells.errors:
                raise _RowFailed
    except _RowFailed:
        pass
    except ValidationError as error:
        cells.model_errors(error, ORGANIZATION_FIELD_COLUMN)
    except IntegrityError:
        cells.error(
            _identity_column(values),
            _("Someone saved the same organization at the same moment; import the file again."),
        )
    if cells.errors:
        row.failed, row.instance = True, None
        return
    result.rows.append(ImportedRow(ORGANIZATION, outcome, cells.sheet, cells.row, row.label))


def _save_offer(row: OfferRow, result: ImportResult, scope: Scope) -> None:
    cells, values = row.cells, row.values
    target = row.organization
    organization = target.instance if isinstance(target, OrganizationRow) else target
    if isinstance(target, Organization) and not scope.allows(target):
        cells.error(ORGANIZATION, scope.refusal(target))
        organization = None
    if isinstance(target, OrganizationRow) and target.failed and ORGANIZATION in cells.headers:
        cells.error(
            ORGANIZATION, _("The organization in %(where)s has errors; fix them first.") % {"where": _where(target)}
        )
    # Without its organization the offer is still checked field by field; the missing organization
    # is already reported above, so the model's word about it is dropped.
    drop = () if organization is not None else ("organization",)
    existing = None
    if organization is not None and values.get("title"):
        existing = TechnologyOffer.objects.filter(organization=organization, title=values["title"]).first()
    outcome = "created"
    try:
        with transaction.atomic():
            if existing is None:
                offer_services.offer_create(organization=organization, approvals=row.approvals, **values)
            else:
                changed = {name: value for name, value in values.items() if getattr(existing, name) != value}
                approvals = row.approvals
                if approvals is not None:
                    stored = list(
                        existing.approvals.order_by("market", "pathway").values("market", "pathway", "status")
                    )
                    if sorted(approvals, key=lambda a: (a["market"], a["pathway"])) == stored:
                        approvals = None
                outcome = "updated" if changed or approvals is not None else "unchanged"
                if outcome == "updated":
                    offer_services.offer_update(existing, approvals=approvals, **changed)
            if cells.errors:
                raise _RowFailed
    except _RowFailed:
        pass
    except ValidationError as error:
        cells.model_errors(error, OFFER_FIELD_COLUMN, drop)
    except IntegrityError:
        cells.error("title", _("Someone saved the same offer at the same moment; import the file again."))
    if cells.errors:
        return
    result.rows.append(ImportedRow(OFFER, outcome, cells.sheet, cells.row, values.get("title", "")))


class _RowFailed(Exception):
    """Undo the savepoint of a row that passed the model but has an error of its own."""


def import_profiles(
    data: bytes, *, dry_run: bool = False, actor: User | None = None, organizers: Iterable[int] | None = None
) -> ImportResult:
    """Import the organizations and offers of an .xlsx or .csv file in one transaction.

    ``organizers``: the importing user's organizer organizations, which limits the stored
    organizations the file may change (:class:`Scope`); ``None`` for the platform's command.

    With errors, or with ``dry_run``, everything is rolled back (and the embeddings queued on
    commit are never sent); ``result.errors`` lists every bad cell, ``result.rows`` what was (or,
    for a dry run, would be) created, updated or left unchanged."""
    result = ImportResult(dry_run=dry_run)
    try:
        sheets = read_sheets(data, result.notes)
    except ImportRefused as refused:
        result.errors.append(RowError("", None, "", refused.message))
        return result
    plan = _plan(sheets, result.notes)
    if not plan.errors and not plan.organizations and not plan.offers:
        result.errors.append(RowError("", None, "", _("The file has headers but no data rows.")))
        return result
    scope = Scope(None if organizers is None else frozenset(organizers))
    with transaction.atomic():
        for organization in plan.organizations:
            _save_organization(organization, result, scope)
        for offer in plan.offers:
            _save_offer(offer, result, scope)
        errors = {id(error): error for error in plan.errors}
        for row in (*plan.organizations, *plan.offers):
            errors.update({id(error): error for error in row.cells.errors})
        result.errors = sorted(errors.values(), key=lambda error: _error_order(error, plan))
        if result.errors or dry_run:
            # Nothing of a bad file is kept; on_commit callbacks of the rolled-back work never run.
            transaction.set_rollback(True)
        else:
            audit.record(
                AuditAction.IMPORTED,
                actor=actor,
                organization=min(organizers) if organizers else None,
                counts=result.counts(),
            )
    if result.errors:
        result.rows = []
    return result


def _error_order(error: RowError, plan: Plan) -> tuple:
    column = plan.column_order.get((error.sheet, error.column), MAX_COLUMNS) if error.column else MAX_COLUMNS + 1
    return (plan.sheet_order.get(error.sheet, -1), error.row or 0, column)


# --- Templates ------------------------------------------------------------------------------------

EXAMPLE_BRN = "220-81-62517"
EXAMPLE_ORGANIZATION = {
    "kind": "스타트업",
    "name_ko": "메디비전",
    "name_en": "MediVision",
    "slug": "",
    "country": "KR",
    "website": "https://medivision.example",
    "business_registration_number": EXAMPLE_BRN,
    "cluster": "판교",
    "contact_email": "bd@medivision.example",
    "contact_phone": "02-1234-5678",
    "organization_description": "판교의 의료영상 AI 스타트업입니다. Seoul National University Hospital과 공동 연구.",
}
EXAMPLE_OFFER = {
    ORGANIZATION: EXAMPLE_BRN,
    "title": "흉부 CT 폐결절 검출 AI (LungFinder)",
    "offer_description": (
        "저선량 흉부 CT에서 폐결절을 자동으로 검출하고 Lung-RADS 등급을 제안하는 딥러닝 소프트웨어입니다."
    ),
    "stage": "임상",
    "deal_types": "라이선싱, 유통",
    "target_regions": "미국; 유럽",
    "status": "초안",
    "approvals": "식약처:2등급:허가됨; FDA:510(k):신청함",
}


def template_columns(table: str) -> list[Column]:
    return [c for c in COLUMNS if c.table == table]


def template_xlsx() -> bytes:
    """An empty workbook to fill in: sheets 기관 and 기술, Korean headers and one example row each."""
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    for worksheet, table, example in (
        (workbook.active, ORGANIZATION, EXAMPLE_ORGANIZATION),
        (workbook.create_sheet(), OFFER, EXAMPLE_OFFER),
    ):
        worksheet.title = "기관" if table == ORGANIZATION else "기술"
        columns = template_columns(table)
        worksheet.append([column.korean for column in columns])
        worksheet.append([example[column.key] for column in columns])
        for cell in worksheet[1]:
            cell.font = Font(bold=True)
        for index, column in enumerate(columns, start=1):
            width = max(len(column.korean) * 2, min(len(str(example[column.key])), 40)) + 4
            worksheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
        worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv() -> bytes:
    """A one-table CSV in the application layout (one row per technology, its company's columns
    first), UTF-8 with a BOM so that Korean Excel opens it right."""
    columns = template_columns(ORGANIZATION) + [c for c in template_columns(OFFER) if c.key != ORGANIZATION]
    example = EXAMPLE_ORGANIZATION | EXAMPLE_OFFER
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.korean for column in columns])
    writer.writerow([example[column.key] for column in columns])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")
