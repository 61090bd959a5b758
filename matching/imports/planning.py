"""The plan of an import: each sheet's headers mapped to columns (which decide what the table
holds), every row read into field values, the organizations of the file told apart and the offers
tied to their organization, before anything is saved; every error found on the way, by row."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext as _

from accounts.models import Organization
from accounts.validators import normalize_business_registration_number
from matching.imports.cells import Cells, Tables, read_offer, read_organization
from matching.imports.columns import (
    APPLICATION,
    COLUMN,
    COLUMNS,
    DESCRIPTION,
    HEADER_KEYS,
    OFFER,
    ORGANIZATION,
    normalise,
)
from matching.imports.reading import MAX_COLUMNS, Sheet
from matching.imports.results import RowError, location


@dataclass
class OrganizationRow:
    cells: Cells
    values: dict  # model field → value, only for the cells that are filled in
    instance: Organization | None = None  # once saved (or found unchanged)
    failed: bool = False

    @property
    def label(self) -> str:
        return self.values.get("name_ko") or self.values.get("name_en") or ""


@dataclass
class OfferRow:
    cells: Cells
    values: dict
    approvals: list[dict] | None
    organization: OrganizationRow | Organization | None


def header_name(key: str) -> str:
    column = COLUMN[key]
    return f"{column.korean} ({column.english})"


@dataclass
class Plan:
    organizations: list[OrganizationRow] = field(default_factory=list)
    offers: list[OfferRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    sheet_order: dict[str, int] = field(default_factory=dict)
    column_order: dict[tuple[str, str], int] = field(default_factory=dict)


def _map_headers(sheet: Sheet, plan: Plan, notes: list[str]) -> tuple[str, dict[str, int], dict[str, str]] | None:
    """(table kind, column key → index, column key → header) of a sheet, or None after an error."""

    def refuse(header: str, message: str) -> None:
        plan.errors.append(RowError(sheet.name, 1, header, message))

    number, header_cells = sheet.rows[0]
    if number != 1:
        refuse("", _("Row 1 must hold the column headers."))
        return None
    keys: dict[str, int] = {}
    headers: dict[str, str] = {}
    ignored = []
    same_field = _("The columns “%(first)s” and “%(second)s” are the same field; keep one of them.")
    for index, header in enumerate(header_cells):
        if not header:
            continue
        plan.column_order[(sheet.name, header)] = index
        key = HEADER_KEYS.get(normalise(header))
        if key is None:
            ignored.append(header)
        elif key in keys:
            refuse(header, same_field % {"first": headers[key], "second": header})
        else:
            keys[key], headers[key] = index, header
    has_organization = "name_ko" in keys or "name_en" in keys
    if has_organization and "title" in keys:
        kind, tables = APPLICATION, (ORGANIZATION, OFFER)
    elif has_organization:
        kind, tables = ORGANIZATION, (ORGANIZATION,)
    elif "title" in keys or ORGANIZATION in keys:
        kind, tables = OFFER, (OFFER,)
    else:
        required = {
            table: ", ".join(header_name(c.key) for c in COLUMNS if c.required and c.table == table)
            for table in (ORGANIZATION, OFFER)
        }
        refuse(
            "",
            _(
                "The headers name neither organizations nor offers. Organizations need %(organizations)s; "
                "offers need %(offers)s."
            )
            % {"organizations": required[ORGANIZATION], "offers": required[OFFER]},
        )
        return None
    if DESCRIPTION in keys:
        if kind == APPLICATION:
            refuse(
                headers[DESCRIPTION],
                _(
                    "With both organization and offer columns, say which description this is: "
                    "“회사 소개” (organization_description) or “기술 설명” (offer_description)."
                ),
            )
            return None
        key = "organization_description" if kind == ORGANIZATION else "offer_description"
        if key in keys:
            refuse(headers[DESCRIPTION], same_field % {"first": headers[key], "second": headers[DESCRIPTION]})
            return None
        keys[key], headers[key] = keys.pop(DESCRIPTION), headers.pop(DESCRIPTION)
    # An application row's offer belongs to the row's own organization: no "organization" column.
    unused = [key for key in keys if COLUMN[key].table not in tables or (kind == APPLICATION and key == ORGANIZATION)]
    for key in unused:
        ignored.append(headers.pop(key))
        del keys[key]
    missing = [
        c.key
        for c in COLUMNS
        if c.required
        and c.table in tables
        and c.key not in keys
        and not (kind == APPLICATION and c.key == ORGANIZATION)
    ]
    if missing:
        refuse("", _("Required columns are missing: %(columns)s.") % {"columns": ", ".join(map(header_name, missing))})
        return None
    if ignored:
        where = _("sheet %(sheet)s") % {"sheet": sheet.name} if sheet.name else _("the file")
        notes.append(
            _("Columns ignored in %(where)s: %(columns)s.")
            % {"where": where, "columns": ", ".join(f"“{header}”" for header in ignored)}
        )
    return kind, keys, headers


class Registry:
    """The organizations of the file, found by 사업자등록번호, slug or names."""

    def __init__(self):
        self.by_key: dict[tuple[str, str], OrganizationRow] = {}

    @staticmethod
    def keys(values: dict) -> list[tuple[str, str]]:
        keys = []
        if values.get("business_registration_number"):
            keys.append(("brn", values["business_registration_number"]))
        if values.get("slug"):
            keys.append(("slug", values["slug"]))
        if not keys and (values.get("name_ko") or values.get("name_en")):
            keys.append(("names", f"{values.get('name_ko', '')}\n{values.get('name_en', '')}"))
        return keys

    def find(self, values: dict) -> OrganizationRow | None:
        return next((self.by_key[key] for key in self.keys(values) if key in self.by_key), None)

    def add(self, row: OrganizationRow) -> None:
        for key in self.keys(row.values):
            self.by_key.setdefault(key, row)

    def reference(self, text: str) -> OrganizationRow | None:
        """An offer's organization cell: a slug, a 사업자등록번호 or a name of an organization of the file."""
        digits = normalize_business_registration_number(text)
        found = self.by_key.get(("slug", text)) or self.by_key.get(("brn", digits))
        if found:
            return found
        wanted = normalise(text)
        named = {
            id(row): row
            for row in self.by_key.values()
            if wanted in (normalise(row.values.get("name_ko", "")), normalise(row.values.get("name_en", "")))
        }
        return next(iter(named.values())) if len(named) == 1 else None


