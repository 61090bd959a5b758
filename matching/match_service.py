"""Load profiles into arrays, score them (matching.scoring), store the best pairs with explanations.

A constant number of queries loads everything; the only Python loop runs over the kept pairs
(at most the top ``MATCHES_PER_OFFER`` per offer and ``MATCHES_PER_NEED`` per need), to write
their explanations."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import engagement, scoring
from .embeddings import get_backend
from .enums import DealType, DeclineReason, Market, NeedStatus, OfferStatus, Region, Stage
from .explanations import PairFacts, explain
from .models import Concept, DeviceArea, Embedding, Match, PartneringNeed, RegulatoryApproval, TechnologyOffer

# How much one "not our focus area" decline lowers each of the declined offer's concepts for the
# need (two declines remove the concept for that need).
FOCUS_PENALTY_PER_DECLINE = 0.5


@dataclass
class Profiles:
    """Everything scoring and explanations need, loaded once."""

    offers: scoring.OfferSet
    needs: scoring.NeedSet
    concept_names: list[tuple[str, str]]  # column c → (Korean, English)
    offer_approvals: dict[int, list[tuple[str, str, str]]]  # offer id → (market, pathway, status)
    offer_deals: list[list[str]]
    need_deals: list[list[str]]
    need_regions: list[list[str]]
    model_name: str
    # Device-area codes per row: the profile's own areas and those of its concepts.
    offer_areas: list[tuple[str, ...]] = dataclasses.field(default_factory=list)
    need_areas: list[tuple[str, ...]] = dataclasses.field(default_factory=list)
    area_names: dict[str, tuple[str, str]] = dataclasses.field(default_factory=dict)  # code → (ko, en)


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


def _concept_matrix(through, owner_field: str, ids: list[int], column_of: dict[int, int]) -> np.ndarray:
    row_of = {pk: row for row, pk in enumerate(ids)}
    matrix = np.zeros((len(ids), len(column_of)), dtype=bool)
    for owner, concept in through.objects.filter(**{f"{owner_field}__in": ids}).values_list(owner_field, "concept_id"):
        matrix[row_of[owner], column_of[concept]] = True
    return matrix


def _declared_areas(through, owner_field: str, ids: list[int]) -> list[set[str]]:
    """Per id, the device-area codes set on the profile itself."""
    row_of = {pk: row for row, pk in enumerate(ids)}
    areas: list[set[str]] = [set() for _ in ids]
    for owner, code in through.objects.filter(**{f"{owner_field}__in": ids}).values_list(
        owner_field, "devicearea__code"
    ):
        areas[row_of[owner]].add(code)
    return areas


def with_concept_areas(declared: list[set[str]], concepts: np.ndarray, concept_areas: list[str]):
    """Per row, its declared areas and those of its concepts, sorted."""
    areas = [set(codes) for codes in declared]
    for row, column in zip(*np.nonzero(concepts), strict=True):
        areas[row].add(concept_areas[column])
    return [tuple(sorted(codes)) for codes in areas]


def area_masks(declared: list[set[str]], bit_of: dict[str, int]) -> np.ndarray | None:
    """Declared areas as int64 bit masks; None when the taxonomy has more areas than bits."""
    if len(bit_of) > 62:
        return None
    return np.array([scoring.area_mask(codes, bit_of) for codes in declared], dtype=np.int64)


def load_profiles(*, model_name: str | None = None) -> Profiles:
    """All offers and needs (inactive ones too: they are filtered by ``active``)."""
    model_name = model_name or get_backend().model_name
    concepts = list(Concept.objects.order_by("pk").values_list("pk", "name_ko", "name_en", "area__code"))
    column_of = {pk: column for column, (pk, *_names) in enumerate(concepts)}
    concept_areas = [area for *_rest, area in concepts]

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
    area_names = {code: (ko, en) for code, ko, en in DeviceArea.objects.values_list("code", "name_ko", "name_en")}
    bit_of = {code: bit for bit, code in enumerate(sorted(area_names))}
    offer_ids = [row[0] for row in offers]
    need_ids = [row[0] for row in needs]
    approvals: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for offer_id, market, pathway, status in RegulatoryApproval.objects.filter(offer_id__in=offer_ids).values_list(
        "offer_id", "market", "pathway", "status"
    ):
        approvals[offer_id].append((market, pathway, status))

    offer_vectors = _vectors("offer", offer_ids, model_name, None)
    need_vectors = _vectors("need", need_ids, model_name, offer_vectors.shape[1] if offer_ids else None)
    offer_set = scoring.OfferSet(
        ids=np.array(offer_ids, dtype=np.int64),
        organization=np.array([row[1] for row in offers], dtype=np.int64),
        vectors=offer_vectors,
        concepts=_concept_matrix(TechnologyOffer.concepts.through, "technologyoffer_id", offer_ids, column_of),
        stage=np.array([Stage.rank(row[2]) for row in offers], dtype=np.int64),
        approvals=np.array([scoring.approval_levels((m, s) for m, _p, s in approvals[pk]) for pk in offer_ids]).reshape(
            len(offer_ids), len(Market.values)
        ),
        deal_types=np.array([scoring.deal_mask(row[3]) for row in offers], dtype=np.int64),
        regions=np.array([scoring.region_mask(row[4]) for row in offers], dtype=np.int64),
        active=np.array([row[5] == OfferStatus.APPROVED for row in offers], dtype=bool),
        language=np.array([scoring.language_index(row[6]) for row in offers], dtype=np.int64),
    )
    need_set = scoring.NeedSet(
        ids=np.array(need_ids, dtype=np.int64),
        organization=np.array([row[1] for row in needs], dtype=np.int64),
        vectors=need_vectors,
        concepts=_concept_matrix(PartneringNeed.concepts.through, "partneringneed_id", need_ids, column_of),
        stage_min=np.array([Stage.rank(row[2]) for row in needs], dtype=np.int64),
        stage_max=np.array([Stage.rank(row[3]) for row in needs], dtype=np.int64),
        markets=np.array([scoring.required_markets(row[5]) for row in needs], dtype=bool).reshape(
            len(need_ids), len(Market.values)
        ),
        deal_types=np.array([scoring.deal_mask(row[4]) for row in needs], dtype=np.int64),
        regions=np.array([scoring.region_mask(row[5]) for row in needs], dtype=np.int64),
        active=np.array([row[6] == NeedStatus.OPEN for row in needs], dtype=bool),
        language=np.array([scoring.language_index(row[7]) for row in needs], dtype=np.int64),
    )
    offer_declared = _declared_areas(TechnologyOffer.areas.through, "technologyoffer_id", offer_ids)
    need_declared = _declared_areas(PartneringNeed.areas.through, "partneringneed_id", need_ids)
    offer_set.areas = area_masks(offer_declared, bit_of)
    need_set.areas = area_masks(need_declared, bit_of)
    return Profiles(
        offers=offer_set,
        needs=need_set,
        concept_names=[(ko, en) for _pk, ko, en, _area in concepts],
        offer_approvals=dict(approvals),
        offer_deals=[row[3] for row in offers],
        need_deals=[row[4] for row in needs],
        need_regions=[row[5] for row in needs],
        model_name=model_name,
        offer_areas=with_concept_areas(offer_declared, offer_set.concepts, concept_areas),
        need_areas=with_concept_areas(need_declared, need_set.concepts, concept_areas),
        area_names=area_names,
    )


def pair_facts(
    profiles: Profiles, weights: np.ndarray, row: int, column: int, *, semantic: float | None = None
) -> PairFacts:
    offers, needs = profiles.offers, profiles.needs
    shared = np.flatnonzero(offers.concepts[row] & needs.concepts[column])
    shared = shared[np.argsort(-weights[shared], kind="stable")]
    wanted = [market for market, on in zip(Market.values, needs.markets[column], strict=True) if on]
    approvals = tuple(a for a in profiles.offer_approvals.get(int(offers.ids[row]), ()) if a[0] in wanted)
    need_deals = [value for value in DealType.values if value in profiles.need_deals[column]]
    return PairFacts(
        shared_concepts=tuple(profiles.concept_names[c] for c in shared),
        offer_stage=Stage.values[offers.stage[row]],
        need_stage_min=Stage.values[needs.stage_min[column]],
        need_stage_max=Stage.values[needs.stage_max[column]],
        approvals=approvals,
        wanted_markets=tuple(wanted),
        common_deal_types=tuple(value for value in need_deals if value in profiles.offer_deals[row]),
        need_deal_types=tuple(need_deals),
        common_regions=bool(offers.regions[row] & needs.regions[column]),
        need_regions=tuple(value for value in Region.values if value in profiles.need_regions[column]),
        semantic=semantic if offers.vectors[row].any() and needs.vectors[column].any() else None,
        offer_areas=_area_names(profiles, profiles.offer_areas, row),
        need_areas=_area_names(profiles, profiles.need_areas, column),
    )


def _area_names(profiles: Profiles, areas: list[tuple[str, ...]], index: int) -> tuple[tuple[str, str], ...]:
    if not areas:
        return ()
    return tuple(profiles.area_names[code] for code in areas[index] if code in profiles.area_names)


def decline_feedback(profiles: Profiles) -> tuple[scoring.Feedback, np.ndarray]:
    """What declined requests teach, as arrays over all offers and needs.

    Any decline blocks the pair from then on (a decline without a need blocks the offer for every
    need of that BD team). A BD team's "too early stage" marks the offer's stage and earlier as too
    early for the need; its "not our focus area" lowers the declined offer's concepts for the need."""
    offers, needs = profiles.offers, profiles.needs
    feedback = scoring.Feedback.none(len(needs.ids), offers.concepts.shape[1])
    blocked = np.zeros((len(offers.ids), len(needs.ids)), dtype=bool)
    row_of = {int(pk): row for row, pk in enumerate(offers.ids)}
    column_of = {int(pk): column for column, pk in enumerate(needs.ids)}
    for offer_id, need_id, corporate_id, recipient_id, reason in engagement.source().declines():
        row = row_of.get(offer_id)
        if row is None:
            continue
        if need_id is not None:
            columns = np.array([column_of[need_id]] if need_id in column_of else [], dtype=np.int64)
        else:
            columns = np.flatnonzero(needs.organization == corporate_id)
        blocked[row, columns] = True
        if recipient_id != corporate_id:
            continue  # a startup's decline blocks the pair but says nothing about the need
        if reason == DeclineReason.TOO_EARLY:
            feedback.too_early_upto[columns] = np.maximum(feedback.too_early_upto[columns], offers.stage[row])
        elif reason == DeclineReason.NOT_FOCUS_AREA:
            penalty = feedback.concept_penalty[columns] + FOCUS_PENALTY_PER_DECLINE * offers.concepts[row]
            feedback.concept_penalty[columns] = np.minimum(penalty, 1.0)
    return feedback, blocked


