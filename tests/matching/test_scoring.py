"""matching.scoring on hand-made arrays: every component and filter with exact expected values."""

import numpy as np
import pytest

from matching import scoring
from matching.enums import Market, Stage
from matching.explanations import PairFacts, explain
from matching.scoring import Feedback, NeedSet, OfferSet, concept_weights, score_matrix, top_pairs

R = Stage.rank


def offers(**overrides) -> OfferSet:
    """Two offers: 0 is clinical with a US 510(k) granted, 1 is a prototype with nothing."""
    base = dict(
        ids=np.array([10, 11]),
        organization=np.array([1, 2]),
        vectors=np.array([[1.0, 0.0], [0.6, 0.8]], dtype=np.float32),
        concepts=np.array([[True, True, False], [False, True, False]]),
        stage=np.array([R("clinical"), R("prototype")]),
        approvals=np.array(
            [scoring.approval_levels([(Market.US, "granted")]), scoring.approval_levels([(Market.EU, "planned")])]
        ),
        deal_types=np.array([scoring.deal_mask(["licensing", "distribution"]), scoring.deal_mask(["investment"])]),
        regions=np.array([scoring.region_mask(["US"]), scoring.region_mask(["GLOBAL"])]),
        active=np.array([True, True]),
    )
    base.update(overrides)
    return OfferSet(**base)


def needs(**overrides) -> NeedSet:
    """One need of organization 3: clinical to marketed, in the US, licensing or co-development."""
    base = dict(
        ids=np.array([20]),
        organization=np.array([3]),
        vectors=np.array([[1.0, 0.0]], dtype=np.float32),
        concepts=np.array([[True, True, True]]),
        stage_min=np.array([R("clinical")]),
        stage_max=np.array([R("marketed")]),
        markets=np.array([scoring.required_markets(["US"])]),
        deal_types=np.array([scoring.deal_mask(["licensing", "co_development"])]),
        regions=np.array([scoring.region_mask(["US"])]),
        active=np.array([True]),
    )
    base.update(overrides)
    return NeedSet(**base)


WEIGHTS = np.array([2.0, 1.0, 1.0], dtype=np.float32)


def test_every_component_has_its_exact_value():
    matrix = score_matrix(offers(), needs(), weights=WEIGHTS)
    c = {name: matrix.components[name][:, 0].astype(float).round(4).tolist() for name in scoring.COMPONENTS}
    assert c["semantic"] == [1.0, 0.6]
    # Dice over weights: offer 0 shares {0, 1} (3 of its 3, need 4) → 2*3/(3+4); offer 1 shares {1} → 2*1/(1+4).
    assert c["concepts"] == [round(6 / 7, 4), 0.4]
    # Prototype is two stages before clinical: 1 - 2 * 0.5.
    assert c["stage"] == [1.0, 0.0]
    # The need starts at clinical (before any approval), so missing approvals count 0.5, not 0.
    assert c["regulatory"] == [1.0, 0.5]
    assert c["deal_types"] == [0.5, 0.0]
    assert c["regions"] == [1.0, 1.0]  # GLOBAL covers the US
    expected = [
        0.35 * 1.0 + 0.25 * 6 / 7 + 0.15 * 1.0 + 0.10 * 1.0 + 0.10 * 0.5 + 0.05 * 1.0,
        0.35 * 0.6 + 0.25 * 0.4 + 0.15 * 0.0 + 0.10 * 0.5 + 0.10 * 0.0 + 0.05 * 1.0,
    ]
    assert matrix.score[:, 0].tolist() == pytest.approx(expected, abs=1e-6)
    assert matrix.eligible.tolist() == [[True], [True]]


def test_approvals_count_only_in_the_markets_the_need_asks_for():
    approved_only = needs(stage_min=np.array([R("approved_kr")]), markets=np.array([scoring.required_markets(["EU"])]))
    matrix = score_matrix(offers(), approved_only, weights=WEIGHTS)
    # Offer 0's US clearance does not help in the EU; offer 1's planned CE file counts 0.3.
    assert matrix.components["regulatory"][:, 0].astype(float).round(4).tolist() == [0.0, 0.3]
    asia = needs(markets=np.array([scoring.required_markets(["SEA"])]), stage_min=np.array([R("marketed")]))
    assert score_matrix(offers(), asia, weights=WEIGHTS).components["regulatory"][:, 0].tolist() == [1.0, 1.0]