def _organization_cells(cells: Cells) -> dict[str, str]:
    return {key: text for key, text in cells.cells.items() if COLUMN[key].table == ORGANIZATION}


def identity_column(values: dict) -> str:
    if values.get("business_registration_number"):
        return "business_registration_number"
    return "slug" if values.get("slug") else "name_ko"


def row_location(row: OrganizationRow) -> str:
    return location(row.cells.sheet, row.cells.row)


def make_plan(sheets: list[Sheet], notes: list[str]) -> Plan:
    plan = Plan(sheet_order={sheet.name: position for position, sheet in enumerate(sheets)})
    tables = Tables()
    registry = Registry()
    pending_offers: list[tuple[Cells, dict, list[dict] | None, OrganizationRow | None]] = []
    offer_sheets: list[Sheet] = []
    mapped: dict[int, tuple[str, dict[str, int], dict[str, str]]] = {}
    for sheet in sheets:
        result = _map_headers(sheet, plan, notes)
        if result is not None:
            mapped[id(sheet)] = result
    # Organizations first, from every table, so that offers anywhere in the file can refer to them.
    for sheet in sheets:
        if id(sheet) not in mapped:
            continue
        kind, keys, headers = mapped[id(sheet)]
        if kind == OFFER:
            offer_sheets.append(sheet)
            continue
        for number, row in sheet.rows[1:]:
            cells = Cells(
                tables, sheet.name, number, headers, {key: row[i] if i < len(row) else "" for key, i in keys.items()}
            )
            values = read_organization(cells)
            organization = OrganizationRow(cells, values)
            earlier = registry.find(values)
            if earlier is None:
                registry.add(organization)
                plan.organizations.append(organization)
            elif kind == APPLICATION and _organization_cells(earlier.cells) == _organization_cells(cells):
                organization = earlier  # the same company again, with another technology
            else:
                organization.failed = True
                cells.error(
                    identity_column(values),
                    _("This organization is already in %(where)s.") % {"where": row_location(earlier)}
                    if kind == ORGANIZATION
                    else _("This organization is already in %(where)s, with other values.")
                    % {"where": row_location(earlier)},
                )
                plan.errors.extend(cells.errors)
            if kind == APPLICATION:
                offer_cells = Cells(tables, sheet.name, number, headers, cells.cells)
                offer_values, approvals = read_offer(offer_cells)
                pending_offers.append((offer_cells, offer_values, approvals, organization))
    for sheet in offer_sheets:
        _kind, keys, headers = mapped[id(sheet)]
        for number, row in sheet.rows[1:]:
            cells = Cells(
                tables, sheet.name, number, headers, {key: row[i] if i < len(row) else "" for key, i in keys.items()}
            )
            values, approvals = read_offer(cells)
            reference = cells.text(ORGANIZATION)
            pending_offers.append((cells, values, approvals, registry.reference(reference) if reference else None))
    seen: dict[tuple, Cells] = {}
    for cells, values, approvals, in_file in pending_offers:
        reference = cells.text(ORGANIZATION)
        target: OrganizationRow | Organization | None = in_file
        if target is None and reference:
            target = _existing_by_reference(reference)
        if target is None and ORGANIZATION in cells.headers:
            if reference:
                cells.error(
                    ORGANIZATION,
                    _(
                        "Unknown organization “%(value)s”: give the slug or business registration number of a "
                        "registered organization, or the name, slug or business registration number of an "
                        "organization in this file."
                    )
                    % {"value": reference},
                )
            else:
                cells.error(ORGANIZATION, _("Give the organization of this offer."))
        if target is not None and values.get("title"):
            owner = ("file", id(target)) if isinstance(target, OrganizationRow) else ("db", target.pk)
            key = (owner, values["title"].casefold())
            if key in seen:
                cells.error(
                    "title",
                    _("This organization already has an offer with this title in %(where)s.")
                    % {"where": location(seen[key].sheet, seen[key].row)},
                )
            else:
                seen[key] = cells
        plan.offers.append(OfferRow(cells, values, approvals, target))
    return plan


def _existing_by_reference(text: str) -> Organization | None:
    digits = normalize_business_registration_number(text)
    query = models.Q(slug=text)
    if re.fullmatch(r"\d{10}", digits):
        query |= models.Q(business_registration_number=digits)
    found = list(Organization.objects.filter(query)[:2])
    return found[0] if len(found) == 1 else None


def error_order(error: RowError, plan: Plan) -> tuple:
    column = plan.column_order.get((error.sheet, error.column), MAX_COLUMNS) if error.column else MAX_COLUMNS + 1
    return (plan.sheet_order.get(error.sheet, -1), error.row or 0, column)
