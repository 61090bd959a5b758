"""Reading a file into tables of text cells: .xlsx (every visible sheet) or .csv (UTF-8, UTF-16 or
CP949, comma, semicolon or tab separated), told apart by content, within the size and row limits."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from matching.imports.results import ImportRefused

# Columns beyond this are not read: a real application form has a few dozen.
MAX_COLUMNS = 100
# An .xlsx is a zip, checked before openpyxl opens it (sharedStrings.xml is read whole even in
# read-only mode, so a zip bomb would exhaust memory): at most IMPORT_MAX_UNCOMPRESSED_BYTES in all,
# and no part larger than this compressed more than IMPORT_MAX_COMPRESSION_RATIO to 1 (small parts
# such as styles.xml legitimately compress very well). The sizes are the central directory's:
# zipfile stops reading a member at its recorded size, so a lying directory cannot expand further.
RATIO_CHECKED_ABOVE = 1024 * 1024

XLSX_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx
BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError):
        raise unreadable from None
    _check_expansion(members)
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


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def _check_expansion(members: list[zipfile.ZipInfo]) -> None:
    """Refuse a workbook that would expand too far, before anything of it is decompressed."""
    limit = settings.IMPORT_MAX_UNCOMPRESSED_BYTES
    if sum(member.file_size for member in members) > limit:
        raise ImportRefused(
            _(
                "The workbook expands to more than %(size)s (%(bytes)d bytes) when unpacked, the most an "
                "import reads. Remove what is not needed (images, other sheets) or split the file."
            )
            % {"size": _megabytes(limit), "bytes": limit}
        )
    ratio = settings.IMPORT_MAX_COMPRESSION_RATIO
    for member in members:
        if member.file_size > RATIO_CHECKED_ABOVE and member.file_size / max(member.compress_size, 1) > ratio:
            raise ImportRefused(
                _(
                    "The part %(part)s of the workbook is compressed more than %(ratio)d to 1, far more than "
                    "a spreadsheet is: the file is refused. Save it again as .xlsx or CSV."
                )
                % {"part": member.filename, "ratio": ratio}
            )


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
        _("The file is too large: at most %(size)s (%(bytes)d bytes).") % {"size": _megabytes(limit), "bytes": limit}
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
