"""Choose each model family's scoring recipe on the development set: python -m bench.calibrate.

For the bundled multilingual-e5-small and for the lexical backend: the semantic band (the cosines
mapped to 0 and 1), the component weights and the relevance floor that give the best mean
reciprocal rank of the true partner, offer → need and need → offer averaged, over
``tests/data/crosslingual_pairs.json`` (pairs plus near-miss decoys). The search is a coarse grid
on the band and coordinate ascent on the weights (steps of 0.05), so the result is a handful of
round numbers, not a fit to the last decimal. The topical components (semantic and concepts)
keep at least ``MIN_RELEVANCE`` of the weight: the development set's true pairs fit on stage,
deal and region by construction, and a recipe that ranked on those alone would score an unrelated
startup high whenever its stage and deal types fit. To show how well the choice carries to unseen
pairs, the same search is also run on one half of the pairs and scored on the other (2-fold).
The relevance floor is the calibrated semantic similarity that keeps ``FLOOR_KEEPS`` of the true
partners, rounded down; the share of the other pairs it removes is printed. The same-language
offsets and the cross-area rule are not searched here (the development set holds few same-language
pairs, and its true pairs all share their area); their origin is cited in ``matching/scoring.py``.
``--json`` prints one JSON line. Nothing is written: the chosen values are copied into
``matching/scoring.py`` by hand, with the figures.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
from dataclasses import dataclass
from pathlib import Path

import django
import numpy as np

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.conf import settings  # noqa: E402

from matching import evaluation, ranking, scoring  # noqa: E402
from matching.embeddings import LexicalBackend, SentenceTransformerBackend  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEV_SET = ROOT / "tests/data/crosslingual_pairs.json"
FLOOR_KEEPS = 0.99
MIN_RELEVANCE = 0.5
STEP = 0.05
BANDS = {
    "lexical": [(0.0, 1.0)],
    "multilingual-e5": [
        (low, high) for low in np.arange(0.74, 0.87, 0.02) for high in np.arange(0.88, 0.97, 0.02) if high > low + 0.04
    ],
}


@dataclass
class Fit:
    recipe: scoring.Recipe
    objective: float


def components(dev: evaluation.DevSet, backend) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Cosines (less the family's same-language offsets) and the other components of the dev set."""
    taxonomy = ranking.load_taxonomy()
    profiles = ranking.input_profiles(dev.offers, dev.needs, index=taxonomy.index, backend=backend)
    # Only the components other than semantic are read here, and they do not depend on the recipe.
    matrix = scoring.score_pairs(profiles.offers, profiles.needs, recipe=scoring.LEXICAL_RECIPE).matrix
    recipe = scoring.recipe_for(backend.model_name)
    return scoring.language_adjusted_cosine(profiles.offers, profiles.needs, recipe), matrix.components


def combined(cosine, parts, recipe: scoring.Recipe) -> np.ndarray:
    score = recipe.weights["semantic"] * scoring.semantic_component(cosine, recipe)
    for name in scoring.COMPONENTS[1:]:
        score = score + recipe.weights[name] * parts[name]
    return score


def objective(dev, score, rows: np.ndarray) -> float:
    """Mean reciprocal rank of the true partner, both directions, over the pairs in ``rows``."""
    ids = [dev.pair_ids[i] for i in rows]
    forward = evaluation.ranking_figures(ids, score[rows], rows)
    backward = evaluation.ranking_figures(ids, score.T[rows], rows)
    return (forward.mrr + backward.mrr) / 2


def ascend(dev, cosine, parts, rows, band, start: dict[str, float]) -> Fit:
    weights = dict(start)

    def value(candidate):
        recipe = scoring.Recipe(weights=candidate, unrelated=band[0], close=band[1])
        return objective(dev, combined(cosine, parts, recipe), rows)

    best = value(weights)
    for _round in range(4):
        improved = False
        for name in scoring.COMPONENTS:
            for level in np.arange(0.0, 0.75, STEP):
                others = sum(w for key, w in weights.items() if key != name)
                if others <= 0:
                    continue
                candidate = {key: (w * (1 - level) / others if key != name else level) for key, w in weights.items()}
                candidate = {key: round(w, 4) for key, w in candidate.items()}
                if candidate["semantic"] + candidate["concepts"] < MIN_RELEVANCE - 1e-9:
                    continue
                score = value(candidate)
                if score > best + 1e-9:
                    best, weights, improved = score, candidate, True
        if not improved:
            break
    # Round to the step so the recipe is a handful of readable numbers; renormalise to sum 1.
    rounded = {key: round(w / STEP) * STEP for key, w in weights.items()}
    total = sum(rounded.values())
    rounded = {key: round(w / total, 3) for key, w in rounded.items()}
    recipe = scoring.Recipe(weights=rounded, unrelated=round(band[0], 2), close=round(band[1], 2))
    return Fit(recipe, objective(dev, combined(cosine, parts, recipe), rows))


