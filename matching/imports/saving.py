"""Saving a plan, all or nothing: one transaction for the file and a savepoint per row, through
``accounts.services`` and ``matching.services`` (``full_clean()`` before every save); the stored
organizations an import may change (:class:`Scope`); ``import_profiles``, from bytes to result."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts import audit
from accounts import services as organization_services
from accounts.models import AuditAction, Organization, OrganizationKind, User
from matching import services as offer_services
from matching.imports.columns import (
    IMPORTABLE_KINDS,
    OFFER,
    OFFER_FIELD_COLUMN,
    ORGANIZATION,
    ORGANIZATION_FIELD_COLUMN,
)
from matching.imports.planning import OfferRow, OrganizationRow, error_order, identity_column, make_plan, row_location
from matching.imports.reading import read_sheets
from matching.imports.results import ImportedRow, ImportRefused, ImportResult, RowError
from matching.models import TechnologyOffer


def _existing_organization(row: OrganizationRow) -> Organization | None:
    """The stored organization this row describes: same 사업자등록번호, else slug, else names."""
    values, cells = row.values, row.cells
    by_brn = by_slug = None
    if values.get("business_registration_number"):
        by_brn = Organization.objects.filter(
            business_registration_number=values["business_registration_number"]
        ).first()
    if values.get("slug"):
        by_slug = Organization.objects.filter(slug=values["slug"]).first()
    if by_brn and by_slug and by_brn.pk != by_slug.pk:
        cells.error(
            "slug",
            _(
                "The slug “%(slug)s” belongs to %(other)s, not to the organization with this business "
                "registration number (%(name)s)."
            )
            % {"slug": values["slug"], "other": by_slug.name, "name": by_brn.name},
        )
        return None
    if by_brn or by_slug:
        return by_brn or by_slug
    if "business_registration_number" in values or "slug" in values:
        return None
    named = list(Organization.objects.filter(name_ko=values.get("name_ko", ""), name_en=values.get("name_en", ""))[:2])
    if len(named) > 1:
        cells.error(
            "name_ko", _("Several organizations have these names: give the slug or the business registration number.")
        )
        return None
    return named[0] if named else None


class Scope:
    """Which stored organizations an import may change. ``organizers=None`` (the command, run by the
    platform's operators): any. An organizer's import: only those that its own imports created
    (``Organization.imported_by``) and that nobody has claimed since (no member) and that take part
    in no other organizer's salon (a registration, in any status) — never another company's own
    profile nor a participant of someone else's salon. Rows it creates are marked as its own."""

    def __init__(self, organizers=None):
        self.organizers = None if organizers is None else frozenset(organizers)

    @property
    def importer(self) -> int | None:
        """The organizer organization recorded as the creator of new rows (and in the audit)."""
        return min(self.organizers) if self.organizers else None

    def allows(self, organization: Organization) -> bool:
        if self.organizers is None:
            return True
        if organization.imported_by_id not in self.organizers:
            return False
        if organization.memberships.exists():
            return False
        # Registrations belong to ``events``: followed by their relation name, never imported.
        return not organization.registrations.exclude(event__organizer_id__in=list(self.organizers)).exists()

    @staticmethod
    def refusal(organization: Organization) -> str:
        return _(
            "%(name)s was not created by your imports, or is now managed by its own members or takes part "
            "in another organizer's salon; an import cannot change it."
        ) % {"name": organization.name}


def _save_organization(row: OrganizationRow, result: ImportResult, scope: Scope, changes: set[int]) -> None:
    cells, values = row.cells, row.values
    found = len(cells.errors)
    existing = _existing_organization(row)
    outcome = "created"
    try:
        with transaction.atomic():
            if len(cells.errors) > found:
                pass  # the row contradicts the stored organizations; nothing to check against
            elif existing is None:
                # Also for a row with errors already: the model still checks its other fields.
                row.instance = organization_services.organization_create(
                    **{"kind": OrganizationKind.STARTUP, **values}, imported_by_id=scope.importer
                )
            elif not scope.allows(existing):
                cells.error(identity_column(values), scope.refusal(existing))
            elif existing.kind not in IMPORTABLE_KINDS:
                cells.error(
                    identity_column(values),
                    _("%(name)s is an organizer organization; imports do not change it.") % {"name": existing.name},
                )
            elif values.get("kind", existing.kind) != existing.kind:
                cells.error(
                    "kind",
                    _("%(name)s is registered as %(kind)s; an import does not change the kind.")
                    % {"name": existing.name, "kind": existing.get_kind_display()},
                )
            else:
                changed = {name: value for name, value in values.items() if getattr(existing, name) != value}
                outcome = "updated" if changed else "unchanged"
                if changed:
                    organization_services.organization_update(organization=existing, **changed)
                    changes.add(existing.pk)
                row.instance = existing
            if cells.errors:
                raise _RowFailed
    except _RowFailed:
        pass
    except ValidationError as error:
        cells.model_errors(error, ORGANIZATION_FIELD_COLUMN)
    except IntegrityError:
        cells.error(
            identity_column(values),
            _("Someone saved the same organization at the same moment; import the file again."),
        )
    if cells.errors:
        row.failed, row.instance = True, None
        return
    result.rows.append(ImportedRow(ORGANIZATION, outcome, cells.sheet, cells.row, row.label))


def _save_offer(row: OfferRow, result: ImportResult, scope: Scope, changes: set[int]) -> None:
    cells, values = row.cells, row.values
    target = row.organization
    organization = target.instance if isinstance(target, OrganizationRow) else target
    if isinstance(target, Organization) and not scope.allows(target):
        cells.error(ORGANIZATION, scope.refusal(target))
        organization = None
    if isinstance(target, OrganizationRow) and target.failed and ORGANIZATION in cells.headers:
        cells.error(
            ORGANIZATION,
            _("The organization in %(where)s has errors; fix them first.") % {"where": row_location(target)},
        )
    # Without its organization the offer is still checked field by field; the missing organization
    # is already reported above, so the model's word about it is dropped.
    drop = () if organization is not None else ("organization",)
    existing = None
    if organization is not None and values.get("title"):
        existing = TechnologyOffer.objects.filter(organization=organization, title=values["title"]).first()
    outcome = "created"
    try:
        with transaction.atomic():
            if existing is None:
                offer_services.offer_create(organization=organization, approvals=row.approvals, **values)
            else:
                changed = {name: value for name, value in values.items() if getattr(existing, name) != value}
                approvals = row.approvals
                if approvals is not None:
                    stored = list(
                        existing.approvals.order_by("market", "pathway").values("market", "pathway", "status")
                    )
                    if sorted(approvals, key=lambda a: (a["market"], a["pathway"])) == stored:
                        approvals = None
                outcome = "updated" if changed or approvals is not None else "unchanged"
                if outcome == "updated":
                    offer_services.offer_update(offer=existing, approvals=approvals, **changed)
            if cells.errors:
                raise _RowFailed
    except _RowFailed:
        pass
    except ValidationError as error:
        cells.model_errors(error, OFFER_FIELD_COLUMN, drop)
    except IntegrityError:
        cells.error("title", _("Someone saved the same offer at the same moment; import the file again."))
    if cells.errors:
        return
    if outcome != "unchanged" and organization is not None:
        changes.add(organization.pk)
    result.rows.append(ImportedRow(OFFER, outcome, cells.sheet, cells.row, values.get("title", "")))


class _RowFailed(Exception):
    """Undo the savepoint of a row that passed the model but has an error of its own."""


def _audit(actor: User | None, scope: Scope, changes: set[int], counts: dict) -> None:
    """The import's trace: one row for the importer, and one per salon where an organization it
    changed (updated, or given offers) is registered, which that salon's organizers see."""
    audit.record(AuditAction.IMPORTED, actor=actor, organization=scope.importer, counts=counts)
    salons: dict[int, set[int]] = {}
    registered = (
        Organization.objects.filter(pk__in=changes, registrations__isnull=False)
        .values_list("registrations__event_id", "pk")
        .distinct()
    )
    for salon, organization in registered:
        salons.setdefault(salon, set()).add(organization)
    for salon, organizations in sorted(salons.items()):
        audit.record(
            AuditAction.IMPORTED,
            actor=actor,
            organization=scope.importer,
            salon=salon,
            organizations=sorted(organizations),
            counts=counts,
        )


def import_profiles(
    data: bytes,
    *,
    dry_run: bool = False,
    actor: User | None = None,
    organizers: Iterable[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import the organizations and offers of an .xlsx or .csv file in one transaction.

    ``organizers``: the importing user's organizer organizations, which limits the stored
    organizations the file may change (:class:`Scope`); ``None`` for the platform's command.
    ``progress(done, total)`` is called after each row is saved (``total``: the rows of the plan).

    With errors, or with ``dry_run``, everything is rolled back (and the embeddings queued on
    commit are never sent); ``result.errors`` lists every bad cell, ``result.rows`` what was (or,
    for a dry run, would be) created, updated or left unchanged."""
    result = ImportResult(dry_run=dry_run)
    try:
        sheets = read_sheets(data, result.notes)
    except ImportRefused as refused:
        result.errors.append(RowError("", None, "", refused.message))
        return result
    plan = make_plan(sheets, result.notes)
    if not plan.errors and not plan.organizations and not plan.offers:
        result.errors.append(RowError("", None, "", _("The file has headers but no data rows.")))
        return result
    scope = Scope(organizers)
    changes: set[int] = set()
    total, done = len(plan.organizations) + len(plan.offers), 0
    with transaction.atomic():
        for organization in plan.organizations:
            _save_organization(organization, result, scope, changes)
            done += 1
            if progress is not None:
                progress(done, total)
        for offer in plan.offers:
            _save_offer(offer, result, scope, changes)
            done += 1
            if progress is not None:
                progress(done, total)
        errors = {id(error): error for error in plan.errors}
        for row in (*plan.organizations, *plan.offers):
            errors.update({id(error): error for error in row.cells.errors})
        result.errors = sorted(errors.values(), key=lambda error: error_order(error, plan))
        if result.errors or dry_run:
            # Nothing of a bad file is kept; on_commit callbacks of the rolled-back work never run.
            transaction.set_rollback(True)
        else:
            _audit(actor, scope, changes, result.counts())
    if result.errors:
        result.rows = []
    return result
