"""The offer ↔ need development set (tests/data/crosslingual_pairs.json) and its evaluation."""

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from matching import evaluation, ranking
from matching.embeddings import LexicalBackend
from matching.enums import Stage

ROOT = Path(__file__).resolve().parents[2]
DATA = json.loads((ROOT / "tests/data/crosslingual_pairs.json").read_text())


def test_the_set_holds_enough_pairs_and_decoys_over_every_area():
    pairs, decoys = DATA["pairs"], DATA["decoys"]
    assert len(pairs) >= 150 and len(decoys) >= 60
    assert Counter((p["offer"]["lang"], p["need"]["lang"]) for p in pairs) == {("ko", "en"): 158, ("en", "ko"): 12}
    assert len(Counter(p["area"] for p in pairs)) == 17
    assert Counter(d["differs_by"] for d in decoys) == {"modality": 44, "stage": 19, "deal": 16}
    ids = [p["id"] for p in pairs] + [d["id"] for d in decoys]
    assert len(set(ids)) == len(ids)
    texts = [p[side]["description"] for p in pairs for side in ("offer", "need")] + [
        d["profile"]["description"] for d in decoys
    ]
    assert len(set(texts)) == len(texts)


def test_every_profile_is_valid_rank_input_and_every_pair_fits_on_stage_deal_and_region():
    taxonomy = ranking.load_taxonomy()
    dev = evaluation.read_dev_set(DATA)
    as_input = {
        "offers": [{**p["offer"], "id": p["id"]} for p in DATA["pairs"]],
        "needs": [{**p["need"], "id": p["id"]} for p in DATA["pairs"]],
    }
    for side in as_input.values():
        for profile in side:
            profile.pop("lang")
            if "approvals" in profile:
                profile["approvals"] = [list(pair) for pair in profile["approvals"]]
    offers, needs = ranking.parse_profiles(as_input, area_codes=taxonomy.area_codes, source="dev set")
    assert len(offers) == len(needs) == len(dev.pair_ids) == 170
    for offer, need in zip(offers, needs, strict=True):
        assert Stage.rank(need.stage_min) <= Stage.rank(offer.stage) <= Stage.rank(need.stage_max), offer.id
        assert set(offer.deal_types) & set(need.deal_types), offer.id
        assert set(offer.regions) & set(need.regions) or "GLOBAL" in offer.regions + need.regions, offer.id


def test_partner_ranks_count_ties_against_the_partner_and_figures_follow():
    scores = np.array([[0.9, 0.1, 0.9], [0.2, 0.8, 0.1], [0.3, 0.4, 0.5]])
    assert evaluation.partner_ranks(scores, np.array([0, 1, 2])).tolist() == [1, 0, 0]
    figures = evaluation.ranking_figures(["a", "b", "c"], scores, np.array([0, 1, 2]))
    assert (figures.recall_at_1, figures.recall_at_5) == (pytest.approx(2 / 3), 1.0)
    assert figures.mrr == pytest.approx((0.5 + 1 + 1) / 3)
    assert figures.misses == ()


@pytest.mark.django_db
def test_the_lexical_fallback_figures_on_the_set_are_the_documented_ones():
    # The "lexical fallback, final score" row of docs/benchmarks.md, "Matching quality".
    dev = evaluation.read_dev_set(DATA)
    backend = LexicalBackend(ranking.load_taxonomy().index)
    # The lexical recipe has no area rule, so declared areas change nothing here.
    scores = evaluation.dev_set_scores(dev, backend)
    korean = evaluation.both_directions(dev, scores["final score"], offer_language="ko")
    forward, backward = korean["offer → need"], korean["need → offer"]
    assert (forward.queries, forward.candidates, backward.candidates) == (158, 203, 216)
    assert (round(forward.recall_at_5, 3), round(forward.mrr, 3)) == (0.747, 0.621)
    assert (round(backward.recall_at_5, 3), round(backward.mrr, 3)) == (0.715, 0.617)
    documented = next(
        line
        for line in (ROOT / "docs/benchmarks.md").read_text().splitlines()
        if line.startswith("| lexical fallback, final score |")
    )
    figures = (forward.recall_at_1, forward.recall_at_5, forward.mrr)
    figures += (backward.recall_at_1, backward.recall_at_5, backward.mrr)
    assert [cell.strip() for cell in documented.split("|")[2:8]] == [f"{figure:.3f}" for figure in figures]