def search(dev, cosine, parts, rows, family: str) -> Fit:
    start = dict(scoring.LEXICAL_RECIPE.weights)
    fits = [ascend(dev, cosine, parts, rows, band, start) for band in BANDS[family]]
    return max(fits, key=lambda fit: fit.objective)


def with_floor(dev, cosine, recipe: scoring.Recipe) -> tuple[scoring.Recipe, float, float]:
    semantic = scoring.semantic_component(cosine, recipe)
    pairs = len(dev.pair_ids)
    partner = semantic[np.arange(pairs), np.arange(pairs)]
    floor = round(float(np.floor(np.quantile(partner, 1 - FLOOR_KEEPS) * 20) / 20), 2)  # steps of 0.05
    others = np.ones(semantic.shape, dtype=bool)
    others[np.arange(pairs), np.arange(pairs)] = False
    removed = float(np.mean(semantic[others] < floor))
    kept = float(np.mean(partner >= floor))
    return scoring.Recipe(recipe.weights, recipe.unrelated, recipe.close, semantic_floor=floor), removed, kept


def report(dev, backend) -> dict:
    """Figures of the recipe now in scoring.py, scored as the service scores (floor, area rule)."""
    score = evaluation.dev_set_scores(dev, backend)["final score"]
    out = {}
    for language in (None, "ko"):
        label = "all pairs" if language is None else "Korean offers"
        for direction, figures in evaluation.both_directions(dev, score, offer_language=language).items():
            out[f"{label}, {direction}"] = figures
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    dev = evaluation.read_dev_set(json.loads(DEV_SET.read_text()))
    backends = {
        "lexical": LexicalBackend(ranking.load_taxonomy().index),
        "multilingual-e5": SentenceTransformerBackend(settings.BUNDLED_EMBEDDING_MODEL, batch_size=32),
    }
    pairs = np.arange(len(dev.pair_ids))
    halves = (pairs[pairs % 2 == 0], pairs[pairs % 2 == 1])
    result = {}
    for family, backend in backends.items():
        cosine, parts = components(dev, backend)
        fit = search(dev, cosine, parts, pairs, family)
        recipe, removed, kept = with_floor(dev, cosine, fit.recipe)
        held_out = []
        for train, test in itertools.permutations(halves, 2):
            half_fit = search(dev, cosine, parts, train, family)
            held_out.append(objective(dev, combined(cosine, parts, half_fit.recipe), test))
        current = scoring.recipe_for(backend.model_name)
        result[family] = {
            "chosen": {
                "weights": recipe.weights,
                "unrelated": recipe.unrelated,
                "close": recipe.close,
                "semantic_floor": recipe.semantic_floor,
            },
            "mrr_all_pairs": round(fit.objective, 4),
            "mrr_2fold_held_out": round(float(np.mean(held_out)), 4),
            "floor_keeps_share_of_true_partners": round(kept, 4),
            "floor_removes_share_of_other_pairs": round(removed, 4),
            "current_recipe_mrr": round(objective(dev, combined(cosine, parts, current), pairs), 4),
        }
        if not args.json:
            print(f"{family} ({backend.model_name})")
            print(f"  chosen: {json.dumps(result[family]['chosen'])}")
            print(
                f"  MRR (both directions): {fit.objective:.3f} fitted on all pairs, "
                f"{np.mean(held_out):.3f} on held-out halves (2-fold); the recipe in scoring.py: "
                f"{result[family]['current_recipe_mrr']:.3f}"
            )
            print(
                f"  relevance floor (semantic ≥ {recipe.semantic_floor:.2f}) keeps {kept:.1%} of true partners, "
                f"removes {removed:.1%} of other pairs"
            )
            for label, figures in report(dev, backend).items():
                print(f"  current recipe, {label}: {figures.as_row()}")
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
