"""The downloadable template files (not Django templates): an .xlsx with the sheets 기관 and 기술,
and a one-table .csv in the application layout, each with the Korean headers and the examples of
the column declarations."""

from __future__ import annotations

import codecs
import csv
import io

from matching.imports.columns import COLUMNS, OFFER, ORGANIZATION, Column


def template_columns(table: str) -> list[Column]:
    return [c for c in COLUMNS if c.table == table]


def template_xlsx() -> bytes:
    """An empty workbook to fill in: sheets 기관 and 기술, Korean headers and one example row each."""
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    for worksheet, table in ((workbook.active, ORGANIZATION), (workbook.create_sheet(), OFFER)):
        worksheet.title = "기관" if table == ORGANIZATION else "기술"
        columns = template_columns(table)
        worksheet.append([column.korean for column in columns])
        worksheet.append([column.example for column in columns])
        for cell in worksheet[1]:
            cell.font = Font(bold=True)
        for index, column in enumerate(columns, start=1):
            width = max(len(column.korean) * 2, min(len(column.example), 40)) + 4
            worksheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
        worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv() -> bytes:
    """A one-table CSV in the application layout (one row per technology, its company's columns
    first), UTF-8 with a BOM so that Korean Excel opens it right."""
    columns = template_columns(ORGANIZATION) + [c for c in template_columns(OFFER) if c.key != ORGANIZATION]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.korean for column in columns])
    writer.writerow([column.example for column in columns])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")
