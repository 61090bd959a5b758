"""Organizer exports of a salon's schedule as an .xlsx workbook: pure Python + openpyxl.

A thin view turns a salon into a :class:`SalonExport` (slots, tables, placed meetings, attendees) and
serves the bytes of :func:`schedule_workbook`; nothing here touches Django models or the database.
Every label is translated with ``gettext`` when the workbook is built, in the active language.

- :func:`grid` lays the meetings out, rows = slots in the order given, columns = tables in the order
  given. It is the one place the grid is built (the printable HTML page reuses it) and it refuses
  meetings at an unknown slot or table and two meetings at the same (slot, table).
- :func:`schedule_workbook` writes: the schedule sheet (title row, header row with the time column
  and one column per table, one row per slot, each meeting as ``"startup ↔ corporate\\ntopic"``,
  ``🔒`` first for locked meetings); one sheet per table (time, startup, corporate, topic, a row per
  slot); the attendees sheet. Times are local times of the salon's zone (``"14:00–14:20"``).
- Sheet names follow Excel's rules: no ``\\ / ? * [ ] :``, no apostrophe first or last, at most 31
  characters, unique regardless of case (``" (2)"`` and so on added when two tables collide).
- Formula injection: text that Excel or LibreOffice would run as a formula (starting with ``=``,
  ``+``, ``-``, ``@``, tab or carriage return) is stored as a string cell with the quote prefix, as
  if typed after an apostrophe: the cell shows the text as it is and never evaluates it. Characters
  XML cannot hold are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

from django.utils.text import capfirst
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

LOCK = "🔒"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SHEET_NAME_MAX = 31
SHEET_NAME_FORBIDDEN = re.compile(r"[\\/?*\[\]:]")
RESERVED_SHEET_NAMES = ("history",)  # Excel keeps "History" for itself
TITLE_FONT = Font(bold=True, size=14)
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
WRAP = Alignment(wrap_text=True, vertical="top")
LINE_HEIGHT = 15  # points per line of text in a row
TIME_WIDTH = 14
TABLE_WIDTH = 30


@dataclass(frozen=True)
class SlotRow:
    index: int
    starts_at: datetime  # timezone-aware
    ends_at: datetime


@dataclass(frozen=True)
class TableCol:
    id: int
    label: str


@dataclass(frozen=True)
class GridMeeting:
    slot_index: int
    table_id: int
    startup: str
    corporate: str
    topic: str
    locked: bool = False


@dataclass(frozen=True)
class Attendee:
    """``kind`` is an organization kind code (``"startup"``, ``"corporate"``, ``"organizer"``, shown
    translated) or a label shown as given; ``languages`` language codes (``"ko"``, ``"en"``, shown
    translated) or names."""

    organization: str
    kind: str
    representatives: tuple[str, ...]
    languages: tuple[str, ...]
    fixed_table: str = ""
    meetings: int = 0


@dataclass(frozen=True)
class SalonExport:
    title: str
    date: date
    venue: str
    slots: tuple[SlotRow, ...]
    tables: tuple[TableCol, ...]
    meetings: tuple[GridMeeting, ...]
    attendees: tuple[Attendee, ...]
    tz: str = "Asia/Seoul"


def grid(export: SalonExport) -> list[list[GridMeeting | None]]:
    """``grid(export)[row][column]``: the meeting of slot ``export.slots[row]`` at table
    ``export.tables[column]``, or ``None``. ``ValueError`` for a slot index or table id given twice, a
    meeting at an unknown slot or table, and two meetings at the same (slot, table)."""
    rows = _positions("slot index", [slot.index for slot in export.slots])
    columns = _positions("table id", [table.id for table in export.tables])
    cells: list[list[GridMeeting | None]] = [[None] * len(columns) for _ in rows]
    for meeting in export.meetings:
        if meeting.slot_index not in rows:
            raise ValueError(f"{_meeting_name(meeting)}: unknown slot index {meeting.slot_index}")
        if meeting.table_id not in columns:
            raise ValueError(f"{_meeting_name(meeting)}: unknown table id {meeting.table_id}")
        row, column = rows[meeting.slot_index], columns[meeting.table_id]
        if (other := cells[row][column]) is not None:
            raise ValueError(
                f"{_meeting_name(meeting)} and {_meeting_name(other)} both claim slot {meeting.slot_index}, "
                f"table {meeting.table_id}"
            )
        cells[row][column] = meeting
    return cells


def _positions(what: str, keys: list[int]) -> dict[int, int]:
    positions: dict[int, int] = {}
    for position, key in enumerate(keys):
        if key in positions:
            raise ValueError(f"{what} {key} is given twice")
        positions[key] = position
    return positions


def _meeting_name(meeting: GridMeeting) -> str:
    return f"{meeting.startup} ↔ {meeting.corporate}"


def time_label(slot: SlotRow, tz: str) -> str:
    """``"14:00–14:20"``: the slot's start and end as local times of ``tz``."""
    zone = ZoneInfo(tz)
    for moment in (slot.starts_at, slot.ends_at):
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"slot {slot.index}: times must be timezone-aware, got {moment.isoformat()}")
    return f"{slot.starts_at.astimezone(zone):%H:%M}–{slot.ends_at.astimezone(zone):%H:%M}"


