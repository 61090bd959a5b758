"""The downloadable template files (not Django templates): an .xlsx with the sheets 기관 and 기술,
and a one-table .csv in the application layout, each with the Korean headers and an example row."""

from __future__ import annotations

import codecs
import csv
import io

from matching.imports.columns import COLUMNS, OFFER, ORGANIZATION, Column

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
