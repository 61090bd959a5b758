"""Cross-lingual retrieval on the development set: python -m bench.crosslingual [--json].

Every backend that loads here is measured on the same pairs: the offline lexical backend, the
configured sentence-transformers model when available, and the English-only pretrained
all-MiniLM-L6-v2 stand-in (a baseline showing what a monolingual model does with Korean text)."""

import argparse
import json
import os
from dataclasses import asdict
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.conf import settings  # noqa: E402

from bench.embeddings import stand_in_model, taxonomy_index  # noqa: E402
from matching.embeddings import LexicalBackend, ModelUnavailable, SentenceTransformerBackend  # noqa: E402
from matching.evaluation import crosslingual_figures, mask_names  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    pairs = json.loads((ROOT / "tests/data/crosslingual_pairs.json").read_text())
    backends = {"lexical": LexicalBackend(taxonomy_index())}
    try:
        backends[f"configured model ({settings.EMBEDDING_MODEL})"] = SentenceTransformerBackend(
            settings.EMBEDDING_MODEL, batch_size=64
        )
    except ModelUnavailable as exc:
        print(f"# configured model unavailable here ({exc}); skipped")
    if stand_in_model():
        backends["all-MiniLM-L6-v2 (English-only baseline)"] = SentenceTransformerBackend(
            stand_in_model(), batch_size=64
        )
    results = {}
    ids = [p["id"] for p in pairs]
    for name, backend in backends.items():
        results[name] = crosslingual_figures(
            ids, backend.encode([p["ko"] for p in pairs]), backend.encode([p["en"] for p in pairs])
        )
        results[f"{name}, product names masked"] = crosslingual_figures(
            ids,
            backend.encode([mask_names(p["ko"], p["names"]) for p in pairs]),
            backend.encode([mask_names(p["en"], p["names"]) for p in pairs]),
        )
    if args.json:
        print(json.dumps({name: asdict(figures) for name, figures in results.items()}))
        return
    for name, figures in results.items():
        print(f"{name}, {figures.pairs} Korean/English pairs")
        for label, top1, top3, misses in (
            ("ko → en", figures.ko_to_en_top1, figures.ko_to_en_top3, figures.ko_to_en_misses),
            ("en → ko", figures.en_to_ko_top1, figures.en_to_ko_top3, figures.en_to_ko_misses),
        ):
            shown = ", ".join(misses[:8]) + (" …" if len(misses) > 8 else "") or "none"
            print(f"  {label}: top-1 {top1:.1%}, top-3 {top3:.1%}, outside the top 3 ({len(misses)}): {shown}")


if __name__ == "__main__":
    main()
