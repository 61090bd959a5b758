"""Load profiles into arrays (matching.profiles), score them (``scoring.score_pairs``), store the
best pairs with explanations.

A constant number of queries loads everything; the only Python loop runs over the kept pairs
(at most the top ``MATCHES_PER_OFFER`` per offer and ``MATCHES_PER_NEED`` per need), to write
their explanations."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import engagement, scoring
from .embeddings import get_backend
from .explanations import explain, pair_facts
from .models import Concept, DeviceArea, Embedding, Match, PartneringNeed, RegulatoryApproval, TechnologyOffer
from .profiles import NeedRecord, OfferRecord, Profiles, TaxonomyColumns, build_profiles


def _vectors(kind: str, ids: list[int], model_name: str, dimension: int | None) -> np.ndarray:
    rows = dict(
        Embedding.objects.filter(**{f"{kind}_id__in": ids}, model_name=model_name).values_list(f"{kind}_id", "vector")
    )
    if dimension is None:
        first = next(iter(rows.values()), None)
        dimension = len(bytes(first)) // 4 if first is not None else 1
    matrix = np.zeros((len(ids), dimension), dtype=np.float32)
    for row, pk in enumerate(ids):
        if pk in rows:
            vector = np.frombuffer(bytes(rows[pk]), dtype="<f4")
            if vector.shape[0] == dimension:
                matrix[row] = vector
    return matrix


def _concept_columns(through, owner_field: str, ids: list[int], column_of: dict[int, int]) -> dict[int, list[int]]:
    """Per id, the columns of its concepts."""
    columns: dict[int, list[int]] = defaultdict(list)
    for owner, concept in through.objects.filter(**{f"{owner_field}__in": ids}).values_list(owner_field, "concept_id"):
        columns[owner].append(column_of[concept])
    return columns


def _declared_areas(through, owner_field: str, ids: list[int]) -> dict[int, set[str]]:
    """Per id, the device-area codes set on the profile itself."""
    areas: dict[int, set[str]] = defaultdict(set)
    for owner, code in through.objects.filter(**{f"{owner_field}__in": ids}).values_list(
        owner_field, "devicearea__code"
    ):
        areas[owner].add(code)
    return areas


def load_profiles(*, model_name: str | None = None) -> Profiles:
    """All offers and needs (inactive ones too: they are filtered by ``active``)."""
    model_name = model_name or get_backend().model_name
    concepts = list(Concept.objects.order_by("pk").values_list("pk", "name_ko", "name_en", "area__code"))
    column_of = {pk: column for column, (pk, *_names) in enumerate(concepts)}
    taxonomy = TaxonomyColumns(
        concept_names=[(ko, en) for _pk, ko, en, _area in concepts],
        concept_areas=[area for *_rest, area in concepts],
        area_names={code: (ko, en) for code, ko, en in DeviceArea.objects.values_list("code", "name_ko", "name_en")},
    )
    offers = list(
        TechnologyOffer.objects.order_by("pk").values_list(
            "pk", "organization_id", "stage", "deal_types", "target_regions", "status", "language"
        )
    )
    needs = list(
        PartneringNeed.objects.order_by("pk").values_list(
            "pk", "organization_id", "stage_min", "stage_max", "deal_types", "regions", "status", "language"
        )
    )
    offer_ids = [row[0] for row in offers]
    need_ids = [row[0] for row in needs]
    approvals: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for offer_id, market, pathway, status in RegulatoryApproval.objects.filter(offer_id__in=offer_ids).values_list(
        "offer_id", "market", "pathway", "status"
    ):
        approvals[offer_id].append((market, pathway, status))
    offer_concepts = _concept_columns(TechnologyOffer.concepts.through, "technologyoffer_id", offer_ids, column_of)
    need_concepts = _concept_columns(PartneringNeed.concepts.through, "partneringneed_id", need_ids, column_of)
    offer_areas = _declared_areas(TechnologyOffer.areas.through, "technologyoffer_id", offer_ids)
    need_areas = _declared_areas(PartneringNeed.areas.through, "partneringneed_id", need_ids)
    offer_vectors = _vectors("offer", offer_ids, model_name, None)
    return build_profiles(
        [
            OfferRecord(
                id=pk,
                organization=organization,
                stage=stage,
                deal_types=deal_types,
                regions=regions,
                language=language,
                status=status,
                approvals=approvals.get(pk, ()),
                areas=offer_areas.get(pk, ()),
                concepts=offer_concepts.get(pk, ()),
            )
            for pk, organization, stage, deal_types, regions, status, language in offers
        ],
        [
            NeedRecord(
                id=pk,
                organization=organization,
                stage_min=stage_min,
                stage_max=stage_max,
                deal_types=deal_types,
                regions=regions,
                language=language,
                status=status,
                areas=need_areas.get(pk, ()),
                concepts=need_concepts.get(pk, ()),
            )
            for pk, organization, stage_min, stage_max, deal_types, regions, status, language in needs
        ],
        offer_vectors=offer_vectors,
        need_vectors=_vectors("need", need_ids, model_name, offer_vectors.shape[1] if offer_ids else None),
        taxonomy=taxonomy,
        model_name=model_name,
    )


def load_declines() -> list[scoring.Decline]:
    """Every declined meeting request (read through ``matching.engagement``: the requests live in
    ``events``), for ``scoring.score_pairs`` (see ``scoring.decline_feedback``)."""
    return [scoring.Decline(*row) for row in engagement.source().declines()]


@dataclass
class MatchReport:
    offers: int
    needs: int
    eligible_pairs: int
    stored: int


def _stored_threshold(field: str, ids: np.ndarray, keep: int, exclude_field: str, exclude: list[int]) -> np.ndarray:
    """Per id of ``ids``, the ``keep``-th best stored score (0 when fewer are stored)."""
    scores: dict[int, list[float]] = defaultdict(list)
    rows = (
        Match.objects.filter(**{f"{field}__in": ids.tolist()})
        .exclude(**{f"{exclude_field}__in": exclude})
        .order_by(field, "-score")
        .values_list(field, "score")
    )
    for owner, score in rows:
        scores[owner].append(score)
    return np.array([s[keep - 1] if len(s) >= keep else 0.0 for s in (scores[int(i)] for i in ids)], dtype=np.float32)


def recompute_matches(
    *,
    offer_ids: list[int] | None = None,
    need_ids: list[int] | None = None,
    model_name: str | None = None,
    progress=None,
) -> MatchReport:
    """Score and store the best pairs: the whole matrix, or only the rows of ``offer_ids`` /
    columns of ``need_ids``.

    A pair is kept when it is among the offer's best ``MATCHES_PER_OFFER`` or the need's best
    ``MATCHES_PER_NEED``. For a partial update the other side's best list is the stored one: a
    changed offer's pair is kept when it beats the need's stored ``MATCHES_PER_NEED``-th score.
    ``progress(total)`` is called once the pairs are known and returns a callable advanced per pair."""
    profiles = load_profiles(model_name=model_name)
    per_offer, per_need = settings.MATCHES_PER_OFFER, settings.MATCHES_PER_NEED
    offer_rows = need_columns = None
    if offer_ids is not None:
        offer_rows = np.flatnonzero(np.isin(profiles.offers.ids, offer_ids))
    elif need_ids is not None:
        need_columns = np.flatnonzero(np.isin(profiles.needs.ids, need_ids))
    scored = scoring.score_pairs(
        profiles.offers,
        profiles.needs,
        recipe=profiles.recipe,
        declines=load_declines(),
        offer_rows=offer_rows,
        need_columns=need_columns,
    )
    offers, needs, matrix = scored.offers, scored.needs, scored.matrix
    if offer_ids is None and need_ids is None:
        pairs = scoring.top_pairs(matrix, per_offer, per_need)
    elif offer_ids is not None:
        threshold = _stored_threshold("need_id", needs.ids, per_need, "offer_id", offer_ids)
        pairs = scoring.top_pairs(matrix, per_offer, 0)
        extra = np.argwhere(matrix.eligible & (matrix.score > threshold[None, :]))
        pairs = np.unique(np.concatenate([pairs, extra]), axis=0)
    else:
        threshold = _stored_threshold("offer_id", offers.ids, per_offer, "need_id", need_ids)
        pairs = scoring.top_pairs(matrix, 0, per_need)
        extra = np.argwhere(matrix.eligible & (matrix.score > threshold[:, None]))
        pairs = np.unique(np.concatenate([pairs, extra]), axis=0)
    now = timezone.now()
    advance = progress(len(pairs)) if progress else (lambda _count: None)
    matches = []
    for row, column in pairs:
        matches.append(
            Match(
                offer_id=int(offers.ids[row]),
                need_id=int(needs.ids[column]),
                score=round(float(matrix.score[row, column]), 6),
                components={name: round(float(matrix.components[name][row, column]), 4) for name in scoring.COMPONENTS},
                explanation=explain(
                    pair_facts(
                        profiles,
                        scored.weights,
                        int(scored.offer_rows[row]),
                        int(scored.need_columns[column]),
                        semantic=float(matrix.components["semantic"][row, column]),
                    )
                ),
                model_name=profiles.model_name,
                computed_at=now,
            )
        )
        advance(1)
    with transaction.atomic():
        if offer_ids is not None:
            Match.objects.filter(offer_id__in=offer_ids).delete()
        elif need_ids is not None:
            Match.objects.filter(need_id__in=need_ids).delete()
        else:
            Match.objects.all().delete()
        Match.objects.bulk_create(matches, batch_size=500)
    return MatchReport(
        offers=int(offers.active.sum()),
        needs=int(needs.active.sum()),
        eligible_pairs=int(matrix.eligible.sum()),
        stored=len(matches),
    )
