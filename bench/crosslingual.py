"""Does a Korean offer find the English need it fits? python -m bench.crosslingual [--json].

On the development set ``tests/data/crosslingual_pairs.json`` (170 offer ↔ need pairs written for
this project, 158 with a Korean offer and an English need, 12 the other way round, plus 79
near-miss decoys), for each backend that loads here (the offline lexical backend and the bundled
multilingual-e5-small): recall@1, recall@5 and MRR of the true partner, offer → need (each pair's
offer ranks all needs) and need → offer, for

* the backend's raw cosine, and the model alone as scoring uses it (the semantic component:
  same-language offset and band applied; a raw cosine ranks every same-language text first),
* the final score as the service computes it (``matching.ranking``, the family's recipe with its
  relevance floor), without device areas, and with every profile declaring its pair's area (as
  the web forms ask) so the area rule applies.

The development set also chose the recipes (``bench.calibrate``): these are in-sample figures,
next to which ``bench.calibrate`` prints the 2-fold held-out MRR. Then, on the translation twins
(``tests/data/translation_twins.json``: one description in Korean and in English), the share of
Korean texts whose English twin ranks first (names masked). Last, the prompt schemes e5 allows
(``query: `` for both sides, or offers as ``passage: ``), compared on the model alone."""

import argparse
import dataclasses
import json
import os
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.conf import settings  # noqa: E402

from matching import evaluation, ranking  # noqa: E402
from matching.embeddings import LexicalBackend, ModelUnavailable, SentenceTransformerBackend  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def without_areas(dev: evaluation.DevSet) -> evaluation.DevSet:
    return dataclasses.replace(
        dev,
        offers=[dataclasses.replace(offer, areas=()) for offer in dev.offers],
        needs=[dataclasses.replace(need, areas=()) for need in dev.needs],
    )


def measure(dev: evaluation.DevSet, backend) -> dict[str, dict[str, evaluation.RankingFigures]]:
    with_areas = evaluation.dev_set_scores(dev, backend)
    plain = evaluation.dev_set_scores(without_areas(dev), backend)
    rows = {}
    for label, scores in (
        ("raw cosine", plain["cosine"]),
        ("model alone (semantic component)", plain["semantic"]),
        ("final score, no areas", plain["final score"]),
        ("final score, declared areas", with_areas["final score"]),
    ):
        for language, subset in ((None, "all pairs"), ("ko", "Korean offers")):
            rows[f"{label}, {subset}"] = evaluation.both_directions(dev, scores, offer_language=language)
    return rows


PROMPT_SCHEMES = {
    "offers and needs as queries (symmetric)": {"offer": "query", "need": "query"},
    "offers as passages, needs as queries": {"offer": "document", "need": "query"},
    "offers and needs as passages": {"offer": "document", "need": "document"},
}


def prompt_schemes(dev: evaluation.DevSet) -> dict[str, dict[str, evaluation.RankingFigures]]:
    """The model alone (semantic component) under each e5 prompt scheme, Korean offers."""
    plain_dev = without_areas(dev)
    out = {}
    for label, scheme in PROMPT_SCHEMES.items():
        backend = SentenceTransformerBackend(settings.BUNDLED_EMBEDDING_MODEL, batch_size=32, prompt_of_kind=scheme)
        semantic = evaluation.dev_set_scores(plain_dev, backend)["semantic"]
        out[label] = evaluation.both_directions(dev, semantic, offer_language="ko")
    return out


def twins(backend) -> evaluation.RetrievalFigures:
    pairs = json.loads((ROOT / "tests/data/translation_twins.json").read_text())
    korean = backend.encode([evaluation.mask_names(p["ko"], p["names"]) for p in pairs], kind="offer")
    english = backend.encode([evaluation.mask_names(p["en"], p["names"]) for p in pairs], kind="need")
    return evaluation.crosslingual_figures([p["id"] for p in pairs], korean, english)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    dev = evaluation.read_dev_set(json.loads((ROOT / "tests/data/crosslingual_pairs.json").read_text()))
    backends = {"lexical": LexicalBackend(ranking.load_taxonomy().index)}
    try:
        backends["multilingual-e5-small"] = SentenceTransformerBackend(settings.BUNDLED_EMBEDDING_MODEL, batch_size=32)
    except ModelUnavailable as exc:
        print(f"# the bundled model is not built here ({exc}); run manage.py build_embedding_model")
    results = {}
    for name, backend in backends.items():
        results[name] = {"model": backend.model_name, "dev set": measure(dev, backend), "twins": twins(backend)}
    schemes = prompt_schemes(dev) if "multilingual-e5-small" in backends else {}
    if args.json:

        def plain(value):
            return dataclasses.asdict(value) if dataclasses.is_dataclass(value) else value

        print(
            json.dumps(
                {
                    name: {
                        "model": r["model"],
                        "twins": plain(r["twins"]),
                        "dev set": {k: {d: plain(f) for d, f in v.items()} for k, v in r["dev set"].items()},
                    }
                    for name, r in results.items()
                }
                | {"prompt schemes": {k: {d: plain(f) for d, f in v.items()} for k, v in schemes.items()}}
            )
        )
        return
    print(f"{len(dev.pair_ids)} pairs, {len(dev.offers)} offers and {len(dev.needs)} needs ranked (with the decoys)")
    for name, result in results.items():
        print(f"\n{name} ({result['model']})")
        for label, directions in result["dev set"].items():
            for direction, figures in directions.items():
                print(f"  {label:42} {direction}: {figures.as_row()}")
        t = result["twins"]
        print(
            f"  translation twins ({t.pairs}, names masked): ko → en top-1 {t.ko_to_en_top1:.1%}, "
            f"en → ko top-1 {t.en_to_ko_top1:.1%}"
        )
    if schemes:
        print("\nmultilingual-e5-small alone (semantic component), Korean offers, by prompt scheme")
        for label, directions in schemes.items():
            for direction, figures in directions.items():
                print(f"  {label:42} {direction}: {figures.as_row()}")


if __name__ == "__main__":
    main()
