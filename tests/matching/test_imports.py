"""Spreadsheet imports of organizations and offers (``matching.imports``, ``manage.py import_profiles``):
every cell checked, everything saved in one transaction or nothing, errors by sheet, row and column.

The spreadsheets are built here with openpyxl and csv; no binary fixture is committed."""

import csv
import io
import zipfile

import openpyxl
import pytest
from django.core.management import CommandError, ManagementUtility, call_command
from django.utils import translation

from accounts.models import AuditEvent, Organization
from matching import imports
from matching.models import RegulatoryApproval, TechnologyOffer
from tests.factories import (
    EventFactory,
    MembershipFactory,
    OrganizationFactory,
    RegistrationFactory,
    StartupFactory,
    TechnologyOfferFactory,
    valid_brn,
)

BRN_1, BRN_2 = valid_brn(1), valid_brn(2)
HYPHENATED_1 = f"{BRN_1[:3]}-{BRN_1[3:5]}-{BRN_1[5:]}"
MIXED = "판교의 의료영상 AI 스타트업 — Seoul National University Hospital과 공동 연구.\n둘째 줄: 'LungFinder' v2.1"
MIXED_CP949 = "판교의 의료영상 AI 스타트업, Seoul National University Hospital과 공동 연구.\n둘째 줄: 'LungFinder' v2.1"

ORGANIZATION_HEADERS = [
    "유형",
    "회사명(국문)",
    "회사명(영문)",
    "슬러그",
    "국가",
    "홈페이지",
    "사업자등록번호",
    "클러스터",
    "담당자 이메일",
    "담당자 연락처",
    "회사 소개",
]
ORGANIZATION_ROWS = [
    ["스타트업", "메디비전", "MediVision", "", "KR", "medivision.example", HYPHENATED_1, "판교",
     "bd@medivision.example", "02-1234-5678", MIXED],
    ["startup", "하트웨이브", "HeartWave", "heartwave", "kr", "https://heartwave.example", BRN_2,
     "daegu_kmedi", "", "", ""],
    ["Startup", "뉴로랩스", "NeuroLabs GmbH", "neurolabs", "DE", "", "", "", "hello@neurolabs.example", "", ""],
]  # fmt: skip
OFFER_HEADERS = ["회사", "기술명", "기술 설명", "개발 단계", "협력 유형", "목표 지역", "상태", "인허가"]
OFFER_ROWS = [
    [HYPHENATED_1, "흉부 CT 폐결절 검출 AI (LungFinder)",
     "저선량 흉부 CT에서 폐결절을 검출하는 deep learning 소프트웨어",
     "임상", "라이선싱, 유통", "미국; 유럽", "승인됨", "MFDS:class2:granted; FDA:510k:submitted"],
    ["메디비전", "골밀도 X-ray AI", "Opportunistic osteoporosis screening on chest X-ray, 흉부 X선 골밀도 추정",
     "prototype", "co_development", "KR", "", ""],
    ["heartwave", "웨어러블 ECG 패치", "7일 연속 심전도 patch와 부정맥 AI 분석", "Approved in Korea",
     "licensing; Pilot / PoC", "JP, SEA", "submitted", "식약처:2등급:허가됨"],
    ["heartwave", "HRV 스트레스 분석 앱", "심박변이도(HRV) 기반 stress index", "개념 단계", "투자", "글로벌", "", ""],
    ["NeuroLabs GmbH", "EEG 치매 조기 진단", "EEG biomarker for early dementia → 조기 치매(MCI·AD) 선별", "preclinical",
     "licensing", "EU", "draft", "CE:IIa:planned"],
]  # fmt: skip

