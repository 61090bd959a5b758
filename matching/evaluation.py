"""Cross-lingual retrieval quality: for each Korean description, where does its English twin rank?"""

import re
from dataclasses import dataclass

import numpy as np

NAME_MASK = "[product]"


@dataclass(frozen=True)
class RetrievalFigures:
    pairs: int
    ko_to_en_top1: float
    ko_to_en_top3: float
    en_to_ko_top1: float
    en_to_ko_top3: float
    ko_to_en_misses: tuple[str, ...]  # ids whose twin is not in the top 3
    en_to_ko_misses: tuple[str, ...]


def twin_ranks(queries: np.ndarray, documents: np.ndarray) -> np.ndarray:
    """0-based rank of document i among all documents for query i (cosine; rows L2-normalised)."""
    similarity = queries @ documents.T
    own = np.diag(similarity)[:, None]
    # Ties count against the twin: a rank is earned, not given by index order.
    return (similarity > own).sum(axis=1) + (similarity == own).sum(axis=1) - 1


def crosslingual_figures(ids: list[str], korean: np.ndarray, english: np.ndarray) -> RetrievalFigures:
    ko_ranks = twin_ranks(korean, english)
    en_ranks = twin_ranks(english, korean)
    return RetrievalFigures(
        pairs=len(ids),
        ko_to_en_top1=float(np.mean(ko_ranks < 1)),
        ko_to_en_top3=float(np.mean(ko_ranks < 3)),
        en_to_ko_top1=float(np.mean(en_ranks < 1)),
        en_to_ko_top3=float(np.mean(en_ranks < 3)),
        ko_to_en_misses=tuple(i for i, r in zip(ids, ko_ranks, strict=True) if r >= 3),
        en_to_ko_misses=tuple(i for i, r in zip(ids, en_ranks, strict=True) if r >= 3),
    )


def mask_names(text: str, names: list[str]) -> str:
    """The text with each product name replaced by one neutral placeholder.

    Both twins of a development pair usually name the product ("LungSight"); a name shared by
    the two texts is a shortcut any model can take, so retrieval is also measured without it."""
    for name in names:
        text = re.sub(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])", NAME_MASK, text)
    return text


# Offer ↔ need retrieval on the development set (tests/data/crosslingual_pairs.json) ---------------
#
# Each pair is a startup's offer (usually Korean) and the BD team's need (usually English) that
# are a real partnering fit; decoys are near misses for one pair (same area but another modality,
# a stage outside the need's range, or no deal type in common). For every pair's offer, all needs
# (the pairs' and the decoy needs) are ranked; for every pair's need, all offers.

RECALL_AT = 5


@dataclass(frozen=True)
class RankingFigures:
    queries: int
    candidates: int
    recall_at_1: float
    recall_at_5: float
    mrr: float
    misses: tuple[str, ...]  # query ids whose partner is not in the top 5

    def as_row(self) -> str:
        return f"recall@1 {self.recall_at_1:.3f}, recall@5 {self.recall_at_5:.3f}, MRR {self.mrr:.3f}"


def partner_ranks(scores: np.ndarray, partners: np.ndarray) -> np.ndarray:
    """0-based rank of column ``partners[i]`` in row i of ``scores``; ties count against the partner."""
    own = scores[np.arange(len(partners)), partners][:, None]
    return (scores > own).sum(axis=1) + (scores == own).sum(axis=1) - 1


def ranking_figures(query_ids: list[str], scores: np.ndarray, partners: np.ndarray) -> RankingFigures:
    ranks = partner_ranks(scores, partners)
    return RankingFigures(
        queries=len(query_ids),
        candidates=int(scores.shape[1]),
        recall_at_1=float(np.mean(ranks < 1)),
        recall_at_5=float(np.mean(ranks < RECALL_AT)),
        mrr=float(np.mean(1.0 / (ranks + 1))),
        misses=tuple(i for i, rank in zip(query_ids, ranks, strict=True) if rank >= RECALL_AT),
    )


