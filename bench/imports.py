"""Spreadsheet imports against a zip bomb: refusing it vs reading a normal 1,000-row workbook.

    python -m bench.imports [--json] [--expanded-mb N] [--uncapped]

The bomb is built here in memory with ``zipfile`` (no openpyxl): a well-formed workbook (content
types, relationships, one sheet of ten rows) whose ``xl/sharedStrings.xml`` repeats one short
string until it expands to about 180 MB, deflated to about 440 KB: under the upload
limit (``IMPORT_MAX_BYTES``, 5 MiB), so only the zip checks of ``matching.imports.reading`` stand
between it and openpyxl, which reads the shared strings whole even in read-only mode. Before them
(a cap of 40× the upload limit, 200 MiB, on the declared total) it was parsed: 86 s and 1.5 GB.

A second bomb of 40 MB stays under the total cap and is refused for its compression ratio. The
baseline, measured in the same run: ``read_sheets`` over a 1,000-row application workbook
(organization and offer columns, one row per technology, the most rows an import takes) written
with openpyxl. Each case is timed with ``time.perf_counter`` (the median of 5 calls) and its peak
Python memory taken with ``tracemalloc`` over one call. ``--uncapped`` also reads the bomb with the
zip checks lifted (minutes and gigabytes: not run by default).
"""

import argparse
import io
import json
import os
import statistics
import time
import tracemalloc
import zipfile

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.test import override_settings  # noqa: E402

from matching.imports import ImportRefused, read_sheets  # noqa: E402

REPEATS = 5
ROWS = 1_000
SMALL_BOMB = 40_000_000  # bytes: under IMPORT_MAX_UNCOMPRESSED_BYTES (50 MiB)

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="기관" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)


def sheet_xml(rows: int) -> str:
    cells = "".join(
        f'<row r="{n}"><c r="A{n}" t="s"><v>{2 * n}</v></c><c r="B{n}" t="s"><v>{2 * n + 1}</v></c></row>'
        for n in range(1, rows + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{cells}</sheetData></worksheet>"
    )


def zip_bomb(expanded: int) -> bytes:
    """A ~440 KB workbook whose shared strings expand to ``expanded`` bytes, written in chunks."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml(10))
        # One shared string of 270 "가" repeated: about the 400:1 of the file reported (440 KB for
        # 180 MB); a shorter period compresses less well with deflate, a single byte about 1000:1.
        chunk = ("<si><t>" + "가" * 270 + "</t></si>").encode() * 1_000
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
                       b'spreadsheetml/2006/main">')  # fmt: skip
            written = 0
            while written < expanded:
                part.write(chunk)
                written += len(chunk)
            part.write(b"</sst>")
    return buffer.getvalue()


HEADER = [
    "유형",
    "회사명(국문)",
    "회사명(영문)",
    "국가",
    "회사 소개",
    "기술명",
    "기술 설명",
    "개발 단계",
    "협력 유형",
    "목표 지역",
]
EXAMPLE = ["스타트업", "뉴로랩스", "NeuroLabs GmbH", "DE", "EEG 기반 치매 조기 진단 스타트업, Berlin",
           "EEG 치매 조기 진단", "EEG biomarker for early dementia → 조기 치매(MCI·AD) 선별", "preclinical",
           "licensing", "EU"]  # fmt: skip


def normal_workbook(rows: int) -> bytes:
    """An application table of ``rows`` technologies of distinct companies, written with openpyxl."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "지원서"
    sheet.append(HEADER)
    for n in range(rows):
        row = list(EXAMPLE)
        row[1], row[2], row[5] = f"{row[1]} {n}", f"{row[2]} {n}", f"{row[5]} {n}"
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def measure(data: bytes, repeats: int = REPEATS) -> dict:
    """Median seconds over ``repeats`` calls of read_sheets, peak traced memory of one, the outcome."""

    def once():
        try:
            sheets = read_sheets(data)
        except ImportRefused as refused:
            return f"refused: {refused.message}"
        return f"read {sum(len(sheet.rows) for sheet in sheets)} rows"

    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        outcome = once()
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    once()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"seconds": statistics.median(times), "peak_bytes": peak, "outcome": outcome}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--expanded-mb", type=int, default=180, help="what the bomb expands to (MB)")
    parser.add_argument("--uncapped", action="store_true", help="also read the bomb without the zip checks")
    args = parser.parse_args()

    bomb = zip_bomb(args.expanded_mb * 1_000_000)
    members = zipfile.ZipFile(io.BytesIO(bomb)).infolist()
    expanded = sum(member.file_size for member in members)
    small_bomb = zip_bomb(SMALL_BOMB)  # under the total cap: the compression ratio refuses it
    normal = normal_workbook(ROWS)
    report = {
        "bomb": {"bytes": len(bomb), "expanded_bytes": expanded, **measure(bomb)},
        "small_bomb": {"bytes": len(small_bomb), "expanded_bytes": SMALL_BOMB, **measure(small_bomb)},
        "baseline": {"bytes": len(normal), "rows": ROWS, **measure(normal)},
        "limits": {
            "IMPORT_MAX_BYTES": settings.IMPORT_MAX_BYTES,
            "IMPORT_MAX_UNCOMPRESSED_BYTES": settings.IMPORT_MAX_UNCOMPRESSED_BYTES,
            "IMPORT_MAX_COMPRESSION_RATIO": settings.IMPORT_MAX_COMPRESSION_RATIO,
        },
    }
    if args.uncapped:
        with override_settings(IMPORT_MAX_UNCOMPRESSED_BYTES=2**62, IMPORT_MAX_COMPRESSION_RATIO=2**62):
            report["bomb_uncapped"] = measure(bomb, repeats=1)
    bomb_run, baseline = report["bomb"], report["baseline"]
    report["ratios"] = {
        "time": bomb_run["seconds"] / baseline["seconds"],
        "peak_memory": bomb_run["peak_bytes"] / baseline["peak_bytes"],
    }
    if args.json:
        print(json.dumps(report))
        return
    print(
        f"zip bomb: {len(bomb) / 1024:,.0f} KB expanding to {expanded / 1e6:,.0f} MB "
        f"(ratio {expanded / len(bomb):,.0f}:1); baseline: {ROWS:,}-row workbook of {len(normal) / 1024:,.0f} KB"
    )
    print(f"{'case':36} {'wall ms':>10} {'peak KiB':>10} {'vs baseline':>12}  outcome")
    rows = [
        (f"bomb, {expanded / 1e6:,.0f} MB (checked)", bomb_run),
        (f"bomb, {SMALL_BOMB / 1e6:,.0f} MB (checked)", report["small_bomb"]),
        (f"baseline ({ROWS:,} rows)", baseline),
    ]
    if "bomb_uncapped" in report:
        rows.append(("bomb (zip checks lifted)", report["bomb_uncapped"]))
    for name, figures in rows:
        print(
            f"{name:36} {figures['seconds'] * 1000:10.3f} {figures['peak_bytes'] / 1024:10.1f} "
            f"{figures['seconds'] / baseline['seconds']:11.4f}×  {figures['outcome'][:80]}"
        )
    print(f"peak memory, bomb vs baseline: {report['ratios']['peak_memory']:.4f}×")


if __name__ == "__main__":
    main()
