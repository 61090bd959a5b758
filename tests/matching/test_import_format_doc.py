"""``docs/import-format.md`` is made from the import column declarations (``matching.imports.format_doc``,
``manage.py import_format_doc``): the committed file is what the code makes, so the two never drift."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from matching.imports import COLUMN, COLUMNS, format_doc


def test_the_committed_document_is_what_the_columns_make():
    committed = (Path(settings.BASE_DIR) / format_doc.PATH).read_text(encoding="utf-8")
    assert committed == format_doc.markdown(), "run: python manage.py import_format_doc"


def test_a_column_row_gives_headers_meaning_requirement_values_and_example():
    assert format_doc.column_row(COLUMN["stage"]) == (
        "| `stage` | 개발 단계 | stage — 단계 | yes | one of `concept`, `prototype`, `preclinical`, `clinical`, "
        "`approved_kr`, `approved_global`, `marketed` or its label | 임상 |"
    )
    assert format_doc.column_row(COLUMN["business_registration_number"]) == (
        "| `business_registration_number`, `brn` | 사업자등록번호, 사업자번호 | business registration number — "
        "사업자등록번호 | no | 10 digits, with or without hyphens (`123-45-67890`); the checksum is verified; "
        "a Korean startup must give it | 220-81-62517 |"
    )
    assert format_doc.column_row(COLUMN["kind"]) == (
        "| `kind` | 유형, 기관 유형 | kind — 유형 | no (empty: startup) | one of `startup`, `corporate` or its label "
        "| 스타트업 |"
    )
    assert format_doc.column_row(COLUMN["organization"]).split(" | ")[3] == "yes, in an offers table"


def test_the_document_has_every_column_once_and_the_labels_in_both_languages():
    text = format_doc.markdown()
    column_rows = [format_doc.column_row(column) for column in COLUMNS]
    assert [text.count(row + "\n") for row in column_rows] == [1] * len(COLUMNS)
    assert [line for line in text.splitlines() if line in column_rows] == column_rows
    assert "| `daegu_kmedi` | Daegu-Gyeongbuk Medical Innovation Cluster | 대구경북첨단의료복합단지 |" in text
    assert "| `KR` | Korea (MFDS) | 한국 (식약처) | `mfds`, `식약처`, `식품의약품안전처` |" in text
    assert "| `fda_510k` | FDA 510(k) | FDA 510(k) |" in text


def test_the_command_writes_the_document_and_checks_it(tmp_path):
    path = tmp_path / "import-format.md"
    with pytest.raises(CommandError) as raised:
        call_command("import_format_doc", "--check", "--output", str(path))
    assert raised.value.returncode == 1
    assert not path.exists()
    call_command("import_format_doc", "--output", str(path))
    assert path.read_text(encoding="utf-8") == format_doc.markdown()
    call_command("import_format_doc", "--check", "--output", str(path))
    path.write_text(format_doc.markdown().replace("| 임상 |", "| clinical |"), encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        call_command("import_format_doc", "--check", "--output", str(path))
    assert str(raised.value) == (
        f"{path} is not what the column declarations make: run python manage.py import_format_doc"
    )
