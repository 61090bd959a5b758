"""The columns of an import: the one declaration of every header the importer reads (English
header, Korean header of the templates, other accepted spellings, required or not), and the
lookup from a header as written in a file to its column. ``docs/import-format.md`` is made from it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from accounts.models import OrganizationKind

ORGANIZATION = "organization"
OFFER = "offer"
APPLICATION = "application"  # a table whose rows each hold an organization and one of its offers


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


def normalise(text: str) -> str:
    """What two spellings of a header or a label have in common (full-width forms, case, spaces)."""
    return HEADER_NOISE.sub("", unicodedata.normalize("NFKC", text).casefold())


HEADER_KEYS: dict[str, str] = {
    normalise(name): column.key for column in COLUMNS for name in (column.english, column.korean, *column.aliases)
} | {normalise(name): DESCRIPTION for name in DESCRIPTION_HEADERS}
