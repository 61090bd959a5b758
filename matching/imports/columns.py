"""The columns of an import, declared once: each header the importer reads (English, the Korean
header of the templates, other accepted spellings), whether it is required, the enumeration it
takes, what an empty cell means, how a value is written and the example of the templates; and the
lookup from a header as written in a file to its column. The importer, the templates, the
organizer page and ``docs/import-format.md`` (``manage.py import_format_doc``) all read it here."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from accounts.models import Cluster, Organization, OrganizationKind
from matching.enums import DealType, OfferStatus, Region, Stage
from matching.models import TechnologyOffer

ORGANIZATION = "organization"
OFFER = "offer"
APPLICATION = "application"  # a table whose rows each hold an organization and one of its offers

HEADER_NOISE = re.compile(r"[\s_\-·./()\[\]{}:*]")

IMPORTABLE_KINDS = (OrganizationKind.STARTUP, OrganizationKind.CORPORATE)
EXAMPLE_BRN = "220-81-62517"


@dataclass(frozen=True)
class Column:
    key: str
    table: str  # ORGANIZATION or OFFER
    english: str
    korean: str  # the header of the downloadable templates
    aliases: tuple[str, ...] = ()
    required: bool = False
    choices: type[models.TextChoices] | None = None  # taken by code or by label in either language
    allowed: tuple[str, ...] | None = None  # the choices an import takes, when not all of them
    many: bool = False  # a list of choices
    meaning: Promise | None = None  # when the model field's verbose name does not say it
    empty: str = ""  # what an empty cell of a new row means (for the format document)
    written: str = ""  # how a value is written, beyond its choices (for the format document)
    example: str = ""  # the example row of the templates

    def describe(self) -> Promise:
        """What the column holds, in the active language."""
        if self.meaning is not None:
            return self.meaning
        model = Organization if self.table == ORGANIZATION else TechnologyOffer
        return model._meta.get_field(self.key).verbose_name


COLUMNS: tuple[Column, ...] = (
    Column(
        "kind",
        ORGANIZATION,
        "kind",
        "유형",
        ("기관 유형",),
        choices=OrganizationKind,
        allowed=IMPORTABLE_KINDS,
        empty="startup",
        example="스타트업",
    ),
    Column("name_ko", ORGANIZATION, "name_ko", "회사명(국문)", ("기관명(국문)",), required=True, example="메디비전"),
    Column("name_en", ORGANIZATION, "name_en", "회사명(영문)", ("기관명(영문)",), required=True, example="MediVision"),
    Column(
        "slug",
        ORGANIZATION,
        "slug",
        "슬러그",
        empty="made from a name",
        written="letters, digits, `-` and `_`; unique on the platform",
    ),
    Column(
        "country",
        ORGANIZATION,
        "country",
        "국가",
        empty="KR",
        written="two-letter country code, in either case (`kr` reads as `KR`)",
        example="KR",
    ),
    Column(
        "website",
        ORGANIZATION,
        "website",
        "홈페이지",
        ("웹사이트",),
        written="URL; without a scheme, `https://` is assumed (`www.example.kr`)",
        example="https://medivision.example",
    ),
    Column(
        "business_registration_number",
        ORGANIZATION,
        "business_registration_number",
        "사업자등록번호",
        ("brn", "사업자번호"),
        written=(
            "10 digits, with or without hyphens (`123-45-67890`); the checksum is verified; "
            "a Korean startup must give it"
        ),
        example=EXAMPLE_BRN,
    ),
    Column("cluster", ORGANIZATION, "cluster", "클러스터", choices=Cluster, example="판교"),
    Column(
        "contact_email",
        ORGANIZATION,
        "contact_email",
        "담당자 이메일",
        ("이메일",),
        written="e-mail address",
        example="bd@medivision.example",
    ),
    Column(
        "contact_phone",
        ORGANIZATION,
        "contact_phone",
        "담당자 연락처",
        ("연락처", "전화번호"),
        example="02-1234-5678",
    ),
    Column(
        "organization_description",
        ORGANIZATION,
        "organization_description",
        "회사 소개",
        ("기관 소개",),
        meaning=gettext_lazy("organization description"),
        example="판교의 의료영상 AI 스타트업입니다. Seoul National University Hospital과 공동 연구.",
    ),
    Column(
        ORGANIZATION,
        OFFER,
        "organization",
        "회사",
        ("기관",),
        required=True,
        meaning=gettext_lazy("organization: slug, business registration number or name in this file"),
        written=(
            "the slug or 사업자등록번호 of a registered organization, or the name, slug or 사업자등록번호 "
            "of an organization in the same file"
        ),
        example=EXAMPLE_BRN,
    ),
    Column("title", OFFER, "title", "기술명", required=True, example="흉부 CT 폐결절 검출 AI (LungFinder)"),
    Column(
        "offer_description",
        OFFER,
        "offer_description",
        "기술 설명",
        ("기술 소개",),
        required=True,
        meaning=gettext_lazy("offer description"),
        example="저선량 흉부 CT에서 폐결절을 자동으로 검출하고 Lung-RADS 등급을 제안하는 딥러닝 소프트웨어입니다.",
    ),
    Column("stage", OFFER, "stage", "개발 단계", required=True, choices=Stage, example="임상"),
    Column(
        "deal_types",
        OFFER,
        "deal_types",
        "협력 유형",
        ("희망 협력 유형",),
        required=True,
        choices=DealType,
        many=True,
        example="라이선싱, 유통",
    ),
    Column(
        "target_regions",
        OFFER,
        "target_regions",
        "목표 지역",
        ("목표 시장",),
        required=True,
        choices=Region,
        many=True,
        example="미국; 유럽",
    ),
    Column("status", OFFER, "status", "상태", choices=OfferStatus, empty="draft", example="초안"),
    Column(
        "approvals",
        OFFER,
        "approvals",
        "인허가",
        meaning=gettext_lazy("regulatory approvals, e.g. MFDS:class2:granted; FDA:510k:submitted"),
        written="`market:pathway:status` items separated by `;` (see *Approvals*)",
        example="식약처:2등급:허가됨; FDA:510(k):신청함",
    ),
)
COLUMN = {column.key: column for column in COLUMNS}
DESCRIPTION = "description"  # resolved to one of the two descriptions by the table's kind
DESCRIPTION_HEADERS = ("description", "설명", "소개")

# Model field → column key, where they differ.
ORGANIZATION_FIELD_COLUMN = {"description": "organization_description"}
OFFER_FIELD_COLUMN = {"description": "offer_description"}


def normalise(text: str) -> str:
    """What two spellings of a header or a label have in common (full-width forms, case, spaces)."""
    return HEADER_NOISE.sub("", unicodedata.normalize("NFKC", text).casefold())


HEADER_KEYS: dict[str, str] = {
    normalise(name): column.key for column in COLUMNS for name in (column.english, column.korean, *column.aliases)
} | {normalise(name): DESCRIPTION for name in DESCRIPTION_HEADERS}