EXPECTED_ORGANIZATIONS = [
    ("startup", "메디비전", "MediVision", "medivision", "KR", "https://medivision.example", BRN_1, "pangyo",
     "bd@medivision.example", "02-1234-5678", MIXED),
    ("startup", "하트웨이브", "HeartWave", "heartwave", "KR", "https://heartwave.example", BRN_2, "daegu_kmedi",
     "", "", ""),
    ("startup", "뉴로랩스", "NeuroLabs GmbH", "neurolabs", "DE", "", "", "", "hello@neurolabs.example", "", ""),
]  # fmt: skip
EXPECTED_OFFERS = [
    ("medivision", "흉부 CT 폐결절 검출 AI (LungFinder)",
     "저선량 흉부 CT에서 폐결절을 검출하는 deep learning 소프트웨어",
     "clinical", ["licensing", "distribution"], ["US", "EU"], "approved", "ko"),
    ("medivision", "골밀도 X-ray AI", "Opportunistic osteoporosis screening on chest X-ray, 흉부 X선 골밀도 추정",
     "prototype", ["co_development"], ["KR"], "draft", "en"),
    ("heartwave", "웨어러블 ECG 패치", "7일 연속 심전도 patch와 부정맥 AI 분석", "approved_kr",
     ["licensing", "pilot"], ["JP", "SEA"], "submitted", "ko"),
    ("heartwave", "HRV 스트레스 분석 앱", "심박변이도(HRV) 기반 stress index", "concept", ["investment"], ["GLOBAL"],
     "draft", "ko"),
    ("neurolabs", "EEG 치매 조기 진단", "EEG biomarker for early dementia → 조기 치매(MCI·AD) 선별", "preclinical",
     ["licensing"], ["EU"], "draft", "ko"),
]  # fmt: skip
EXPECTED_APPROVALS = [
    ("LungFinder", "KR", "mfds_2", "granted"),
    ("LungFinder", "US", "fda_510k", "submitted"),
    ("ECG", "KR", "mfds_2", "granted"),
    ("EEG", "EU", "ce_mdr_iia", "planned"),
]
ORGANIZATION_FIELDS = (
    "kind",
    "name_ko",
    "name_en",
    "slug",
    "country",
    "website",
    "business_registration_number",
    "cluster",
    "contact_email",
    "contact_phone",
    "description",
)
OFFER_FIELDS = (
    "organization__slug",
    "title",
    "description",
    "stage",
    "deal_types",
    "target_regions",
    "status",
    "language",
)


