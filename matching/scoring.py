"""Scores for every (offer, need) pair at once: pure numpy, no ORM.

The profiles come as :class:`OfferSet` and :class:`NeedSet` (built by ``matching.profiles``);
:func:`score_pairs` is the one way the service, the proposals and the ``rank`` command score them
(concept weights, decline feedback, the model's recipe, hard filters); :func:`score_matrix` is its
kernel. The rules that explanations word (:func:`stage_gap`, :func:`accepts_pre_approval`,
:func:`regions_overlap`, :func:`deal_types_of`, :func:`embedded`) are decided here only.

Each component is in [0, 1]; the score is their weighted sum (weights sum to 1):

- ``semantic``: cosine similarity of the embeddings, rescaled for the model that made them
  (:class:`Recipe`): a dense model's cosines sit in a narrow band (multilingual-e5: unrelated
  medtech texts about 0.80, close ones about 0.9), so the band is stretched to [0, 1].
- ``concepts``: weighted Dice overlap of taxonomy concepts; a concept's weight is its inverse
  document frequency over all profiles, so rare, specific concepts count more than generic ones.
- ``stage``: 1 inside the need's [stage_min, stage_max] range, then 0.5 less per stage outside.
- ``regulatory``: the best approval in a market the need asks for (granted 1, submitted 0.6,
  planned 0.3); at least 0.5 when the need also accepts stages before any approval.
- ``deal_types``: the share of the need's deal types that the offer accepts.
- ``regions``: 1 when the offer targets a region the need asks for (GLOBAL matches every
  region), else 0.

Hard filters (score 0, ``eligible`` false): a need that is not open, an offer that is not
approved, both profiles of one organization, pairs the caller blocks (declined before, blocked by
an organizer), and pairs below the recipe's relevance floor (texts less similar than
``Recipe.semantic_floor``): those are neither stored as matches nor proposed.

The weights, the semantic band and the floor of each model family are chosen on the development
set by ``python -m bench.calibrate`` (docs/benchmarks.md, "Matching quality"), not by hand.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from .enums import ApprovalStatus, DealType, DeclineReason, Market, Region, Stage

LANGUAGES = ("ko", "en")
COMPONENTS = ("semantic", "concepts", "stage", "regulatory", "deal_types", "regions")


@dataclass(frozen=True)
class Recipe:
    """How one model family's scores are put together.

    ``semantic = clip((cosine - unrelated) / (close - unrelated), 0, 1)``; ``weights`` (summing to 1)
    combine the components; a pair whose ``semantic`` is below ``semantic_floor`` is not eligible
    (the relevance floor: whatever else fits, the two texts are not about related technology)."""

    weights: dict[str, float]
    unrelated: float = 0.0
    close: float = 1.0
    semantic_floor: float = 0.0
    # Two texts in the same language are closer than a Korean and an English one about the same
    # things: per language, what to take off the cosine when both texts are in it (offer.language).
    same_language_offset: dict[str, float] = field(default_factory=dict)
    # Profiles whose declared device areas are disjoint are eligible only when their texts are at
    # least this similar (1 or more: never; 0: the areas are not checked).
    cross_area_semantic: float = 0.0


# The lexical backend's vectors are built so that their cosine already spans [0, 1].
LEXICAL_RECIPE = Recipe(
    weights={
        "semantic": 0.35,
        "concepts": 0.25,
        "stage": 0.15,
        "regulatory": 0.10,
        "deal_types": 0.10,
        "regions": 0.05,
    },
)
# multilingual-e5-small (the bundled 4-bit copy and the full-precision one alike), chosen by
# bench.calibrate on the 170 pairs and 79 decoys of the development set: MRR 0.877 both directions
# (0.868 fitted on one half and scored on the other). Unrelated medtech texts sit near cosine 0.74
# and close ones near 0.94. Regulatory fit did not help ranking there (weight 0); it still shows in
# the explanation. The floor (semantic 0.40, cosine 0.82) keeps 99.4% of true partners and removes
# 28.7% of the other pairs. Same-language offsets: on the translation twins
# (tests/data/translation_twins.json), texts of different device areas sit at a median cosine of
# 0.834 Korean↔English, 0.865 English↔English and 0.887 Korean↔Korean; the difference is the
# language, not the content. Across declared device areas a pair needs a semantic of 0.75, about
# what a translation of the same text reaches (median twin 0.886, i.e. 0.73).
E5_RECIPE = Recipe(
    weights={"semantic": 0.35, "concepts": 0.15, "stage": 0.2, "regulatory": 0.0, "deal_types": 0.2, "regions": 0.1},
    unrelated=0.74,
    close=0.94,
    semantic_floor=0.40,
    same_language_offset={"ko": 0.05, "en": 0.03},
    cross_area_semantic=0.75,
)
RECIPES = {"multilingual-e5": E5_RECIPE}


def recipe_for(model_name: str) -> Recipe:
    """The recipe of the model family that ``model_name`` (an Embedding row's) belongs to."""
    lowered = model_name.lower()
    for family, recipe in RECIPES.items():
        if family in lowered:
            return recipe
    return LEXICAL_RECIPE


STAGE_STEP_PENALTY = 0.5
APPROVAL_LEVEL = {ApprovalStatus.PLANNED: 0.3, ApprovalStatus.SUBMITTED: 0.6, ApprovalStatus.GRANTED: 1.0}
PRE_APPROVAL_FLOOR = 0.5
FIRST_APPROVED_STAGE = Stage.rank(Stage.APPROVED_KR)
# Which regulatory market serves a requested region; SEA, MEA and LATAM have no market here.
MARKETS_OF_REGION = {
    Region.KR: (Market.KR,),
    Region.US: (Market.US,),
    Region.EU: (Market.EU,),
    Region.JP: (Market.JP,),
    Region.CN: (Market.CN,),
    Region.GLOBAL: tuple(Market.values),
}
DEAL_BITS = {value: 1 << i for i, value in enumerate(DealType.values)}
REGION_BITS = {value: 1 << i for i, value in enumerate(Region.values)}
ALL_REGIONS = sum(REGION_BITS.values())
MARKET_INDEX = {value: i for i, value in enumerate(Market.values)}


def language_index(code: str) -> int:
    return LANGUAGES.index(code) if code in LANGUAGES else LANGUAGES.index("en")


def area_mask(codes, bit_of: dict[str, int]) -> int:
    return sum(1 << bit_of[code] for code in set(codes) if code in bit_of)


def deal_mask(values) -> int:
    return sum(DEAL_BITS[value] for value in set(values))


def deal_types_of(mask: int) -> tuple[str, ...]:
    """The deal types of a :func:`deal_mask`, in ``DealType`` order."""
    return tuple(value for value, bit in DEAL_BITS.items() if int(mask) & bit)


def region_mask(values) -> int:
    """GLOBAL stands for every region, so overlap with it is overlap with anything."""
    values = set(values)
    return ALL_REGIONS if Region.GLOBAL in values else sum(REGION_BITS[value] for value in values)


def approval_levels(approvals) -> np.ndarray:
    """Best level per market (in ``Market`` order) from (market, status) pairs."""
    levels = np.zeros(len(MARKET_INDEX), dtype=np.float32)
    for market, status in approvals:
        index = MARKET_INDEX[market]
        levels[index] = max(levels[index], APPROVAL_LEVEL[status])
    return levels


def required_markets(regions) -> np.ndarray:
    """Boolean per market: does a need asking for ``regions`` care about approvals there?"""
    wanted = np.zeros(len(MARKET_INDEX), dtype=bool)
    for region in regions:
        for market in MARKETS_OF_REGION.get(region, ()):
            wanted[MARKET_INDEX[market]] = True
    return wanted


def stage_gap(stage, stage_min, stage_max):
    """How many stages the offer is before the need's range and after it: (0, 0) inside it.
    Takes ranks (``Stage.rank``) or arrays of them, broadcast."""
    return np.maximum(stage_min - stage, 0), np.maximum(stage - stage_max, 0)


def accepts_pre_approval(stage_min):
    """Does a need starting at this stage rank accept offers before any approval? Then an approval
    in its markets is welcome but not required (``regulatory`` at least ``PRE_APPROVAL_FLOOR``)."""
    return stage_min < FIRST_APPROVED_STAGE


def regions_overlap(offer_regions, need_regions):
    """Do the region masks (:func:`region_mask`) share a region?"""
    return (offer_regions & need_regions) != 0


def embedded(vectors: np.ndarray):
    """Per row (or for one vector): has the profile been embedded? Zero vectors stand for not yet."""
    return vectors.any(axis=-1)


@dataclass
class OfferSet:
    """Offers as arrays, row i describing offer ``ids[i]``."""

    ids: np.ndarray  # (n,) int64
    organization: np.ndarray  # (n,) int64
    vectors: np.ndarray  # (n, d) float32, L2-normalised (zero rows when not embedded yet)
    concepts: np.ndarray  # (n, C) bool
    stage: np.ndarray  # (n,) int, Stage.rank
    approvals: np.ndarray  # (n, markets) float32, best approval level per market
    deal_types: np.ndarray  # (n,) int64 bit mask
    regions: np.ndarray  # (n,) int64 bit mask
    active: np.ndarray  # (n,) bool: approved and listed
    language: np.ndarray | None = None  # (n,) index into LANGUAGES of the text's language
    areas: np.ndarray | None = None  # (n,) int64 bit mask of the declared device areas (0: none)


@dataclass
class NeedSet:
    ids: np.ndarray
    organization: np.ndarray
    vectors: np.ndarray
    concepts: np.ndarray
    stage_min: np.ndarray
    stage_max: np.ndarray
    markets: np.ndarray  # (m, markets) bool, see required_markets
    deal_types: np.ndarray
    regions: np.ndarray
    active: np.ndarray  # open
    language: np.ndarray | None = None
    areas: np.ndarray | None = None


@dataclass
class Feedback:
    """What declines taught, per need (row j of the need set).

    ``too_early_upto[j]``: offers at this stage rank or earlier lose ``TOO_EARLY_FACTOR`` of their
    stage component for need j (-1: no such decline). ``concept_penalty[j, c]``: concept c counts
    less for need j after a "not our focus area" decline of an offer tagged with it."""

    too_early_upto: np.ndarray  # (m,) int
    concept_penalty: np.ndarray  # (m, C) float32 in [0, 1]: 1 removes the concept for that need

    @classmethod
    def none(cls, needs: int, concepts: int) -> Feedback:
        return cls(np.full(needs, -1, dtype=np.int64), np.zeros((needs, concepts), dtype=np.float32))


TOO_EARLY_FACTOR = 0.5
# How much one "not our focus area" decline lowers each of the declined offer's concepts for the
# need (two declines remove the concept for that need).
FOCUS_PENALTY_PER_DECLINE = 0.5


class Decline(NamedTuple):
    """A declined meeting request, as decline feedback reads it."""

    offer_id: int
    need_id: int | None  # None: the request was about the BD team, not one of its needs
    corporate_id: int
    recipient_id: int  # who declined: the BD team (corporate_id) or the startup
    reason: str


def decline_feedback(offers: OfferSet, needs: NeedSet, declines: Iterable[Decline]) -> tuple[Feedback, np.ndarray]:
    """What declined requests teach, as arrays over these offers and needs: the feedback and the
    (n, m) mask of blocked pairs.

    Any decline blocks the pair from then on (a decline without a need blocks the offer for every
    need of that BD team). A BD team's "too early stage" marks the offer's stage and earlier as too
    early for the need; its "not our focus area" lowers the declined offer's concepts for the need."""
    feedback = Feedback.none(len(needs.ids), offers.concepts.shape[1])
    blocked = np.zeros((len(offers.ids), len(needs.ids)), dtype=bool)
    row_of = {int(pk): row for row, pk in enumerate(offers.ids)}
    column_of = {int(pk): column for column, pk in enumerate(needs.ids)}
    for offer_id, need_id, corporate_id, recipient_id, reason in declines:
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


@dataclass
class ScoreMatrix:
    score: np.ndarray  # (n, m) float32
    components: dict[str, np.ndarray] = field(default_factory=dict)  # each (n, m) float32
    eligible: np.ndarray | None = None  # (n, m) bool


def concept_weights(offer_concepts: np.ndarray, need_concepts: np.ndarray) -> np.ndarray:
    """Inverse document frequency of each concept over all profiles: log((N + 1) / (df + 1)) + 1."""
    documents = offer_concepts.shape[0] + need_concepts.shape[0]
    frequency = offer_concepts.sum(axis=0) + need_concepts.sum(axis=0)
    return (np.log((documents + 1) / (frequency + 1)) + 1).astype(np.float32)


def _popcount(values: np.ndarray) -> np.ndarray:
    return np.bitwise_count(values.astype(np.uint64)).astype(np.float32)


def language_adjusted_cosine(offers: OfferSet, needs: NeedSet, recipe: Recipe) -> np.ndarray:
    """Cosines of the embeddings, less the recipe's offset where both texts are in one language."""
    cosine = offers.vectors @ needs.vectors.T
    if recipe.same_language_offset and offers.language is not None and needs.language is not None:
        offset = np.array([recipe.same_language_offset.get(code, 0.0) for code in LANGUAGES], dtype=np.float32)
        same = offers.language[:, None] == needs.language[None, :]
        cosine = cosine - np.where(same, offset[offers.language][:, None], 0.0)
    return cosine


def semantic_component(cosine: np.ndarray, recipe: Recipe) -> np.ndarray:
    """The recipe's band stretched to [0, 1]."""
    band = max(recipe.close - recipe.unrelated, 1e-6)
    return np.clip((cosine - recipe.unrelated) / band, 0.0, 1.0).astype(np.float32)


def score_matrix(
    offers: OfferSet,
    needs: NeedSet,
    *,
    weights: np.ndarray | None = None,
    feedback: Feedback | None = None,
    blocked: np.ndarray | None = None,
    recipe: Recipe = LEXICAL_RECIPE,
) -> ScoreMatrix:
    """Score every (offer, need) pair; ``blocked`` is an (n, m) bool mask of excluded pairs."""
    n, m = len(offers.ids), len(needs.ids)
    if weights is None:
        weights = concept_weights(offers.concepts, needs.concepts)
    components: dict[str, np.ndarray] = {}

    semantic = np.zeros((n, m), dtype=np.float32)
    if offers.vectors.size and needs.vectors.size and offers.vectors.shape[1] == needs.vectors.shape[1]:
        semantic = semantic_component(language_adjusted_cosine(offers, needs, recipe), recipe)
    components["semantic"] = semantic

    # Weighted Dice: 2 * w(shared) / (w(offer) + w(need)); a need's concept penalised by declines
    # weighs less on the need side and in the shared part alike.
    offer_weighted = offers.concepts.astype(np.float32) * weights
    need_weighted = needs.concepts.astype(np.float32) * weights
    if feedback is not None:
        need_weighted = need_weighted * (1.0 - feedback.concept_penalty)
    shared = offers.concepts.astype(np.float32) @ need_weighted.T
    denominator = offer_weighted.sum(axis=1)[:, None] + need_weighted.sum(axis=1)[None, :]
    components["concepts"] = (2 * shared / np.maximum(denominator, 1e-9)).astype(np.float32)

    below, above = stage_gap(offers.stage[:, None], needs.stage_min[None, :], needs.stage_max[None, :])
    stage = np.clip(1.0 - STAGE_STEP_PENALTY * (below + above), 0.0, 1.0).astype(np.float32)
    if feedback is not None:
        too_early = offers.stage[:, None] <= feedback.too_early_upto[None, :]
        stage = np.where(too_early, stage * TOO_EARLY_FACTOR, stage).astype(np.float32)
    components["stage"] = stage

    # Best approval level over the markets each need cares about: max over markets of level*wanted.
    regulatory = (offers.approvals[:, None, :] * needs.markets[None, :, :]).max(axis=2, initial=0.0)
    pre_approval = accepts_pre_approval(needs.stage_min)
    no_market = ~needs.markets.any(axis=1)
    regulatory = np.where(pre_approval[None, :], np.maximum(regulatory, PRE_APPROVAL_FLOOR), regulatory)
    regulatory = np.where(no_market[None, :], 1.0, regulatory)
    components["regulatory"] = regulatory.astype(np.float32)

    need_deals = _popcount(needs.deal_types)
    common_deals = _popcount(offers.deal_types[:, None] & needs.deal_types[None, :])
    components["deal_types"] = np.where(need_deals[None, :] > 0, common_deals / np.maximum(need_deals, 1), 0.0).astype(
        np.float32
    )
    components["regions"] = regions_overlap(offers.regions[:, None], needs.regions[None, :]).astype(np.float32)

    score = sum(recipe.weights[name] * components[name] for name in COMPONENTS).astype(np.float32)
    eligible = offers.active[:, None] & needs.active[None, :] & (offers.organization[:, None] != needs.organization)
    if blocked is not None:
        eligible &= ~blocked
    if recipe.semantic_floor:
        # Profiles not embedded yet (zero vectors) have no semantic signal; the floor waits for it.
        both_embedded = embedded(offers.vectors)[:, None] & embedded(needs.vectors)[None, :]
        eligible &= (semantic >= recipe.semantic_floor) | ~both_embedded
    if recipe.cross_area_semantic and offers.areas is not None and needs.areas is not None:
        declared = (offers.areas[:, None] != 0) & (needs.areas[None, :] != 0)
        disjoint = declared & ((offers.areas[:, None] & needs.areas[None, :]) == 0)
        eligible &= ~disjoint | (semantic >= recipe.cross_area_semantic)
    score = np.where(eligible, score, 0.0).astype(np.float32)
    return ScoreMatrix(score=score, components=components, eligible=eligible)


@dataclass
class ScoredPairs:
    """The result of :func:`score_pairs`: the scored offers and needs, where they sit in the full
    sets, the concept weights (explanations order shared concepts by them) and the matrix."""

    offers: OfferSet
    needs: NeedSet
    offer_rows: np.ndarray  # row i of the matrix is row offer_rows[i] of the full offer set
    need_columns: np.ndarray
    weights: np.ndarray
    matrix: ScoreMatrix


def score_pairs(
    offers: OfferSet,
    needs: NeedSet,
    *,
    recipe: Recipe,
    declines: Iterable[Decline] = (),
    offer_rows: np.ndarray | None = None,
    need_columns: np.ndarray | None = None,
) -> ScoredPairs:
    """Score offers[offer_rows] × needs[need_columns] (every row and column by default) the one way
    matches, proposals and rankings are scored: concept weights over all the given profiles, the
    decline feedback and blocked pairs of ``declines``, the recipe's weights and hard filters."""
    weights = concept_weights(offers.concepts, needs.concepts)
    feedback, blocked = decline_feedback(offers, needs, declines)
    if offer_rows is None:
        offer_rows = np.arange(len(offers.ids))
    else:
        offers = take_rows(offers, offer_rows)
    if need_columns is None:
        need_columns = np.arange(len(needs.ids))
    else:
        needs = take_rows(needs, need_columns)
        feedback = take_rows(feedback, need_columns)
    matrix = score_matrix(
        offers,
        needs,
        weights=weights,
        feedback=feedback,
        blocked=blocked[np.ix_(offer_rows, need_columns)],
        recipe=recipe,
    )
    return ScoredPairs(offers, needs, offer_rows, need_columns, weights, matrix)


def top_pairs(matrix: ScoreMatrix, per_offer: int, per_need: int) -> np.ndarray:
    """(k, 2) array of (offer row, need row): the union of each offer's best ``per_offer`` needs
    and each need's best ``per_need`` offers, eligible pairs only, sorted by row then column."""
    score = np.where(matrix.eligible, matrix.score, -1.0)
    n, m = score.shape
    keep = np.zeros((n, m), dtype=bool)
    if m and per_offer:
        k = min(per_offer, m)
        columns = np.argpartition(-score, k - 1, axis=1)[:, :k]
        keep[np.repeat(np.arange(n), k), columns.ravel()] = True
    if n and per_need:
        k = min(per_need, n)
        rows = np.argpartition(-score, k - 1, axis=0)[:k, :]
        keep[rows.ravel(), np.tile(np.arange(m), k)] = True
    keep &= matrix.eligible
    return np.argwhere(keep)
