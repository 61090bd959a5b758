"""Writes of offers, needs and shortlists. Forms, the API, the admin and the seed loader all go
through here, so every save is validated and queues its embedding once the transaction commits."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from matching.embedding_service import enqueue_embedding
from matching.models import Concept, DeviceArea, PartneringNeed, RegulatoryApproval, Shortlist, TechnologyOffer


def _save_profile(instance, *, kind: str, areas=None, concepts=None, approvals=None) -> None:
    instance.full_clean()
    with transaction.atomic():
        instance.save()
        if areas is not None:
            instance.areas.set(areas)
        if concepts is not None:
            instance.concepts.set(concepts)
        if approvals is not None:
            _replace_approvals(instance, approvals)
        enqueue_embedding(kind=kind, ids=[instance.pk])


def _replace_approvals(offer: TechnologyOffer, approvals: list[dict]) -> None:
    """The offer's regulatory approvals become exactly ``approvals`` (``market``, ``pathway``,
    ``status``); each is validated (a pathway of another market is refused). The embedding task
    queued by every save recomputes the offer's matches (regulatory fit is part of the score)."""
    rows = [RegulatoryApproval(offer=offer, **values) for values in approvals]
    errors = []
    for position, row in enumerate(rows, start=1):
        try:
            row.full_clean(exclude=["offer"], validate_unique=False)
        except ValidationError as error:
            errors += [_("Approval %(number)d: %(error)s") % {"number": position, "error": m} for m in error.messages]
    keys = [(row.market, row.pathway) for row in rows]
    if len(set(keys)) != len(keys):
        errors.append(_("Each market and pathway can be listed once."))
    if errors:
        raise ValidationError({"approvals": errors})
    offer.approvals.all().delete()
    RegulatoryApproval.objects.bulk_create(rows)


def offer_create(
    *,
    organization: Organization,
    areas: list[DeviceArea] | None = None,
    concepts: list[Concept] | None = None,
    approvals: list[dict] | None = None,
    **fields,
) -> TechnologyOffer:
    offer = TechnologyOffer(organization=organization, **fields)
    _save_profile(offer, kind="offer", areas=areas or [], concepts=concepts or [], approvals=approvals)
    return offer


def offer_update(
    offer: TechnologyOffer,
    *,
    areas: list[DeviceArea] | None = None,
    concepts: list[Concept] | None = None,
    approvals: list[dict] | None = None,
    **fields,
) -> TechnologyOffer:
    for name, value in fields.items():
        setattr(offer, name, value)
    _save_profile(offer, kind="offer", areas=areas, concepts=concepts, approvals=approvals)
    return offer


def need_create(
    *,
    organization: Organization,
    areas: list[DeviceArea] | None = None,
    concepts: list[Concept] | None = None,
    **fields,
) -> PartneringNeed:
    need = PartneringNeed(organization=organization, **fields)
    _save_profile(need, kind="need", areas=areas or [], concepts=concepts or [])
    return need


def need_update(
    need: PartneringNeed, *, areas: list[DeviceArea] | None = None, concepts: list[Concept] | None = None, **fields
) -> PartneringNeed:
    for name, value in fields.items():
        setattr(need, name, value)
    _save_profile(need, kind="need", areas=areas, concepts=concepts)
    return need


def shortlist_add(
    *,
    organization: Organization,
    offer: TechnologyOffer,
    need: PartneringNeed,
    user: User | None = None,
    note: str = "",
) -> Shortlist:
    """Keep a pair on one side's shortlist (idempotent: a second call updates the note)."""
    if organization.pk not in (offer.organization_id, need.organization_id):
        raise ValidationError(_("Only the two sides of a match can shortlist it."), code="not_party")
    if len(note) > 500:
        raise ValidationError({"note": [_("The note is too long (at most 500 characters).")]}, code="note")
    entry, created = Shortlist.objects.get_or_create(
        organization=organization, offer=offer, need=need, defaults={"note": note, "created_by": user}
    )
    if not created and entry.note != note:
        entry.note = note
        entry.save(update_fields=["note"])
    return entry


def shortlist_remove(*, organization: Organization, offer: TechnologyOffer, need: PartneringNeed) -> int:
    """Take a pair off the shortlist; returns how many entries went (0 or 1)."""
    deleted, _rows = Shortlist.objects.filter(organization=organization, offer=offer, need=need).delete()
    return deleted