def test_stage_fit_falls_by_half_per_stage_outside_the_range():
    early_range = needs(stage_min=np.array([R("concept")]), stage_max=np.array([R("prototype")]))
    matrix = score_matrix(offers(), early_range, weights=WEIGHTS)
    assert matrix.components["stage"][:, 0].tolist() == [0.0, 1.0]  # clinical is 2 stages too late
    one_late = needs(stage_min=np.array([R("concept")]), stage_max=np.array([R("preclinical")]))
    assert score_matrix(offers(), one_late, weights=WEIGHTS).components["stage"][:, 0].tolist() == [0.5, 1.0]


def test_hard_filters_zero_the_score():
    same_organization = needs(organization=np.array([1]))
    assert score_matrix(offers(), same_organization, weights=WEIGHTS).eligible[:, 0].tolist() == [False, True]
    closed = needs(active=np.array([False]))
    matrix = score_matrix(offers(), closed, weights=WEIGHTS)
    assert matrix.eligible.tolist() == [[False], [False]]
    assert matrix.score.tolist() == [[0.0], [0.0]]
    blocked = np.array([[False], [True]])
    matrix = score_matrix(offers(active=np.array([False, True])), needs(), weights=WEIGHTS, blocked=blocked)
    assert matrix.eligible.tolist() == [[False], [False]]


def test_rare_concepts_weigh_more_than_generic_ones():
    # Concept 0 is tagged on 1 of 6 profiles, concept 1 on all 6.
    offer_concepts = np.array([[True, True], [False, True], [False, True], [False, True]])
    need_concepts = np.array([[False, True], [False, True]])
    weights = concept_weights(offer_concepts, need_concepts)
    assert weights.tolist() == pytest.approx([np.log(7 / 2) + 1, np.log(7 / 7) + 1])
    rare = offers(concepts=np.array([[True, False], [False, True]]))
    need = needs(concepts=np.array([[True, True]]))
    overlap = score_matrix(rare, need, weights=weights).components["concepts"][:, 0]
    assert overlap[0] > overlap[1]
    assert overlap.tolist() == pytest.approx([2 * weights[0] / (weights[0] + weights.sum()), 2 / (1 + weights.sum())])


def test_declines_teach_the_ranking():
    feedback = Feedback.none(needs=1, concepts=3)
    before = score_matrix(offers(), needs(), weights=WEIGHTS, feedback=feedback)
    # "too early stage" for a clinical offer: clinical and earlier lose half their stage fit.
    feedback.too_early_upto[0] = R("clinical")
    # "not our focus area" for an offer tagged with concept 0: concept 0 no longer counts for this need.
    feedback.concept_penalty[0, 0] = 1.0
    after = score_matrix(offers(), needs(), weights=WEIGHTS, feedback=feedback)
    assert before.components["stage"][:, 0].tolist() == [1.0, 0.0]
    assert after.components["stage"][:, 0].tolist() == [0.5, 0.0]
    # Offer 0 now shares only concept 1: 2*1/(3+2).
    assert after.components["concepts"][:, 0].astype(float).round(4).tolist() == [0.4, round(2 / 3, 4)]


def test_top_pairs_keeps_the_best_of_each_side():
    matrix = scoring.ScoreMatrix(
        score=np.array([[0.9, 0.1, 0.5], [0.8, 0.7, 0.2], [0.3, 0.2, 0.6]], dtype=np.float32),
        eligible=np.array([[True, True, True], [True, True, True], [True, True, False]]),
    )
    assert top_pairs(matrix, per_offer=1, per_need=0).tolist() == [[0, 0], [1, 0], [2, 0]]
    assert top_pairs(matrix, per_offer=0, per_need=1).tolist() == [[0, 0], [0, 2], [1, 1]]
    assert top_pairs(matrix, per_offer=1, per_need=1).tolist() == [[0, 0], [0, 2], [1, 0], [1, 1], [2, 0]]


def test_region_masks_treat_global_as_every_region():
    assert scoring.region_mask(["GLOBAL"]) & scoring.region_mask(["LATAM"])
    assert not scoring.region_mask(["KR"]) & scoring.region_mask(["JP"])
    assert scoring.required_markets(["SEA", "JP"]).tolist() == [False, False, False, True, False]


