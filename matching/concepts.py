"""Bilingual concept extraction over the seeds taxonomy.

``extract_concepts(text)`` returns the ids of the taxonomy concepts a text mentions, in Korean or
English: every name and synonym of a concept, in both languages, maps to the same id. It is used
by the lexical embedding backend, by scoring (shared concepts) and by the forms (suggested tags).
"""

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

from matching.text import is_hangul, noun_runs, tokenize

# Korean compounds shorter than this are matched only as whole tokens: a two-syllable term such
# as 망막 would otherwise match inside unrelated longer words.
_MIN_COMPOUND_CHARS = 3


@dataclass(frozen=True)
class ConceptRecord:
    code: str
    area: str
    name_ko: str
    name_en: str
    synonyms_ko: tuple[str, ...] = ()
    synonyms_en: tuple[str, ...] = ()

    @property
    def surface_forms(self) -> tuple[str, ...]:
        return (self.name_ko, self.name_en, *self.synonyms_ko, *self.synonyms_en)


@dataclass
class ConceptIndex:
    """Token-sequence and Korean-compound lookup tables built once from the taxonomy."""

    records: dict[str, ConceptRecord]
    phrases: dict[tuple[str, ...], set[str]] = field(default_factory=dict)
    compounds: dict[str, set[str]] = field(default_factory=dict)
    max_phrase_tokens: int = 1

    @classmethod
    def build(cls, records: Iterable[ConceptRecord]) -> "ConceptIndex":
        index = cls(records={record.code: record for record in records})
        for record in index.records.values():
            for surface in record.surface_forms:
                key = tuple(token.text for token in tokenize(surface))
                if not key:
                    continue
                index.phrases.setdefault(key, set()).add(record.code)
                index.max_phrase_tokens = max(index.max_phrase_tokens, len(key))
                compact = "".join(surface.split())
                if is_hangul(surface) and len(compact) >= _MIN_COMPOUND_CHARS and compact.isalnum():
                    index.compounds.setdefault(compact, set()).add(record.code)
        return index

    def extract(self, text: str) -> set[str]:
        tokens = tokenize(text)
        words = [token.text for token in tokens]
        found: set[str] = set()
        for size in range(1, self.max_phrase_tokens + 1):
            for start in range(len(words) - size + 1):
                codes = self.phrases.get(tuple(words[start : start + size]))
                if codes:
                    found |= codes
        runs = noun_runs(tokens)
        if runs:
            for compound, codes in self.compounds.items():
                if any(compound in run for run in runs):
                    found |= codes
        return found


def records_from_taxonomy(data: dict) -> list[ConceptRecord]:
    """Records from the taxonomy's JSON form (seeds/data/taxonomy.json), without the database."""
    return [
        ConceptRecord(
            c["code"],
            c["area"],
            c["name_ko"],
            c["name_en"],
            tuple(c.get("synonyms_ko", ())),
            tuple(c.get("synonyms_en", ())),
        )
        for c in data["concepts"]
    ]


def records_from_database() -> list[ConceptRecord]:
    from matching.models import Concept

    return [
        ConceptRecord(code, area, name_ko, name_en, tuple(syn_ko), tuple(syn_en))
        for code, area, name_ko, name_en, syn_ko, syn_en in Concept.objects.values_list(
            "code", "area__code", "name_ko", "name_en", "synonyms_ko", "synonyms_en"
        )
    ]


@functools.cache
def default_index() -> ConceptIndex:
    """The index of the taxonomy in the database, built once per process."""
    return ConceptIndex.build(records_from_database())


def extract_concepts(text: str, index: ConceptIndex | None = None) -> set[str]:
    """Ids of the taxonomy concepts that ``text`` mentions, whatever its language."""
    return (index or default_index()).extract(text)