def meeting_text(meeting: GridMeeting) -> str:
    """The schedule cell of a meeting: ``"startup ↔ corporate"``, then the topic on a second line;
    ``🔒`` first when the meeting is locked."""
    text = _meeting_name(meeting)
    if meeting.locked:
        text = f"{LOCK} {text}"
    return f"{text}\n{meeting.topic}" if meeting.topic else text


def schedule_workbook(export: SalonExport) -> bytes:
    """The .xlsx file of the salon's schedule: the schedule grid, a sheet per table, the attendees."""
    cells = grid(export)
    times = [time_label(slot, export.tz) for slot in export.slots]
    workbook = Workbook()
    workbook.properties.title = _clean(export.title)
    workbook.properties.creator = "Partnering Salon"
    schedule = workbook.active
    schedule.title = gettext("Schedule")
    attendees_name = gettext("Attendees")
    names = _sheet_names(export.tables, taken=(schedule.title, attendees_name))
    _schedule_sheet(schedule, export, cells, times)
    for column, (table, name) in enumerate(zip(export.tables, names, strict=True)):
        _table_sheet(workbook.create_sheet(name), export, table, [row[column] for row in cells], times)
    _attendees_sheet(workbook.create_sheet(attendees_name), export)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _time_header(export: SalonExport) -> str:
    """``"Time (KST)"``: the zone's abbreviation on the salon's date."""
    zone = ZoneInfo(export.tz)
    abbreviation = datetime(export.date.year, export.date.month, export.date.day, 12, tzinfo=zone).tzname()
    return gettext("Time (%(zone)s)") % {"zone": abbreviation}


def _title(export: SalonExport, *parts: str) -> str:
    return " · ".join(part for part in (*parts, export.title, export.date.isoformat(), export.venue) if part)


def _schedule_sheet(sheet: Worksheet, export: SalonExport, cells, times: list[str]) -> None:
    _write_title(sheet, _title(export))
    _write_header(sheet, [_time_header(export), *(table.label for table in export.tables)])
    for row, (time, meetings) in enumerate(zip(times, cells, strict=True), start=3):
        _write(sheet, row, 1, time, font=HEADER_FONT)
        for column, meeting in enumerate(meetings, start=2):
            if meeting is not None:
                _write(sheet, row, column, meeting_text(meeting))
        _fit_height(sheet, row)
    _layout(sheet, [TIME_WIDTH] + [TABLE_WIDTH] * len(export.tables), freeze="B3")


def _table_sheet(sheet: Worksheet, export: SalonExport, table: TableCol, meetings, times: list[str]) -> None:
    _write_title(sheet, _title(export, table.label))
    _write_header(sheet, [_time_header(export), gettext("Startup"), gettext("Corporate BD team"), gettext("Topic")])
    for row, (time, meeting) in enumerate(zip(times, meetings, strict=True), start=3):
        _write(sheet, row, 1, time, font=HEADER_FONT)
        if meeting is not None:
            _write(sheet, row, 2, meeting.startup)
            _write(sheet, row, 3, meeting.corporate)
            _write(sheet, row, 4, meeting.topic)
        _fit_height(sheet, row)
    _layout(sheet, [TIME_WIDTH, TABLE_WIDTH, TABLE_WIDTH, 2 * TABLE_WIDTH], freeze="B3")