def test_decline_feedback_blocks_and_teaches_only_a_bd_teams_declines():
    two_needs = needs(
        ids=np.array([20, 21]),
        organization=np.array([3, 3]),
        vectors=np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32),
        concepts=np.array([[True, True, True], [True, False, False]]),
        stage_min=np.array([R("clinical"), R("prototype")]),
        stage_max=np.array([R("marketed"), R("marketed")]),
        markets=np.array([scoring.required_markets(["US"])] * 2),
        deal_types=np.array([scoring.deal_mask(["licensing"])] * 2),
        regions=np.array([scoring.region_mask(["US"])] * 2),
        active=np.array([True, True]),
    )
    declines = [
        scoring.Decline(10, None, 3, 3, "too_early"),  # the BD team, about no need: both its needs
        scoring.Decline(11, 21, 3, 3, "not_focus_area"),
        scoring.Decline(11, 21, 3, 3, "not_focus_area"),
        scoring.Decline(11, 20, 3, 2, "too_early"),  # the startup declined: blocked, nothing learnt
        scoring.Decline(99, 20, 3, 3, "too_early"),  # an offer not in the set
    ]
    feedback, blocked = scoring.decline_feedback(offers(), two_needs, declines)
    assert blocked.tolist() == [[True, True], [True, True]]
    assert feedback.too_early_upto.tolist() == [R("clinical"), R("clinical")]
    # Two "not our focus area" declines of offer 11 (concept 1) remove concept 1 for need 21.
    assert feedback.concept_penalty.tolist() == [[0.0, 0.0, 0.0], [0.0, 1.0, 0.0]]


def test_score_pairs_scores_a_subset_as_part_of_the_whole():
    recipe = scoring.Recipe(weights=scoring.LEXICAL_RECIPE.weights)
    declines = [scoring.Decline(10, 20, 3, 3, "not_focus_area")]
    whole = scoring.score_pairs(offers(), needs(), recipe=recipe, declines=declines)
    row = scoring.score_pairs(offers(), needs(), recipe=recipe, declines=declines, offer_rows=np.array([1]))
    assert whole.weights.tolist() == concept_weights(offers().concepts, needs().concepts).tolist()
    assert row.weights.tolist() == whole.weights.tolist()  # weights over every profile, not the subset
    assert row.offers.ids.tolist() == [11]
    assert row.offer_rows.tolist() == [1]
    assert row.need_columns.tolist() == [0]
    assert row.matrix.score.tolist() == whole.matrix.score[[1]].tolist()
    assert whole.matrix.eligible.tolist() == [[False], [True]]  # the declined pair is blocked
    # Offer 10's decline lowered its concepts (0 and 1) for the need: offer 11 shares only concept 1.
    expected = score_matrix(
        offers(),
        needs(),
        weights=whole.weights,
        feedback=scoring.Feedback(np.array([-1]), np.array([[0.5, 0.5, 0.0]], dtype=np.float32)),
        blocked=np.array([[True], [False]]),
        recipe=recipe,
    )
    assert whole.matrix.score.tolist() == expected.score.tolist()
    for name in scoring.COMPONENTS:
        assert whole.matrix.components[name].tolist() == expected.components[name].tolist()


def test_explanations_word_the_stage_and_approval_rules_that_score():
    """For every stage and range: "within the range" exactly when the stage component is 1, "too
    early" exactly when the offer is before the range; "no approval yet" exactly when an offer
    without approval gets regulatory 0."""
    for stage in Stage.values:
        for low in Stage.values:
            for high in Stage.values[R(low) :]:
                matrix = score_matrix(
                    offers(stage=np.array([R(stage), R(stage)]), approvals=np.zeros((2, len(Market.values)))),
                    needs(stage_min=np.array([R(low)]), stage_max=np.array([R(high)])),
                    weights=WEIGHTS,
                )
                facts = PairFacts(
                    shared_concepts=(),
                    offer_stage=stage,
                    need_stage_min=low,
                    need_stage_max=high,
                    approvals=(),
                    wanted_markets=("US",),
                    common_deal_types=(),
                    need_deal_types=(),
                    common_regions=True,
                    need_regions=(),
                )
                lines = explain(facts)["en"]
                fits, misfits = " ".join(lines["fits"]), " ".join(lines["misfits"])
                assert ("within the requested range" in fits) == (matrix.components["stage"][0, 0] == 1.0)
                assert ("Too early" in misfits) == (R(stage) < R(low))
                assert ("Too late" in misfits) == (R(stage) > R(high))
                assert ("No approval yet" in misfits) == (matrix.components["regulatory"][0, 0] == 0.0)