@dataclass(frozen=True)
class DevSet:
    """Profiles of the development set as ``rank`` input records (``matching.ranking``): the pairs'
    offers first, then the decoy offers; likewise the needs. Pair i is offer row i, need column i."""

    pair_ids: tuple[str, ...]
    pair_languages: tuple[tuple[str, str], ...]  # (offer language, need language) per pair
    offers: list
    needs: list
    decoys: tuple[dict, ...]


def read_dev_set(data: dict) -> DevSet:
    from .ranking import NeedInput, OfferInput

    area_of = {pair["id"]: pair["area"] for pair in data["pairs"]}

    def offer(key: str, profile: dict, area: str):
        return OfferInput(
            id=key,
            title=profile["title"],
            description=profile["description"],
            stage=profile["stage"],
            deal_types=tuple(profile["deal_types"]),
            regions=tuple(profile["regions"]),
            approvals=tuple((market, status) for market, status in profile.get("approvals", ())),
            areas=(area,),
        )

    def need(key: str, profile: dict, area: str):
        return NeedInput(
            id=key,
            title=profile["title"],
            description=profile["description"],
            stage_min=profile["stage_min"],
            stage_max=profile["stage_max"],
            deal_types=tuple(profile["deal_types"]),
            regions=tuple(profile["regions"]),
            areas=(area,),
        )

    # Every profile declares the device area of its pair, as the web forms ask users to.
    pairs, decoys = data["pairs"], data.get("decoys", [])
    offers = [offer(pair["id"], pair["offer"], pair["area"]) for pair in pairs]
    needs = [need(pair["id"], pair["need"], pair["area"]) for pair in pairs]
    offers += [offer(d["id"], d["profile"], area_of[d["near"]]) for d in decoys if d["side"] == "offer"]
    needs += [need(d["id"], d["profile"], area_of[d["near"]]) for d in decoys if d["side"] == "need"]
    return DevSet(
        pair_ids=tuple(pair["id"] for pair in pairs),
        pair_languages=tuple((pair["offer"]["lang"], pair["need"]["lang"]) for pair in pairs),
        offers=offers,
        needs=needs,
        decoys=tuple(decoys),
    )


def both_directions(dev: DevSet, scores: np.ndarray, *, offer_language: str | None = None) -> dict[str, RankingFigures]:
    """``offer → need`` (each pair's offer ranks every need) and ``need → offer`` figures of an
    (offers × needs) score matrix; ``offer_language`` keeps only the pairs whose offer is in it."""
    rows = np.array(
        [i for i, (language, _) in enumerate(dev.pair_languages) if offer_language in (None, language)], dtype=np.int64
    )
    ids = [dev.pair_ids[i] for i in rows]
    return {
        "offer → need": ranking_figures(ids, scores[rows], rows),
        "need → offer": ranking_figures(ids, scores.T[rows], rows),
    }


def dev_set_scores(dev: DevSet, backend) -> dict[str, np.ndarray]:
    """(offers × needs) matrices of the dev set: the backend's cosine alone, its semantic component,
    and the final score as
    the service computes it (``matching.ranking``: the model family's recipe, its relevance floor
    and area rule; pairs that are not eligible rank last)."""
    from . import ranking, scoring

    taxonomy = ranking.load_taxonomy()
    profiles = ranking.input_profiles(dev.offers, dev.needs, index=taxonomy.index, backend=backend)
    matrix = scoring.score_pairs(profiles.offers, profiles.needs, recipe=scoring.recipe_for(backend.model_name)).matrix
    return {
        "cosine": profiles.offers.vectors @ profiles.needs.vectors.T,
        # The model's similarity as scoring uses it: same-language offset and band applied.
        "semantic": matrix.components["semantic"],
        "final score": np.where(matrix.eligible, matrix.score, -1.0),
    }
