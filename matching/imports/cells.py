"""Cells to field values: the enumerations by code or label in either language, lists, approvals,
URLs and business registration numbers, with an error on the cell for each value that cannot be read."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.validators import normalize_business_registration_number
from matching.enums import PATHWAYS_BY_MARKET, ApprovalStatus, Market, Pathway
from matching.imports.columns import COLUMN, COLUMNS, normalise
from matching.imports.results import RowError

LIST_SEPARATORS = re.compile(r"[,;\n、，；]")
APPROVAL_SEPARATORS = re.compile(r"[;\n,；，]")


AUTHORITIES = {
    Market.KR: ("mfds", "식약처", "식품의약품안전처"),
    Market.US: ("fda",),
    Market.EU: ("ce",),
    Market.JP: ("pmda",),
    Market.CN: ("nmpa",),
}


def _choices_table(choices: type[models.TextChoices], allowed: Iterable[str] | None = None) -> dict[str, str]:
    """Code, English label and Korean label (normalised) → code."""
    allowed = set(choices.values if allowed is None else allowed)
    table = {}
    for value, label in choices.choices:
        if value not in allowed:
            continue
        table[normalise(value)] = value
        for language in ("en", "ko"):
            with override(language):
                table[normalise(str(label))] = value
    return table


def _allowed(choices: type[models.TextChoices], values: Iterable[str] | None = None) -> str:
    labels = dict(choices.choices)
    return ", ".join(f"{value} ({labels[value]})" for value in (choices.values if values is None else values))


def _pathway_key(text: str) -> str:
    return normalise(text).replace("class", "").replace("등급", "")


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

    def choice(self, key: str) -> str:
        column = COLUMN[key]
        raw = self.text(key)
        value = self.tables.choices[key].get(normalise(raw))
        if value is None:
            self.error(
                key,
                _("“%(value)s” is not an allowed value. Allowed: %(allowed)s.")
                % {"value": raw, "allowed": _allowed(column.choices, column.allowed)},
            )
            return raw
        return value

    def choice_list(self, key: str) -> list[str]:
        choices, table = COLUMN[key].choices, self.tables.choices[key]
        items = [item.strip() for item in LIST_SEPARATORS.split(self.text(key)) if item.strip()]
        unknown = [item for item in items if normalise(item) not in table]
        if unknown:
            self.error(
                key,
                _("Unknown value(s): %(unknown)s. Allowed: %(allowed)s.")
                % {"unknown": ", ".join(f"“{item}”" for item in unknown), "allowed": _allowed(choices)},
            )
        return [table[normalise(item)] for item in items if normalise(item) in table]

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
            market = self.tables.markets.get(normalise(parts[0]))
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
            status = self.tables.approval_statuses.get(normalise(parts[2]))
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
        self.choices = {
            column.key: _choices_table(column.choices, column.allowed) for column in COLUMNS if column.choices
        }
        self.approval_statuses = _choices_table(ApprovalStatus)
        self.markets = _choices_table(Market) | {
            normalise(name): market for market, names in AUTHORITIES.items() for name in names
        }
        self.pathways = {market: _pathway_table(market) for market in PATHWAYS_BY_MARKET}


def read_organization(cells: Cells) -> dict:
    values = {}
    for key in ("name_ko", "name_en", "slug", "contact_email", "contact_phone"):
        if cells.text(key):
            values[key] = cells.text(key)
    if cells.text("organization_description"):
        values["description"] = cells.text("organization_description")
    for key in ("kind", "cluster"):
        if cells.text(key):
            values[key] = cells.choice(key)
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


def read_offer(cells: Cells) -> tuple[dict, list[dict] | None]:
    values = {}
    if cells.text("title"):
        values["title"] = cells.text("title")
    if cells.text("offer_description"):
        values["description"] = cells.text("offer_description")
    for key in ("stage", "status", "deal_types", "target_regions"):
        if cells.text(key):
            values[key] = cells.choice_list(key) if COLUMN[key].many else cells.choice(key)
    approvals = cells.approvals() if cells.text("approvals") else None
    return values, approvals