def workbook(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_file(rows: list[list], *, encoding: str = "utf-8-sig", delimiter: str = ",") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def application_rows(description: str = MIXED) -> list[list]:
    """The same three organizations and five offers as one table, one row per technology."""
    by_reference = {HYPHENATED_1: 0, "메디비전": 0, "heartwave": 1, "NeuroLabs GmbH": 2}
    organizations = [row[:10] + [description if i == 0 else row[10]] for i, row in enumerate(ORGANIZATION_ROWS)]
    header = ORGANIZATION_HEADERS + OFFER_HEADERS[1:]
    return [header] + [organizations[by_reference[offer[0]]] + offer[1:] for offer in OFFER_ROWS]


def valid_workbook() -> bytes:
    return workbook({"기관": [ORGANIZATION_HEADERS, *ORGANIZATION_ROWS], "기술": [OFFER_HEADERS, *OFFER_ROWS]})


def stored(description: str = MIXED):
    organizations = list(Organization.objects.order_by("pk").values_list(*ORGANIZATION_FIELDS))
    offers = list(TechnologyOffer.objects.order_by("pk").values_list(*OFFER_FIELDS))
    approvals = sorted(
        (offer_title, market, pathway, status)
        for offer_title, market, pathway, status in RegulatoryApproval.objects.values_list(
            "offer__title", "market", "pathway", "status"
        )
    )
    return organizations, offers, approvals


def expected(description: str = MIXED):
    organizations = [row[:10] + (description if row[1] == "메디비전" else row[10],) for row in EXPECTED_ORGANIZATIONS]
    approvals = sorted(
        (title, market, pathway, status)
        for key, market, pathway, status in EXPECTED_APPROVALS
        for title in [next(o[1] for o in EXPECTED_OFFERS if key in o[1])]
    )
    return organizations, [tuple(o) for o in EXPECTED_OFFERS], approvals


def counts():
    return Organization.objects.count(), TechnologyOffer.objects.count(), RegulatoryApproval.objects.count()


def errors(result):
    return [(error.sheet, error.row, error.column, error.message) for error in result.errors]


# --- Valid files ----------------------------------------------------------------------------------


def test_it_imports_a_workbook_of_organizations_and_offers(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        result = imports.import_profiles(valid_workbook())
    assert errors(result) == []
    assert result.counts() == {
        "organization": {"created": 3, "updated": 0, "unchanged": 0},
        "offer": {"created": 5, "updated": 0, "unchanged": 0},
    }
    assert [(row.kind, row.sheet, row.row, row.label) for row in result.rows] == [
        ("organization", "기관", 2, "메디비전"),
        ("organization", "기관", 3, "하트웨이브"),
        ("organization", "기관", 4, "뉴로랩스"),
        *[("offer", "기술", n, OFFER_ROWS[n - 2][1]) for n in range(2, 7)],
    ]
    assert stored() == expected()
    assert len(callbacks) == 5  # one embedding per offer, sent once the import commits


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp949", "euc-kr"])
def test_it_imports_the_same_profiles_from_one_csv_table(db, encoding):
    result = imports.import_profiles(csv_file(application_rows(MIXED_CP949), encoding=encoding))
    assert errors(result) == []
    assert result.counts() == {
        "organization": {"created": 3, "updated": 0, "unchanged": 0},
        "offer": {"created": 5, "updated": 0, "unchanged": 0},
    }
    assert stored() == expected(MIXED_CP949)


def test_korean_excel_semicolon_csv_and_english_headers_are_read(db):
    header = ["kind", "name_ko", "name_en", "business_registration_number", "description"]
    rows = [header, ["corporate", "글로벌메드", "GlobalMed", "", "Global BD team, 글로벌 BD팀"]]
    result = imports.import_profiles(csv_file(rows, encoding="cp949", delimiter=";"))
    assert errors(result) == []
    assert list(Organization.objects.values_list("kind", "name_ko", "slug", "country", "description")) == [
        ("corporate", "글로벌메드", "globalmed", "KR", "Global BD team, 글로벌 BD팀")
    ]


def test_a_dry_run_checks_everything_and_saves_nothing(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        result = imports.import_profiles(valid_workbook(), dry_run=True)
    assert result.ok and result.dry_run
    assert result.counts()["offer"]["created"] == 5
    assert counts() == (0, 0, 0)
    assert callbacks == []


def test_a_second_import_updates_instead_of_duplicating(db, django_capture_on_commit_callbacks):
    imports.import_profiles(valid_workbook())
    organizations = [row[:] for row in ORGANIZATION_ROWS]
    organizations[1][9] = "053-000-1111"  # HeartWave: a new phone number
    organizations[0][10] = ""  # an empty cell keeps the stored description
    offers = [row[:] for row in OFFER_ROWS]
    offers[4][7] = "CE:IIa:submitted"  # NeuroLabs: the CE application went in
    changed = workbook({"기관": [ORGANIZATION_HEADERS, *organizations], "기술": [OFFER_HEADERS, *offers]})
    with django_capture_on_commit_callbacks() as callbacks:
        result = imports.import_profiles(changed)
    assert errors(result) == []
    assert result.counts() == {
        "organization": {"created": 0, "updated": 1, "unchanged": 2},
        "offer": {"created": 0, "updated": 1, "unchanged": 4},
    }
    assert [(row.kind, row.row) for row in result.rows if row.outcome == "updated"] == [
        ("organization", 3),
        ("offer", 6),
    ]
    assert counts() == (3, 5, 4)
    assert Organization.objects.get(slug="heartwave").contact_phone == "053-000-1111"
    assert Organization.objects.get(slug="medivision").description == MIXED
    assert list(RegulatoryApproval.objects.filter(offer__title__startswith="EEG").values_list("status")) == [
        ("submitted",)
    ]
    assert len(callbacks) == 1  # only the changed offer is embedded again


def test_offers_may_refer_to_registered_organizations(db):
    startup = StartupFactory(slug="registered", business_registration_number=BRN_1)
    rows = [OFFER_HEADERS, [HYPHENATED_1, "새 기술", "설명입니다", "임상", "라이선싱", "미국", "", ""]]
    result = imports.import_profiles(workbook({"offers": rows}))
    assert errors(result) == []
    assert list(TechnologyOffer.objects.values_list("organization", "title")) == [(startup.pk, "새 기술")]


def test_numbers_typed_into_excel_cells_are_read_as_text(db):
    rows = [
        ["회사명(국문)", "회사명(영문)", "사업자등록번호", "담당자 연락처"],
        ["메디비전", "MediVision", int(BRN_1), 215551234.0],
    ]
    assert errors(imports.import_profiles(workbook({"기관": rows}))) == []
    assert list(Organization.objects.values_list("business_registration_number", "contact_phone")) == [
        (BRN_1, "215551234")
    ]


# --- Bad files ------------------------------------------------------------------------------------


def bad_workbook() -> bytes:
    organizations = [
        ORGANIZATION_HEADERS,
        ORGANIZATION_ROWS[0],
        ["스타트업", "가" * 201, "Bad Numbers", "", "KR", "", "123-45-67890", "", "not-an-email", "", ""],
        ["partner", "제주메드", "JejuMed", "", "Korea", "", "", "제주", "", "", ""],
        ["스타트업", "메디비전 복제", "MediVision Copy", "", "KR", "", BRN_1, "", "", "", ""],
        ["스타트업", "사업자번호 없음", "No Number", "", "KR", "", "", "", "", "", ""],
    ]
    offers = [
        OFFER_HEADERS,
        ["unknown-co", "무명 기술", "설명", "phase 3", "라이선싱", "미국", "", ""],
        [
            HYPHENATED_1,
            "거래 유형 오류",
            "설명",
            "임상",
            "licensing, franchise",
            "미국, 화성",
            "",
            "FDA:class2:granted",
        ],
        [HYPHENATED_1, "정상 기술", "설명", "임상", "라이선싱", "미국", "", "MFDS:2:granted; MFDS:class 2:planned"],
        [HYPHENATED_1, "정상 기술", "설명 2", "임상", "라이선싱", "미국", "", ""],
        [HYPHENATED_1, "설명 없는 기술", "", "임상", "라이선싱", "미국", "", "KFDA:2:granted"],
    ]
    return workbook({"기관": organizations, "기술": offers})


def test_a_file_with_bad_rows_reports_every_error_and_saves_nothing(db, django_capture_on_commit_callbacks):
    existing = TechnologyOfferFactory()
    before = counts()
    with django_capture_on_commit_callbacks() as callbacks:
        result = imports.import_profiles(bad_workbook())
    assert counts() == before == (1, 1, 0)
    assert TechnologyOffer.objects.get() == existing
    assert callbacks == []
    assert result.rows == []
    assert errors(result) == [
        ("기관", 3, "회사명(국문)", "이 값이 최대 200 개의 글자인지 확인하세요(입력값 201 자)."),
        ("기관", 3, "사업자등록번호", "사업자등록번호 검증숫자가 맞지 않습니다. 각 자리를 다시 확인해 주세요."),
        ("기관", 3, "담당자 이메일", "유효한 이메일 주소를 입력하세요."),
        (
            "기관",
            4,
            "유형",
            "“partner”은(는) 허용되지 않는 값입니다. 허용되는 값: startup (스타트업), corporate (글로벌 기업 BD팀).",
        ),
        ("기관", 4, "국가", "KR, US, DE와 같은 두 글자 국가 코드를 입력해 주세요."),
        ("기관", 4, "국가", "이 값이 최대 2 개의 글자인지 확인하세요(입력값 5 자)."),
        (
            "기관",
            4,
            "클러스터",
            "“제주”은(는) 허용되지 않는 값입니다. 허용되는 값: daegu_kmedi (대구경북첨단의료복합단지), osong "
            "(오송), wonju (원주), seoul_biohub (서울바이오허브), songdo (송도), daejeon (대전), pangyo "
            "(판교), seoul (서울), busan (부산), other (기타 지역).",
        ),
        ("기관", 5, "사업자등록번호", "이 기관은 이미 기관 시트 2행에 있습니다."),
        ("기관", 6, "", "국내 스타트업은 사업자등록번호를 입력해야 합니다."),
        (
            "기술",
            2,
            "회사",
            "알 수 없는 기관 “unknown-co”입니다. 등록된 기관의 슬러그나 사업자등록번호, 또는 이 파일에 있는 "
            "기관의 회사명, 슬러그, 사업자등록번호를 쓰세요.",
        ),
        (
            "기술",
            2,
            "개발 단계",
            "“phase 3”은(는) 허용되지 않는 값입니다. 허용되는 값: concept (개념 단계), prototype (시제품), "
            "preclinical (전임상), clinical (임상), approved_kr (국내 허가), approved_global (해외 허가), "
            "marketed (시판 중).",
        ),
        (
            "기술",
            3,
            "협력 유형",
            "알 수 없는 값: “franchise”. 가능한 값: licensing (라이선싱), distribution (유통), co_development "
            "(공동 개발), oem_integration (OEM / 통합), investment (투자), pilot (파일럿 / PoC), acquisition "
            "(인수).",
        ),
        (
            "기술",
            3,
            "목표 지역",
            "알 수 없는 값: “화성”. 가능한 값: KR (한국), US (미국), EU (유럽), JP (일본), CN (중국), SEA "
            "(동남아시아), MEA (중동·아프리카), LATAM (중남미), GLOBAL (글로벌).",
        ),
        (
            "기술",
            3,
            "인허가",
            "“FDA:class2:granted”: “class2”은(는) 미국 (FDA)의 인허가 경로가 아닙니다. 허용되는 값: "
            "fda_exempt (FDA 면제), fda_510k (FDA 510(k)), fda_de_novo (FDA De Novo), fda_pma (FDA PMA).",
        ),
        ("기술", 4, "인허가", "시장과 인허가 경로 조합은 한 번만 입력할 수 있습니다."),
        ("기술", 5, "기술명", "이 기관의 같은 기술명이 이미 기술 시트 4행에 있습니다."),
        ("기술", 6, "기술 설명", "이 필드는 빈 칸으로 둘 수 없습니다."),
        (
            "기술",
            6,
            "인허가",
            "“KFDA:2:granted”: 알 수 없는 시장 “KFDA”. 허용되는 값: KR (한국 (식약처)), US (미국 (FDA)), EU "
            "(유럽연합 (CE)), JP (일본 (PMDA)), CN (중국 (NMPA)).",
        ),
    ]


def test_errors_are_given_in_english_too(db):
    with translation.override("en"):
        result = imports.import_profiles(bad_workbook())
        described = str(result.errors[7])
    assert errors(result)[1:4] == [
        ("기관", 3, "사업자등록번호", "This business registration number fails the checksum; please check each digit."),
        ("기관", 3, "담당자 이메일", "Enter a valid email address."),
        (
            "기관",
            4,
            "유형",
            "“partner” is not an allowed value. Allowed: startup (Startup), corporate (Corporate BD team).",
        ),
    ]
    assert described == ("sheet 기관, row 5, 사업자등록번호: This organization is already in sheet 기관, row 2.")


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


NOT_A_SPREADSHEET = ".xlsx 또는 .csv 파일이 아닙니다. 엑셀 통합 문서(.xlsx)나 CSV 파일을 올리세요."
UNREADABLE_XLSX = (
    "이 .xlsx 파일을 읽을 수 없습니다(손상되었거나 엑셀 통합 문서가 아닙니다). .xlsx나 CSV로 다시 저장하세요."
)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "빈 파일입니다."),
        (b" \r\n", "빈 파일입니다."),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", NOT_A_SPREADSHEET),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", NOT_A_SPREADSHEET),
        (bytes(range(256)), NOT_A_SPREADSHEET),
        (zipped({"word/document.xml": "<w:document/>"}), UNREADABLE_XLSX),
        (valid_workbook()[:2000], UNREADABLE_XLSX),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
            "예전 엑셀 형식(.xls)이거나 암호가 걸린 통합 문서입니다. 암호 없이 .xlsx나 CSV로 저장하세요.",
        ),
        (
            "name_ko,name_en\nMüller,Müller\n".encode("latin-1"),
            "CSV 파일의 인코딩을 알 수 없습니다. UTF-8(또는 CP949/EUC-KR)로 저장하세요.",
        ),
        ("회사명(국문),회사명(영문)\r\n".encode(), "파일에 열 이름만 있고 데이터 행이 없습니다."),
    ],
    ids=["empty", "blank", "pdf", "png", "binary", "docx-like zip", "truncated xlsx", "xls", "latin-1", "headers only"],
)
def test_files_that_are_not_importable_are_refused_as_a_whole(db, content, message):
    result = imports.import_profiles(content)
    assert errors(result) == [("", None, "", message)]
    assert counts() == (0, 0, 0)


