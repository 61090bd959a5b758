"""Scores for every (offer, need) pair at once: pure numpy, no ORM.

A thin service (``matching.match_service``) loads profiles into :class:`OfferSet` and
:class:`NeedSet`, calls :func:`score_matrix`, and stores the best pairs with their explanation.

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
an organizer), and pairs below the recipe's relevance floor: those are neither stored as matches
nor proposed.

The weights, the semantic band and the floor of each model family are chosen on the development
set by ``python -m bench.calibrate`` (README, "Matching quality"), not by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .enums import ApprovalStatus, DealType, Market, Region, Stage

COMPONENTS = ("semantic", "concepts", "stage", "regulatory", "deal_types", "regions")


@dataclass(frozen=True)
class Recipe:
    """How one model family's scores are put together.

    ``semantic = clip((cosine - unrelated) / (close - unrelated), 0, 1)``; ``weights`` (summing to 1)
    combine the components; pairs scoring below ``floor`` are not eligible."""

    weights: dict[str, float]
    unrelated: float = 0.0
    close: float = 1.0
    floor: float = 0.0

    def weight_vector(self) -> np.ndarray:
        return np.array([self.weights[name] for name in COMPONENTS], dtype=np.float32)


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
# multilingual-e5-small (the bundled 4-bit copy and the full-precision one alike).
E5_RECIPE = Recipe(
    weights={
        "semantic": 0.35,
        "concepts": 0.25,
        "stage": 0.15,
        "regulatory": 0.10,
        "deal_types": 0.10,
        "regions": 0.05,
    },
    unrelated=0.80,
    close=0.92,
    floor=0.0,
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


def deal_mask(values) -> int:
    return sum(DEAL_BITS[value] for value in set(values))


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
        cosine = offers.vectors @ needs.vectors.T
        band = max(recipe.close - recipe.unrelated, 1e-6)
        semantic = np.clip((cosine - recipe.unrelated) / band, 0.0, 1.0).astype(np.float32)
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

    below = np.maximum(needs.stage_min[None, :] - offers.stage[:, None], 0)
    above = np.maximum(offers.stage[:, None] - needs.stage_max[None, :], 0)
    stage = np.clip(1.0 - STAGE_STEP_PENALTY * (below + above), 0.0, 1.0).astype(np.float32)
    if feedback is not None:
        too_early = offers.stage[:, None] <= feedback.too_early_upto[None, :]
        stage = np.where(too_early, stage * TOO_EARLY_FACTOR, stage).astype(np.float32)
    components["stage"] = stage

    # Best approval level over the markets each need cares about: max over markets of level*wanted.
    regulatory = (offers.approvals[:, None, :] * needs.markets[None, :, :]).max(axis=2, initial=0.0)
    pre_approval = needs.stage_min < FIRST_APPROVED_STAGE
    no_market = ~needs.markets.any(axis=1)
    regulatory = np.where(pre_approval[None, :], np.maximum(regulatory, PRE_APPROVAL_FLOOR), regulatory)
    regulatory = np.where(no_market[None, :], 1.0, regulatory)
    components["regulatory"] = regulatory.astype(np.float32)

    need_deals = _popcount(needs.deal_types)
    common_deals = _popcount(offers.deal_types[:, None] & needs.deal_types[None, :])
    components["deal_types"] = np.where(need_deals[None, :] > 0, common_deals / np.maximum(need_deals, 1), 0.0).astype(
        np.float32
    )
    components["regions"] = ((offers.regions[:, None] & needs.regions[None, :]) != 0).astype(np.float32)

    score = sum(recipe.weights[name] * components[name] for name in COMPONENTS).astype(np.float32)
    eligible = offers.active[:, None] & needs.active[None, :] & (offers.organization[:, None] != needs.organization)
    if blocked is not None:
        eligible &= ~blocked
    if recipe.floor:
        eligible &= score >= recipe.floor
    score = np.where(eligible, score, 0.0).astype(np.float32)
    return ScoreMatrix(score=score, components=components, eligible=eligible)


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