@dataclass
class MatchReport:
    offers: int
    needs: int
    eligible_pairs: int
    stored: int


def take_rows(profile_set, index: np.ndarray):
    """The rows ``index`` of an OfferSet, NeedSet or Feedback."""
    return dataclasses.replace(
        profile_set,
        **{
            f.name: getattr(profile_set, f.name)[index]
            for f in dataclasses.fields(profile_set)
            if getattr(profile_set, f.name) is not None
        },
    )


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
    weights = scoring.concept_weights(profiles.offers.concepts, profiles.needs.concepts)
    per_offer, per_need = settings.MATCHES_PER_OFFER, settings.MATCHES_PER_NEED
    offers, needs = profiles.offers, profiles.needs
    feedback, blocked = decline_feedback(profiles)
    offer_rows = np.arange(len(offers.ids))
    need_columns = np.arange(len(needs.ids))
    if offer_ids is not None:
        offer_rows = np.flatnonzero(np.isin(offers.ids, offer_ids))
        offers = take_rows(offers, offer_rows)
    elif need_ids is not None:
        need_columns = np.flatnonzero(np.isin(needs.ids, need_ids))
        needs = take_rows(needs, need_columns)
        feedback = take_rows(feedback, need_columns)
    blocked = blocked[np.ix_(offer_rows, need_columns)]
    matrix = scoring.score_matrix(
        offers,
        needs,
        weights=weights,
        feedback=feedback,
        blocked=blocked,
        recipe=scoring.recipe_for(profiles.model_name),
    )
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
                        weights,
                        int(offer_rows[row]),
                        int(need_columns[column]),
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