def test_a_file_over_the_limits_is_refused(db, settings):
    settings.IMPORT_MAX_ROWS = 7  # the workbook has 3 + 5 data rows
    assert errors(imports.import_profiles(valid_workbook())) == [
        ("", None, "", "파일의 데이터 행이 7행을 넘습니다. 7행 이하의 파일로 나누어 올리세요.")
    ]
    settings.IMPORT_MAX_ROWS = 8
    settings.IMPORT_MAX_BYTES = 1024
    assert errors(imports.import_profiles(valid_workbook())) == [
        ("", None, "", "파일이 너무 큽니다. 최대 0.0 MB(1024바이트)까지 올릴 수 있습니다.")
    ]
    assert counts() == (0, 0, 0)


def deflated(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def zip_bomb(size: int) -> bytes:
    """A workbook's skeleton whose shared strings expand to ``size`` bytes of one repeated string."""
    cell = b"<si><t>AAAAAAAAAAAAAAAAAAAAAAAA</t></si>"
    strings = b"<sst>" + cell * ((size - 11) // len(cell)) + b"</sst>"
    return deflated(
        {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>", "xl/sharedStrings.xml": strings}
    )


def test_a_zip_bomb_is_refused_before_it_is_parsed(db):
    bomb = zip_bomb(3 * 1024 * 1024)
    assert len(bomb) < 16 * 1024
    assert errors(imports.import_profiles(bomb)) == [
        (
            "",
            None,
            "",
            "통합 문서의 xl/sharedStrings.xml 부분이 100 대 1보다 더 많이 압축되어 있습니다. 스프레드시트는 "
            "이렇게 압축되지 않으므로 거부합니다. .xlsx나 CSV로 다시 저장하세요.",
        )
    ]
    with translation.override("en"):
        assert errors(imports.import_profiles(bomb)) == [
            (
                "",
                None,
                "",
                "The part xl/sharedStrings.xml of the workbook is compressed more than 100 to 1, far more than "
                "a spreadsheet is: the file is refused. Save it again as .xlsx or CSV.",
            )
        ]
    # A part of at most 1 MiB may compress as well as it likes: this one reaches openpyxl, which
    # finds no workbook in it.
    assert errors(imports.import_profiles(deflated({"xl/styles.xml": b"A" * 1024 * 1024}))) == [
        ("", None, "", UNREADABLE_XLSX)
    ]


def test_a_workbook_that_expands_too_far_is_refused(db, settings):
    data = valid_workbook()
    expanded = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = expanded  # at the limit: imported
    assert errors(imports.import_profiles(data, dry_run=True)) == []
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = expanded - 1
    message = (
        f"통합 문서의 압축을 풀면 0.0 MB({expanded - 1}바이트)를 넘습니다. 가져오기는 그보다 큰 파일을 읽지 "
        "않습니다. 필요 없는 내용(이미지, 다른 시트)을 지우거나 파일을 나누어 올리세요."
    )
    assert errors(imports.import_profiles(data)) == [("", None, "", message)]
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024
    with translation.override("en"):
        assert errors(imports.import_profiles(zip_bomb(3 * 1024 * 1024))) == [
            (
                "",
                None,
                "",
                "The workbook expands to more than 2.0 MB (2097152 bytes) when unpacked, the most an import "
                "reads. Remove what is not needed (images, other sheets) or split the file.",
            )
        ]
    assert counts() == (0, 0, 0)


def test_missing_required_columns_are_named_in_one_error(db):
    rows = [["회사", "기술명", "개발 단계"], ["heartwave", "ECG", "임상"]]
    assert errors(imports.import_profiles(workbook({"offers": rows}))) == [
        (
            "offers",
            1,
            "",
            "필수 열이 없습니다: 기술 설명 (offer_description), 협력 유형 (deal_types), 목표 지역 (target_regions).",
        )
    ]


def test_headers_that_name_nothing_known_are_refused(db):
    result = imports.import_profiles(csv_file([["타임스탬프", "점수"], ["2026-11-01", "3"]]))
    assert errors(result) == [
        (
            "",
            1,
            "",
            "열 이름으로 기관인지 기술 제안인지 알 수 없습니다. "
            "기관에는 회사명(국문) (name_ko), 회사명(영문) (name_en), "
            "기술 제안에는 회사 (organization), 기술명 (title), 기술 설명 (offer_description), 개발 단계 (stage), "
            "협력 유형 (deal_types), 목표 지역 (target_regions) 열이 필요합니다.",
        )
    ]


def test_unknown_columns_and_hidden_sheets_are_skipped_with_a_note(db):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "응답"
    sheet.append(["타임스탬프", "name_ko", "name_en", "kind", "설명"])
    sheet.append(["2026-11-01 10:00", "글로벌메드", "GlobalMed", "글로벌 기업 BD팀", "Global BD, 글로벌 사업개발"])
    hidden = book.create_sheet("참고")
    hidden.sheet_state = "hidden"
    hidden.append(["아무 열"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = imports.import_profiles(buffer.getvalue())
    assert errors(result) == []
    assert result.notes == ["응답 시트에서 무시한 열: “타임스탬프”.", "숨겨진 시트 참고은(는) 건너뛰었습니다."][::-1]
    assert list(Organization.objects.values_list("kind", "name_ko", "description")) == [
        ("corporate", "글로벌메드", "Global BD, 글로벌 사업개발")
    ]


def test_an_application_table_may_repeat_a_company_but_not_contradict_it(db):
    rows = application_rows()
    rows[2][9] = "010-9999-0000"  # MediVision's second technology gives another phone number
    result = imports.import_profiles(csv_file(rows))
    assert errors(result) == [
        ("", 3, "사업자등록번호", "이 기관은 이미 2행에 다른 값으로 있습니다."),
    ]
    assert counts() == (0, 0, 0)


def test_a_stored_organization_keeps_its_kind_and_organizers_are_left_alone(db):
    StartupFactory(name_ko="하트웨이브", slug="heartwave", business_registration_number=BRN_2)
    OrganizationFactory(kind="organizer", name_ko="한국보건산업진흥원", slug="khidi", country="KR")
    rows = [
        ["kind", "name_ko", "name_en", "slug", "business_registration_number"],
        ["corporate", "하트웨이브", "HeartWave", "heartwave", BRN_2],
        ["", "진흥원", "KHIDI", "khidi", ""],
    ]
    assert errors(imports.import_profiles(csv_file(rows))) == [
        ("", 2, "kind", "하트웨이브은(는) 스타트업(으)로 등록되어 있습니다. 가져오기로 유형을 바꿀 수 없습니다."),
        ("", 3, "slug", "한국보건산업진흥원은(는) 주최 기관이므로 가져오기로 바꿀 수 없습니다."),
    ]


def test_offers_belong_to_startups(db):
    OrganizationFactory(slug="globalmed")  # a corporate BD team
    rows = [OFFER_HEADERS, ["globalmed", "기술", "설명", "임상", "라이선싱", "미국", "", ""]]
    assert errors(imports.import_profiles(workbook({"기술": rows}))) == [
        ("기술", 2, "회사", "스타트업을 선택해 주세요. 기술 제안은 스타트업만 등록할 수 있습니다.")
    ]
    assert counts() == (1, 0, 0)


def test_every_header_names_one_column():
    names = [name for c in imports.COLUMNS for name in (c.english, c.korean, *c.aliases)]
    names += list(imports.DESCRIPTION_HEADERS)
    assert len(imports.HEADER_KEYS) == len(names)


# --- What an organizer's import may change ---------------------------------------------------------

REFUSED_KO = (
    "하트웨이브은(는) 내 가져오기로 만든 기관이 아니거나, 이제 자체 구성원이 관리하거나 다른 주최 기관의 "
    "살롱에 참가하고 있으므로 가져오기로 바꿀 수 없습니다."
)
REFUSED_EN = (
    "HeartWave was not created by your imports, or is now managed by its own members or takes part in "
    "another organizer's salon; an import cannot change it."
)
HEARTWAVE = ["name_ko", "name_en", "slug", "business_registration_number", "contact_phone"]


def heartwave_rows(phone: str) -> bytes:
    return csv_file([HEARTWAVE, ["하트웨이브", "HeartWave", "heartwave", BRN_2, phone]])


@pytest.fixture
def organizers(db):
    mine = OrganizationFactory(kind="organizer", country="KR", slug="khidi")
    theirs = OrganizationFactory(kind="organizer", country="KR", slug="osong-foundation")
    return mine, theirs


def test_an_organizers_import_marks_what_it_creates_and_may_update_it_while_unclaimed(organizers):
    mine, _theirs = organizers
    assert errors(imports.import_profiles(heartwave_rows("053-000-0000"), organizers=[mine.pk])) == []
    company = Organization.objects.get(slug="heartwave")
    assert company.imported_by_id == mine.pk
    RegistrationFactory(event=EventFactory(organizer=mine), organization=company)  # applied to my salon
    result = imports.import_profiles(heartwave_rows("053-000-1111"), organizers=[mine.pk])
    assert errors(result) == []
    assert result.counts()["organization"] == {"created": 0, "updated": 1, "unchanged": 0}
    company.refresh_from_db()
    assert (company.contact_phone, company.imported_by_id) == ("053-000-1111", mine.pk)


def test_the_command_marks_nothing_as_imported_by_an_organizer(db):
    assert errors(imports.import_profiles(heartwave_rows("053-000-0000"))) == []
    assert Organization.objects.get(slug="heartwave").imported_by_id is None


@pytest.mark.parametrize("case", ["claimed", "at another salon", "not mine but at my salon", "nobody's"])
def test_an_organizers_import_cannot_change_what_is_not_its_own_unclaimed_row(organizers, case):
    mine, theirs = organizers
    company = StartupFactory(
        name_ko="하트웨이브",
        name_en="HeartWave",
        slug="heartwave",
        business_registration_number=BRN_2,
        contact_phone="053-000-0000",
        imported_by=None if case in ("not mine but at my salon", "nobody's") else mine,
    )
    if case == "claimed":
        MembershipFactory(organization=company, role="admin")
    elif case == "at another salon":
        RegistrationFactory(event=EventFactory(organizer=mine), organization=company)
        RegistrationFactory(event=EventFactory(organizer=theirs), organization=company, status="rejected")
    elif case == "not mine but at my salon":
        RegistrationFactory(event=EventFactory(organizer=mine), organization=company)
    result = imports.import_profiles(heartwave_rows("053-000-1111"), organizers=[mine.pk])
    assert errors(result) == [("", 2, "business_registration_number", REFUSED_KO)]
    with translation.override("en"):
        result = imports.import_profiles(heartwave_rows("053-000-1111"), organizers=[mine.pk])
    assert errors(result) == [("", 2, "business_registration_number", REFUSED_EN)]
    # Nor through an offer that names it.
    rows = [OFFER_HEADERS, ["heartwave", "ECG 패치", "설명입니다", "임상", "라이선싱", "미국", "", ""]]
    assert errors(imports.import_profiles(workbook({"기술": rows}), organizers=[mine.pk])) == [
        ("기술", 2, "회사", REFUSED_KO)
    ]
    company.refresh_from_db()
    assert company.contact_phone == "053-000-0000"
    assert TechnologyOffer.objects.count() == 0
    # The platform's command may change it.
    assert errors(imports.import_profiles(heartwave_rows("053-000-1111"))) == []


def test_every_salon_where_a_changed_company_takes_part_gets_the_import_in_its_audit(organizers):
    mine, theirs = organizers
    company = StartupFactory(
        name_ko="하트웨이브", name_en="HeartWave", slug="heartwave", business_registration_number=BRN_2
    )
    untouched = StartupFactory(slug="untouched")
    first, second = EventFactory(organizer=mine), EventFactory(organizer=theirs)
    RegistrationFactory(event=first, organization=company)
    RegistrationFactory(event=second, organization=company, status="rejected")
    RegistrationFactory(event=second, organization=untouched)
    rows = [OFFER_HEADERS, ["heartwave", "ECG 패치", "설명입니다", "임상", "라이선싱", "미국", "", ""]]
    result = imports.import_profiles(workbook({"기술": rows}))  # the command: offers given to HeartWave
    assert errors(result) == []
    figures = {
        "organization": {"created": 0, "updated": 0, "unchanged": 0},
        "offer": {"created": 1, "updated": 0, "unchanged": 0},
    }
    assert list(AuditEvent.objects.order_by("pk").values_list("action", "actor_id", "organization_id", "details")) == [
        ("import", None, None, {"counts": figures}),
        ("import", None, None, {"salon": first.pk, "organizations": [company.pk], "counts": figures}),
        ("import", None, None, {"salon": second.pk, "organizations": [company.pk], "counts": figures}),
    ]
    # An unchanged company leaves no trace in its salons.
    AuditEvent.objects.all().delete()
    assert errors(imports.import_profiles(workbook({"기술": rows}))) == []
    assert list(AuditEvent.objects.values_list("details", flat=True)) == [
        {"counts": {**figures, "offer": {"created": 0, "updated": 0, "unchanged": 1}}}
    ]


# --- The command ----------------------------------------------------------------------------------


def test_the_command_prints_the_counts(db, tmp_path):
    path = tmp_path / "applications.xlsx"
    path.write_bytes(valid_workbook())
    out = io.StringIO()
    call_command("import_profiles", str(path), stdout=out)
    assert out.getvalue() == "기관: 새로 만듦 3, 수정함 0, 변경 없음 0\n기술 제안: 새로 만듦 5, 수정함 0, 변경 없음 0\n"
    assert counts() == (3, 5, 4)
    out = io.StringIO()
    call_command("import_profiles", str(path), "--dry-run", "--language", "en", stdout=out)
    assert out.getvalue() == (
        "Organizations: created 0, updated 0, unchanged 3\n"
        "Technology offers: created 0, updated 0, unchanged 5\n"
        "Dry run: the file is valid and nothing was saved.\n"
    )


def test_the_command_lists_every_error_and_exits_with_status_2(db, tmp_path, capsys):
    path = tmp_path / "applications.xlsx"
    path.write_bytes(bad_workbook())
    with pytest.raises(CommandError) as raised:
        call_command("import_profiles", str(path))
    assert raised.value.returncode == 2
    lines = str(raised.value).splitlines()
    assert len(lines) == 19
    assert lines[0] == "오류 18건: 아무것도 저장하지 않았습니다."
    assert lines[1] == "기관 시트 3행, 회사명(국문): 이 값이 최대 200 개의 글자인지 확인하세요(입력값 201 자)."
    assert lines[9] == "기관 시트 6행: 국내 스타트업은 사업자등록번호를 입력해야 합니다."
    assert counts() == (0, 0, 0)
    # Run as `manage.py import_profiles`, the process exits with status 2 and the errors on stderr.
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "import_profiles", str(path)]).execute()
    assert exited.value.code == 2
    assert "기관 시트 5행, 사업자등록번호: 이 기관은 이미 기관 시트 2행에 있습니다." in capsys.readouterr().err


def test_the_command_reports_a_missing_file(tmp_path):
    with pytest.raises(CommandError) as raised:
        call_command("import_profiles", str(tmp_path / "nope.csv"), "--language", "en")
    assert raised.value.returncode == 2
    assert str(raised.value) == f"Cannot read {tmp_path / 'nope.csv'}: No such file or directory"
