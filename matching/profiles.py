"""Offers and needs as the arrays that scoring and explanations take, built from plain records.

No ORM here: ``match_service.load_profiles`` reads the records from the database, the ``rank``
command (``ranking.input_profiles``) from its JSON input, and both build the arrays with
:func:`build_profiles`, so a profile is scored the same way whichever way it came in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from . import scoring
from .enums import Market, NeedStatus, OfferStatus, Stage


@dataclass(frozen=True)
class OfferRecord:
    id: int
    organization: int
    stage: str
    deal_types: Sequence[str]
    regions: Sequence[str]
    language: str
    status: str = OfferStatus.APPROVED
    approvals: Sequence[tuple[str, str, str]] = ()  # (market, pathway, status); pathway "" when not known
    areas: Sequence[str] = ()  # declared device-area codes
    concepts: Sequence[int] = ()  # columns of its taxonomy concepts (see TaxonomyColumns)


@dataclass(frozen=True)
class NeedRecord:
    id: int
    organization: int
    stage_min: str
    stage_max: str
    deal_types: Sequence[str]
    regions: Sequence[str]
    language: str
    status: str = NeedStatus.OPEN
    areas: Sequence[str] = ()
    concepts: Sequence[int] = ()


@dataclass(frozen=True)
class TaxonomyColumns:
    """The concept columns of the arrays and the device areas, with their names."""

    concept_names: Sequence[tuple[str, str]]  # column → (Korean, English)
    concept_areas: Sequence[str]  # column → device-area code
    area_names: dict[str, tuple[str, str]]  # code → (Korean, English)


@dataclass
class Profiles:
    """Everything scoring and explanations need, loaded once."""

    offers: scoring.OfferSet
    needs: scoring.NeedSet
    concept_names: list[tuple[str, str]]  # column c → (Korean, English)
    offer_approvals: dict[int, list[tuple[str, str, str]]]  # offer id → (market, pathway, status)
    need_regions: list[list[str]]
    model_name: str
    # Device-area codes per row: the profile's own areas and those of its concepts.
    offer_areas: list[tuple[str, ...]] = field(default_factory=list)
    need_areas: list[tuple[str, ...]] = field(default_factory=list)
    area_names: dict[str, tuple[str, str]] = field(default_factory=dict)  # code → (ko, en)

    @property
    def recipe(self) -> scoring.Recipe:
        """The scoring recipe of the model that embedded these profiles."""
        return scoring.recipe_for(self.model_name)


def with_concept_areas(declared: Sequence[Sequence[str]], concepts: np.ndarray, concept_areas: Sequence[str]):
    """Per row, its declared areas and those of its concepts, sorted."""
    areas = [set(codes) for codes in declared]
    for row, column in zip(*np.nonzero(concepts), strict=True):
        areas[row].add(concept_areas[column])
    return [tuple(sorted(codes)) for codes in areas]


def area_masks(declared: Sequence[Sequence[str]], bit_of: dict[str, int]) -> np.ndarray | None:
    """Declared areas as int64 bit masks; None when the taxonomy has more areas than bits."""
    if len(bit_of) > 62:
        return None
    return np.array([scoring.area_mask(codes, bit_of) for codes in declared], dtype=np.int64)


def _concept_matrix(records: Sequence[OfferRecord | NeedRecord], columns: int) -> np.ndarray:
    matrix = np.zeros((len(records), columns), dtype=bool)
    for row, record in enumerate(records):
        matrix[row, list(record.concepts)] = True
    return matrix


def _approval_levels(offer: OfferRecord) -> np.ndarray:
    return scoring.approval_levels((market, status) for market, _pathway, status in offer.approvals)


def build_profiles(
    offers: Sequence[OfferRecord],
    needs: Sequence[NeedRecord],
    *,
    offer_vectors: np.ndarray,
    need_vectors: np.ndarray,
    taxonomy: TaxonomyColumns,
    model_name: str,
) -> Profiles:
    """The arrays of these records, row i being ``offers[i]`` / ``needs[i]``; ``offer_vectors`` and
    ``need_vectors`` are their embeddings in the same order (zero rows where not embedded).

    An offer is active (may be matched) when approved, a need when open."""
    n, m = len(offers), len(needs)
    columns = len(taxonomy.concept_names)
    bit_of = {code: bit for bit, code in enumerate(sorted(taxonomy.area_names))}
    offer_set = scoring.OfferSet(
        ids=np.array([offer.id for offer in offers], dtype=np.int64),
        organization=np.array([offer.organization for offer in offers], dtype=np.int64),
        vectors=offer_vectors,
        concepts=_concept_matrix(offers, columns),
        stage=np.array([Stage.rank(offer.stage) for offer in offers], dtype=np.int64),
        approvals=np.array(
            [
                scoring.approval_levels((market, status) for market, _pathway, status in offer.approvals)
                for offer in offers
            ],
            dtype=np.float32,
        ).reshape(n, len(Market.values)),
        deal_types=np.array([scoring.deal_mask(offer.deal_types) for offer in offers], dtype=np.int64),
        regions=np.array([scoring.region_mask(offer.regions) for offer in offers], dtype=np.int64),
        active=np.array([offer.status == OfferStatus.APPROVED for offer in offers], dtype=bool),
        language=np.array([scoring.language_index(offer.language) for offer in offers], dtype=np.int64),
        areas=area_masks([offer.areas for offer in offers], bit_of),
    )
    need_set = scoring.NeedSet(
        ids=np.array([need.id for need in needs], dtype=np.int64),
        organization=np.array([need.organization for need in needs], dtype=np.int64),
        vectors=need_vectors,
        concepts=_concept_matrix(needs, columns),
        stage_min=np.array([Stage.rank(need.stage_min) for need in needs], dtype=np.int64),
        stage_max=np.array([Stage.rank(need.stage_max) for need in needs], dtype=np.int64),
        markets=np.array([scoring.required_markets(need.regions) for need in needs], dtype=bool).reshape(
            m, len(Market.values)
        ),
        deal_types=np.array([scoring.deal_mask(need.deal_types) for need in needs], dtype=np.int64),
        regions=np.array([scoring.region_mask(need.regions) for need in needs], dtype=np.int64),
        active=np.array([need.status == NeedStatus.OPEN for need in needs], dtype=bool),
        language=np.array([scoring.language_index(need.language) for need in needs], dtype=np.int64),
        areas=area_masks([need.areas for need in needs], bit_of),
    )
    return Profiles(
        offers=offer_set,
        needs=need_set,
        concept_names=list(taxonomy.concept_names),
        offer_approvals={offer.id: list(offer.approvals) for offer in offers if offer.approvals},
        need_regions=[list(need.regions) for need in needs],
        model_name=model_name,
        offer_areas=with_concept_areas([offer.areas for offer in offers], offer_set.concepts, taxonomy.concept_areas),
        need_areas=with_concept_areas([need.areas for need in needs], need_set.concepts, taxonomy.concept_areas),
        area_names=taxonomy.area_names,
    )