def _attendees_sheet(sheet: Worksheet, export: SalonExport) -> None:
    _write_title(sheet, _title(export))
    _write_header(
        sheet,
        [
            capfirst(gettext("organization")),
            capfirst(gettext("kind")),
            capfirst(gettext("representatives")),
            capfirst(gettext("languages spoken")),
            capfirst(gettext("fixed table")),
            gettext("Meetings"),
        ],
    )
    kinds = _kind_labels()
    languages = _language_labels()
    for row, attendee in enumerate(export.attendees, start=3):
        _write(sheet, row, 1, attendee.organization)
        _write(sheet, row, 2, kinds.get(attendee.kind, attendee.kind))
        _write(sheet, row, 3, "\n".join(attendee.representatives))
        _write(sheet, row, 4, ", ".join(languages.get(code, code) for code in attendee.languages))
        _write(sheet, row, 5, attendee.fixed_table)
        sheet.cell(row=row, column=6, value=attendee.meetings).alignment = WRAP
        _fit_height(sheet, row)
    _layout(sheet, [TABLE_WIDTH, 20, TABLE_WIDTH, 18, 16, 12], freeze="B3")


def _kind_labels() -> dict[str, str]:
    return {"startup": gettext("Startup"), "corporate": gettext("Corporate BD team"), "organizer": gettext("Organizer")}


def _language_labels() -> dict[str, str]:
    return {"ko": gettext("Korean"), "en": gettext("English")}


def _write_title(sheet: Worksheet, title: str) -> None:
    _write(sheet, 1, 1, title, font=TITLE_FONT, wrap=False)
    sheet.row_dimensions[1].height = 24


def _write_header(sheet: Worksheet, labels: list[str]) -> None:
    for column, label in enumerate(labels, start=1):
        cell = _write(sheet, 2, column, label, font=HEADER_FONT)
        cell.fill = HEADER_FILL


def _write(sheet: Worksheet, row: int, column: int, text: str, *, font: Font | None = None, wrap: bool = True):
    """Write ``text`` as a string cell that is never run as a formula."""
    text = _clean(text)
    cell = sheet.cell(row=row, column=column)
    if not text:
        return cell
    cell.value = text
    cell.data_type = "s"  # openpyxl would make "=…" a formula
    if text.startswith(FORMULA_PREFIXES):
        cell.quotePrefix = True
    if wrap:
        cell.alignment = WRAP
    if font is not None:
        cell.font = font
    return cell


def _clean(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", str(text))


def _fit_height(sheet: Worksheet, row: int) -> None:
    """Room for every line of the row's tallest cell (Excel does not grow rows written by openpyxl)."""
    lines = max((str(cell.value).count("\n") + 1 for cell in sheet[row] if cell.value is not None), default=1)
    if lines > 1:
        sheet.row_dimensions[row].height = LINE_HEIGHT * lines


def _layout(sheet: Worksheet, widths: list[int], *, freeze: str) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = freeze
    sheet.print_title_rows = "1:2"
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as needed
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def sheet_name(label: str, *, taken: set[str], fallback: str) -> str:
    """A valid Excel sheet name for ``label``, not in ``taken`` (compared case-folded).

    Forbidden characters become ``-``, runs of spaces one space, apostrophes and spaces at either end
    go, the name is cut to 31 characters (UTF-16 units, as Excel counts), ``fallback`` when nothing is
    left, and `` (2)``, `` (3)``, … is added until the name is free."""
    name = SHEET_NAME_FORBIDDEN.sub("-", _clean(label))
    name = " ".join(name.split()).strip("'").strip() or fallback
    candidate, number = _cut(name, SHEET_NAME_MAX), 1
    while candidate.casefold() in taken or candidate.casefold() in RESERVED_SHEET_NAMES:
        number += 1
        suffix = f" ({number})"
        candidate = _cut(name, SHEET_NAME_MAX - len(suffix)).rstrip(" '") + suffix
    return candidate


def _cut(text: str, limit: int) -> str:
    """The longest prefix of ``text`` of at most ``limit`` UTF-16 code units, not splitting a character."""
    size = 0
    for position, character in enumerate(text):
        size += 2 if ord(character) > 0xFFFF else 1
        if size > limit:
            return text[:position].rstrip(" '")
    return text


def _sheet_names(tables: tuple[TableCol, ...], *, taken: tuple[str, ...]) -> list[str]:
    used = {name.casefold() for name in taken}
    names = []
    for number, table in enumerate(tables, start=1):
        name = sheet_name(table.label, taken=used, fallback=gettext("Table %(number)s") % {"number": number})
        used.add(name.casefold())
        names.append(name)
    return names
