"""matching.profiles.build_profiles: plain records → the exact arrays scoring and explanations take."""

import numpy as np

from matching import scoring
from matching.explanations import pair_facts
from matching.profiles import NeedRecord, OfferRecord, TaxonomyColumns, build_profiles

TAXONOMY = TaxonomyColumns(
    concept_names=[("폐결절", "lung nodule"), ("심전도", "ECG")],
    concept_areas=["imaging", "cardio"],
    area_names={"imaging": ("영상", "Imaging"), "cardio": ("심장", "Cardiology")},
)
OFFERS = [
    OfferRecord(
        id=10,
        organization=1,
        stage="clinical",
        deal_types=("licensing", "co_development"),
        regions=("US",),
        language="ko",
        approvals=(("US", "fda_510k", "planned"), ("US", "fda_510k", "granted"), ("EU", "ce_mdr", "submitted")),
        areas=("imaging",),
        concepts=(0,),
    ),
    OfferRecord(
        id=11,
        organization=2,
        stage="prototype",
        deal_types=(),
        regions=("GLOBAL",),
        language="fr",
        status="draft",
        concepts=(1,),
    ),
]
NEEDS = [
    NeedRecord(
        id=20,
        organization=3,
        stage_min="preclinical",
        stage_max="approved_kr",
        deal_types=("co_development", "licensing"),
        regions=("EU", "US"),
        language="en",
        concepts=(0, 1),
    ),
    NeedRecord(
        id=21,
        organization=3,
        stage_min="approved_kr",
        stage_max="marketed",
        deal_types=("pilot",),
        regions=("SEA",),
        language="ko",
        status="closed",
        areas=("cardio",),
    ),
]


def profiles(model_name="intfloat/multilingual-e5-small"):
    return build_profiles(
        OFFERS,
        NEEDS,
        offer_vectors=np.array([[1.0, 0.0], [0.0, 0.0]], dtype=np.float32),
        need_vectors=np.array([[0.6, 0.8], [1.0, 0.0]], dtype=np.float32),
        taxonomy=TAXONOMY,
        model_name=model_name,
    )


def test_it_builds_the_offer_arrays():
    offers = profiles().offers
    assert offers.ids.tolist() == [10, 11]
    assert offers.organization.tolist() == [1, 2]
    assert offers.vectors.tolist() == [[1.0, 0.0], [0.0, 0.0]]
    assert offers.concepts.tolist() == [[True, False], [False, True]]
    assert offers.stage.tolist() == [3, 1]
    # Best level per market (KR, US, EU, JP, CN): the granted US approval beats the planned one.
    assert offers.approvals.dtype == np.float32
    assert offers.approvals.tolist() == [[0.0, 1.0, np.float32(0.6), 0.0, 0.0], [0.0] * 5]
    assert offers.deal_types.tolist() == [1 | 4, 0]
    assert offers.regions.tolist() == [2, 511]
    assert offers.active.tolist() == [True, False]  # only approved offers
    assert offers.language.tolist() == [0, 1]  # an unknown language counts as English
    assert offers.areas.tolist() == [2, 0]  # bits of the sorted area codes: cardio 1, imaging 2


def test_it_builds_the_need_arrays():
    needs = profiles().needs
    assert needs.ids.tolist() == [20, 21]
    assert needs.organization.tolist() == [3, 3]
    assert needs.concepts.tolist() == [[True, True], [False, False]]
    assert needs.stage_min.tolist() == [2, 4]
    assert needs.stage_max.tolist() == [4, 6]
    assert needs.markets.tolist() == [[False, True, True, False, False], [False] * 5]
    assert needs.deal_types.tolist() == [1 | 4, 32]
    assert needs.regions.tolist() == [2 | 4, 32]
    assert needs.active.tolist() == [True, False]  # only open needs
    assert needs.language.tolist() == [1, 0]
    assert needs.areas.tolist() == [0, 1]


def test_it_keeps_what_explanations_name():
    built = profiles()
    assert built.concept_names == [("폐결절", "lung nodule"), ("심전도", "ECG")]
    assert built.offer_approvals == {10: list(OFFERS[0].approvals)}
    assert built.need_regions == [["EU", "US"], ["SEA"]]
    # Declared areas and those of the concepts, sorted.
    assert built.offer_areas == [("imaging",), ("cardio",)]
    assert built.need_areas == [("cardio", "imaging"), ("cardio",)]
    assert built.area_names is TAXONOMY.area_names
    assert built.recipe is scoring.E5_RECIPE
    assert profiles(model_name="lexical-ngrams").recipe is scoring.LEXICAL_RECIPE


def test_pair_facts_read_the_built_arrays():
    built = profiles()
    facts = pair_facts(built, np.array([1.0, 2.0], dtype=np.float32), 0, 0, semantic=0.7)
    assert facts.shared_concepts == (("폐결절", "lung nodule"),)
    assert (facts.offer_stage, facts.need_stage_min, facts.need_stage_max) == ("clinical", "preclinical", "approved_kr")
    assert facts.approvals == (
        ("US", "fda_510k", "planned"),
        ("US", "fda_510k", "granted"),
        ("EU", "ce_mdr", "submitted"),
    )
    assert facts.wanted_markets == ("US", "EU")
    assert facts.common_deal_types == ("licensing", "co_development")
    assert facts.need_deal_types == ("licensing", "co_development")
    assert facts.common_regions is True
    assert facts.need_regions == ("US", "EU")
    assert facts.semantic == 0.7
    assert facts.offer_areas == (("영상", "Imaging"),)
    assert facts.need_areas == (("심장", "Cardiology"), ("영상", "Imaging"))
    # Offer 11 is not embedded (zero vector): no semantic fact; GLOBAL overlaps every region.
    other = pair_facts(built, np.array([1.0, 2.0], dtype=np.float32), 1, 1, semantic=0.7)
    assert other.semantic is None
    assert other.common_regions is True
    assert other.common_deal_types == ()
    assert other.need_deal_types == ("pilot",)
    assert other.wanted_markets == ()
