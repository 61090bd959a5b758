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
