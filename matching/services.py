"""Writes of offers and needs. Forms, the API, the admin and the seed loader all go through here,
so every save is validated and queues its embedding once the transaction commits."""

from django.db import transaction

from accounts.models import Organization
from matching.embedding_service import enqueue_embedding
from matching.models import Concept, DeviceArea, PartneringNeed, TechnologyOffer


def _save_profile(instance, *, kind: str, areas=None, concepts=None) -> None:
    instance.full_clean()
    with transaction.atomic():
        instance.save()
        if areas is not None:
            instance.areas.set(areas)
        if concepts is not None:
            instance.concepts.set(concepts)
        enqueue_embedding(kind=kind, ids=[instance.pk])


def offer_create(
    *,
    organization: Organization,
    areas: list[DeviceArea] | None = None,
    concepts: list[Concept] | None = None,
    **fields,
) -> TechnologyOffer:
    offer = TechnologyOffer(organization=organization, **fields)
    _save_profile(offer, kind="offer", areas=areas or [], concepts=concepts or [])
    return offer


def offer_update(
    offer: TechnologyOffer, *, areas: list[DeviceArea] | None = None, concepts: list[Concept] | None = None, **fields
) -> TechnologyOffer:
    for name, value in fields.items():
        setattr(offer, name, value)
    _save_profile(offer, kind="offer", areas=areas, concepts=concepts)
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
