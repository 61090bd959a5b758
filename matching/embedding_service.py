"""Embed offers and needs: load texts, skip what is unchanged, encode the rest in batches, upsert.

Idempotent: the unique constraint (owner, model) plus the hash of the embedded text mean a task
that runs twice, or two workers that race, leave one row per owner and model, and unchanged text
is never sent to the model again.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Count

from matching.embeddings import EmbeddingBackend, get_backend, text_hash
from matching.models import Embedding, PartneringNeed, TechnologyOffer

logger = logging.getLogger(__name__)

OWNER_MODELS = {"offer": TechnologyOffer, "need": PartneringNeed}


def embedding_text(title: str, description: str) -> str:
    """What is embedded for a profile: its title, then its description."""
    return f"{title.strip()}\n{description.strip()}"


@dataclass
class EmbedResult:
    embedded: int = 0
    unchanged: int = 0
    missing: int = 0  # ids that no longer exist (deleted after the task was queued)
    model_name: str = ""

    def __iadd__(self, other: "EmbedResult") -> "EmbedResult":
        self.embedded += other.embedded
        self.unchanged += other.unchanged
        self.missing += other.missing
        return self


def embed_profiles(
    *, kind: str, ids: Iterable[int], backend: EmbeddingBackend | None = None, batch_size: int | None = None
) -> EmbedResult:
    """Embed the offers (``kind="offer"``) or needs (``"need"``) with these ids."""
    model = OWNER_MODELS[kind]
    backend = backend or get_backend()
    ids = sorted(set(ids))
    rows = {
        pk: embedding_text(title, description)
        for pk, title, description in model.objects.filter(pk__in=ids).values_list("pk", "title", "description")
    }
    current = dict(
        Embedding.objects.filter(**{f"{kind}_id__in": list(rows)}, model_name=backend.model_name).values_list(
            f"{kind}_id", "text_hash"
        )
    )
    result = EmbedResult(missing=len(ids) - len(rows), model_name=backend.model_name)
    todo = []
    for pk, text in rows.items():
        digest = text_hash(text)
        if current.get(pk) == digest:
            result.unchanged += 1
        else:
            todo.append((pk, text, digest))
    step = batch_size or len(todo) or 1
    for start in range(0, len(todo), step):
        batch = todo[start : start + step]
        vectors = backend.encode([text for _, text, _ in batch], kind=kind)
        _save_vectors(kind, backend, batch, vectors)
        result.embedded += len(batch)
    return result


def embed_everything(
    *,
    every: bool = False,
    batch_size: int | None = None,
    backend: EmbeddingBackend | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> tuple[EmbedResult, int]:
    """Embed every offer and need that is missing or stale (``every``: check them all; unchanged text
    is still skipped), batch by batch. ``on_progress(done, total)`` after each batch. Returns the
    result and the number of profiles whose batch failed (logged; the others go on)."""
    backend = backend or get_backend()
    batch_size = batch_size or settings.EMBEDDING_BATCH_SIZE
    work, skipped = [], 0
    for kind, model in OWNER_MODELS.items():
        all_ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
        ids = all_ids if every else stale_ids(kind=kind, backend=backend)
        skipped += len(all_ids) - len(ids)
        work += [(kind, ids[start : start + batch_size]) for start in range(0, len(ids), batch_size)]
    total = EmbedResult(unchanged=skipped, model_name=backend.model_name)
    failed, done, size = 0, 0, sum(len(ids) for _, ids in work)
    for kind, ids in work:
        try:
            total += embed_profiles(kind=kind, ids=ids, backend=backend)
        except Exception:  # noqa: BLE001 — reported per batch and in the count of failures
            logger.exception("Embedding %s batch %s…%s failed", kind, ids[0], ids[-1])
            failed += len(ids)
        done += len(ids)
        if on_progress is not None:
            on_progress(done, size)
    return total, failed


def _save_vectors(kind: str, backend: EmbeddingBackend, batch, vectors: np.ndarray) -> None:
    rows = [
        Embedding(
            **{f"{kind}_id": pk},
            backend=backend.name,
            model_name=backend.model_name,
            dimension=vectors.shape[1],
            vector=vector.astype("<f4").tobytes(),
            text_hash=digest,
        )
        for (pk, _, digest), vector in zip(batch, vectors, strict=True)
    ]
    with transaction.atomic():
        Embedding.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=[kind, "model_name"],
            update_fields=["backend", "dimension", "vector", "text_hash", "updated_at"],
        )


@dataclass(frozen=True)
class ModelInUse:
    backend: str
    model_name: str
    offers: int
    needs: int

    @property
    def is_fallback(self) -> bool:
        return self.backend == "lexical"


def models_in_use() -> list[ModelInUse]:
    """Which backends and models the stored embeddings come from, most profiles first (one query)."""
    rows = (
        Embedding.objects.values("backend", "model_name")
        .annotate(offers=Count("offer_id"), needs=Count("need_id"))
        .order_by("backend", "model_name")
    )
    found = [ModelInUse(row["backend"], row["model_name"], row["offers"], row["needs"]) for row in rows]
    return sorted(found, key=lambda model: -(model.offers + model.needs))


def vector_of(embedding: Embedding) -> np.ndarray:
    return np.frombuffer(bytes(embedding.vector), dtype="<f4").reshape(embedding.dimension)


def stale_ids(*, kind: str, backend: EmbeddingBackend | None = None) -> list[int]:
    """Ids whose embedding under the current model is missing or was computed from other text."""
    model = OWNER_MODELS[kind]
    backend = backend or get_backend()
    current = dict(
        Embedding.objects.filter(**{f"{kind}__isnull": False}, model_name=backend.model_name).values_list(
            f"{kind}_id", "text_hash"
        )
    )
    return [
        pk
        for pk, title, description in model.objects.values_list("pk", "title", "description")
        if current.get(pk) != text_hash(embedding_text(title, description))
    ]
