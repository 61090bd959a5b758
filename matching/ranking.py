"""Rank offers and needs given as JSON (``manage.py rank``), without the database.

Organizers screening applicant lists score profiles that are not on the platform yet. Everything
the stored matches use comes from elsewhere here:

- concepts: extracted from the title and description with ``extract_concepts`` over the taxonomy
  file (``seeds/data/taxonomy.json``), not the ``Concept`` table;
- embeddings: encoded on the fly with the configured backend; the lexical backend gets the
  taxonomy-file index, since ``LexicalBackend()`` would build its index from the database;
- every profile counts as its own organization and as active; an offer's optional ``approvals``
  are ``[market, status]`` pairs (``[["KR", "granted"], ["US", "planned"]]``), scored like the
  stored approvals (without them ``regulatory`` is the pre-approval floor, or 0).

``areas`` (optional) are device-area codes of the taxonomy, the profile's declared areas, used as
the platform uses an offer's or need's areas: they are not a score component (an area counted as
a concept would make two imaging profiles about unrelated devices "share a concept"), but the
model's recipe makes pairs with disjoint declared areas ineligible unless their texts are very
close (``scoring.Recipe.cross_area_semantic``), and the explanation names the mismatch.

The pure steps, called by the command: :func:`read_input` (file → JSON), :func:`parse_profiles`
(JSON → validated records, every error listed), :func:`rank_profiles` (records → rankings dict),
:func:`csv_rows` (rankings → CSV rows).
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.utils.translation import gettext as _

from . import scoring
from .concepts import ConceptIndex, extract_concepts, records_from_taxonomy
from .embedding_service import embedding_text
from .embeddings import EmbeddingBackend, get_backend
from .enums import ApprovalStatus, DealType, Market, Region, Stage
from .explanations import LANGUAGES, explain, pair_facts
from .models import detect_language
from .profiles import NeedRecord, OfferRecord, Profiles, TaxonomyColumns, build_profiles

logger = logging.getLogger(__name__)

DEFAULT_TOP = 10
SIDES = ("offers", "needs")
FIELDS = {
    "offers": ("id", "title", "description", "stage", "deal_types", "regions", "areas", "approvals"),
    "needs": ("id", "title", "description", "stage_min", "stage_max", "deal_types", "regions", "areas"),
}
CSV_HEADER = ("side", "id", "rank", "counterpart_id", "score", *scoring.COMPONENTS) + tuple(
    f"{kind}_{language}" for language in LANGUAGES for kind in ("fits", "misfits")
)


class InputError(Exception):
    """The input cannot be ranked; ``messages`` lists every problem, each naming record and field."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class Taxonomy:
    index: ConceptIndex
    area_codes: tuple[str, ...]
    area_names: dict[str, tuple[str, str]]  # code → (Korean, English)


@dataclass(frozen=True)
class OfferInput:
    id: str
    title: str
    description: str
    stage: str
    deal_types: tuple[str, ...]
    regions: tuple[str, ...]
    areas: tuple[str, ...] = ()
    approvals: tuple[tuple[str, str], ...] = ()  # (market, status)


@dataclass(frozen=True)
class NeedInput:
    id: str
    title: str
    description: str
    stage_min: str
    stage_max: str
    deal_types: tuple[str, ...]
    regions: tuple[str, ...]
    areas: tuple[str, ...] = ()


def taxonomy_path() -> Path:
    return Path(settings.BASE_DIR) / "seeds" / "data" / "taxonomy.json"


@functools.cache
def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """The concept index and area codes of the taxonomy file, read once per process."""
    data = json.loads((path or taxonomy_path()).read_text(encoding="utf-8"))
    return Taxonomy(
        index=ConceptIndex.build(records_from_taxonomy(data)),
        area_codes=tuple(area["code"] for area in data["areas"]),
        area_names={area["code"]: (area["name_ko"], area["name_en"]) for area in data["areas"]},
    )


def embedding_backend(index: ConceptIndex) -> EmbeddingBackend:
    """The backend the service embeds with (``matching.embeddings.get_backend``); its lexical form,
    where that is the configured one, built on ``index`` rather than the database's taxonomy."""
    return get_backend(lexical_index=index)


# Input ----------------------------------------------------------------------------------------


def read_input(path: str | Path) -> object:
    """The parsed JSON of ``path``; an unreadable file or invalid JSON raises :class:`InputError`."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InputError([_("%(path)s: cannot read the file (%(error)s)") % {"path": path, "error": reason}]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        message = _("%(path)s: invalid JSON at line %(line)d, column %(column)d: %(error)s") % {
            "path": path,
            "line": exc.lineno,
            "column": exc.colno,
            "error": exc.msg,
        }
        raise InputError([message]) from None


def _json_type(value: object) -> str:
    """The JSON name of a value's type, for "expected string, got number"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), type(value).__name__)


def _quoted(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


class _Record:
    """One input record being validated; each check appends its errors and returns the clean value
    (None when invalid)."""

    def __init__(self, label: str, data: dict, errors: list[str]):
        self.label, self.data, self.errors = label, data, errors

    def error(self, field: str, message: str, **params) -> None:
        self.errors.append(message % {"where": f"{self.label}: {field}", **params})

    def wrong_type(self, field: str, expected: str, value: object) -> None:
        # Translators: "where" is a JSON path (offers[3] (id "A-7"): stage), "expected" and "got" are
        # JSON type names (string, number, array, object, boolean, null); all three stay in English.
        self.error(field, _("%(where)s: expected %(expected)s, got %(got)s"), expected=expected, got=_json_type(value))

    def not_one_of(self, field: str, value: str, allowed: Sequence[str]) -> None:
        self.error(
            field, _("%(where)s: %(value)s is not one of %(allowed)s"), value=_quoted(value), allowed=", ".join(allowed)
        )

    def text(self, field: str) -> str | None:
        if field not in self.data:
            self.error(field, _("%(where)s: this field is required"))
            return None
        value = self.data[field]
        if not isinstance(value, str):
            self.wrong_type(field, "string", value)
            return None
        if not value.strip():
            self.error(field, _("%(where)s: must not be empty"))
            return None
        return value

    def choice(self, field: str, allowed: Sequence[str]) -> str | None:
        value = self.text(field)
        if value is not None and value not in allowed:
            self.not_one_of(field, value, allowed)
            return None
        return value

    def choices(self, field: str, allowed: Sequence[str], *, required: bool = True) -> tuple[str, ...] | None:
        if field not in self.data:
            if required:
                self.error(field, _("%(where)s: this field is required"))
                return None
            return ()
        values = self.data[field]
        if not isinstance(values, list):
            self.wrong_type(field, "array", values)
            return None
        if required and not values:
            self.error(field, _("%(where)s: must not be empty"))
            return None
        valid = True
        for position, value in enumerate(values):
            if not isinstance(value, str):
                self.wrong_type(f"{field}[{position}]", "string", value)
                valid = False
            elif value not in allowed:
                self.not_one_of(f"{field}[{position}]", value, allowed)
                valid = False
        return tuple(dict.fromkeys(values)) if valid else None

    def approvals(self, field: str) -> tuple[tuple[str, str], ...] | None:
        """Optional ``[[market, status], …]``."""
        values = self.data.get(field, [])
        if not isinstance(values, list):
            self.wrong_type(field, "array", values)
            return None
        pairs, valid = [], True
        for position, value in enumerate(values):
            where = f"{field}[{position}]"
            if not (isinstance(value, list) and len(value) == 2 and all(isinstance(item, str) for item in value)):
                self.error(where, _("%(where)s: expected a pair [market, status]"))
                valid = False
                continue
            market, status = value
            if market not in Market.values:
                self.not_one_of(f"{where}[0]", market, Market.values)
                valid = False
            if status not in ApprovalStatus.values:
                self.not_one_of(f"{where}[1]", status, ApprovalStatus.values)
                valid = False
            pairs.append((market, status))
        return tuple(pairs) if valid else None

    def unknown_fields(self, known: Sequence[str]) -> None:
        for field in self.data:
            if field not in known:
                self.error(field, _("%(where)s: unknown field (allowed: %(allowed)s)"), allowed=", ".join(known))


def _record(
    side: str, position: int, data: dict, *, area_codes: Sequence[str], seen_ids: dict[str, str], errors: list[str]
) -> OfferInput | NeedInput | None:
    """The valid record, or None after adding its errors; ``seen_ids`` maps ids to the records
    that used them first."""
    label = f"{side}[{position}]"
    identifier = data.get("id")
    record = _Record(label + (f" (id {_quoted(identifier)})" if isinstance(identifier, str) else ""), data, errors)
    values = {"id": record.text("id")}
    if values["id"] is not None:
        if values["id"] in seen_ids:
            record.error(
                "id",
                _("%(where)s: %(value)s is also the id of %(other)s"),
                value=_quoted(identifier),
                other=seen_ids[values["id"]],
            )
            values["id"] = None
        else:
            seen_ids[values["id"]] = label
    values["title"] = record.text("title")
    values["description"] = record.text("description")
    if side == "offers":
        values["stage"] = record.choice("stage", Stage.values)
    else:
        values["stage_min"] = record.choice("stage_min", Stage.values)
        values["stage_max"] = record.choice("stage_max", Stage.values)
        low, high = values["stage_min"], values["stage_max"]
        if low is not None and high is not None and Stage.rank(low) > Stage.rank(high):
            record.error(
                "stage_min", _("%(where)s: %(min)s is after stage_max %(max)s"), min=_quoted(low), max=_quoted(high)
            )
            values["stage_min"] = None
    values["deal_types"] = record.choices("deal_types", DealType.values)
    values["regions"] = record.choices("regions", Region.values)
    values["areas"] = record.choices("areas", area_codes, required=False)
    if side == "offers":
        values["approvals"] = record.approvals("approvals")
    record.unknown_fields(FIELDS[side])
    if any(value is None for value in values.values()):
        return None
    return (OfferInput if side == "offers" else NeedInput)(**values)


def parse_profiles(data: object, *, area_codes: Sequence[str], source: str) -> tuple[list[OfferInput], list[NeedInput]]:
    """Validate the input JSON (``source`` names it in messages); raise :class:`InputError` listing
    every problem, each naming the record (``offers[3] (id "A-7")``) and the field."""
    if not isinstance(data, dict):
        raise InputError([_("%(where)s: expected %(expected)s, got %(got)s") % _type_params(source, "object", data)])
    errors: list[str] = []
    for field in data:
        if field not in SIDES:
            errors.append(
                _("%(where)s: unknown field (allowed: %(allowed)s)") % {"where": field, "allowed": ", ".join(SIDES)}
            )
    parsed: dict[str, list] = {}
    for side in SIDES:
        if side not in data:
            errors.append(_("%(where)s: this field is required") % {"where": side})
            continue
        if not isinstance(data[side], list):
            errors.append(_("%(where)s: expected %(expected)s, got %(got)s") % _type_params(side, "array", data[side]))
            continue
        parsed[side] = []
        seen_ids: dict[str, str] = {}
        for position, item in enumerate(data[side]):
            if not isinstance(item, dict):
                where = f"{side}[{position}]"
                errors.append(_("%(where)s: expected %(expected)s, got %(got)s") % _type_params(where, "object", item))
                continue
            profile = _record(side, position, item, area_codes=area_codes, seen_ids=seen_ids, errors=errors)
            if profile is not None:
                parsed[side].append(profile)
    if errors:
        raise InputError(errors)
    return parsed["offers"], parsed["needs"]


def _type_params(where: str, expected: str, value: object) -> dict[str, str]:
    return {"where": where, "expected": expected, "got": _json_type(value)}


# Scoring --------------------------------------------------------------------------------------


def _concept_columns(text: str, index: ConceptIndex, column_of: dict[str, int]) -> list[int]:
    return [column_of[code] for code in extract_concepts(text, index)]


def input_profiles(
    offers: Sequence[OfferInput], needs: Sequence[NeedInput], *, index: ConceptIndex, backend: EmbeddingBackend
) -> Profiles:
    """The records as the arrays scoring and explanations take; row i is ``offers[i]``/``needs[i]``.

    The arrays' ids are the row numbers (input ids are strings), and organizations are all distinct;
    every profile is active (approved, open)."""
    n = len(offers)
    codes = sorted(index.records)
    column_of = {code: column for column, code in enumerate(codes)}
    offer_texts = [embedding_text(offer.title, offer.description) for offer in offers]
    need_texts = [embedding_text(need.title, need.description) for need in needs]
    return build_profiles(
        [
            OfferRecord(
                id=row,
                organization=row,
                stage=offer.stage,
                deal_types=offer.deal_types,
                regions=offer.regions,
                language=detect_language(text),
                approvals=tuple((market, "", status) for market, status in offer.approvals),
                areas=offer.areas,
                concepts=_concept_columns(text, index, column_of),
            )
            for row, (offer, text) in enumerate(zip(offers, offer_texts, strict=True))
        ],
        [
            NeedRecord(
                id=row,
                organization=n + row,
                stage_min=need.stage_min,
                stage_max=need.stage_max,
                deal_types=need.deal_types,
                regions=need.regions,
                language=detect_language(text),
                areas=need.areas,
                concepts=_concept_columns(text, index, column_of),
            )
            for row, (need, text) in enumerate(zip(needs, need_texts, strict=True))
        ],
        offer_vectors=backend.encode(offer_texts, kind="offer"),
        need_vectors=backend.encode(need_texts, kind="need"),
        taxonomy=TaxonomyColumns(
            concept_names=[(index.records[code].name_ko, index.records[code].name_en) for code in codes],
            concept_areas=[index.records[code].area for code in codes],
            area_names=load_taxonomy().area_names,
        ),
        model_name=backend.model_name,
    )


def _best_columns(score: np.ndarray, eligible: np.ndarray, ids: Sequence[str], top: int) -> np.ndarray:
    """Per row, the columns of its best ``top`` scores, ties broken by the columns' ids; ineligible
    columns sort last (the caller drops them)."""
    id_rank = np.empty(len(ids), dtype=np.int64)
    id_rank[np.argsort(np.array(ids, dtype=str), kind="stable")] = np.arange(len(ids))
    primary = np.where(eligible, -score, np.inf)
    return np.lexsort((np.broadcast_to(id_rank, score.shape), primary), axis=1)[:, :top]


def rank_profiles(
    offers: Sequence[OfferInput],
    needs: Sequence[NeedInput],
    *,
    index: ConceptIndex,
    backend: EmbeddingBackend,
    top: int = DEFAULT_TOP,
) -> dict:
    """``{"offers": {offer id: [best needs]}, "needs": {need id: [best offers]}}``, each entry with
    ``score``, ``components`` and the bilingual ``explanation``, best first (ties by id), at most
    ``top`` per profile, eligible pairs only. Explanations are built for the kept entries only."""
    profiles = input_profiles(offers, needs, index=index, backend=backend)
    scored = scoring.score_pairs(profiles.offers, profiles.needs, recipe=profiles.recipe)
    matrix = scored.matrix
    # Rank on the rounded score that is printed, so that equal printed scores are ordered by id.
    score = np.round(matrix.score.astype(np.float64), 6)
    offer_ids = [offer.id for offer in offers]
    need_ids = [need.id for need in needs]
    explanations: dict[tuple[int, int], dict] = {}

    def entry(row: int, column: int) -> dict:
        if (row, column) not in explanations:
            explanations[row, column] = explain(
                pair_facts(
                    profiles, scored.weights, row, column, semantic=float(matrix.components["semantic"][row, column])
                )
            )
        return {
            "score": float(score[row, column]),
            "components": {name: round(float(matrix.components[name][row, column]), 4) for name in scoring.COMPONENTS},
            "explanation": explanations[row, column],
        }

    by_offer = _best_columns(score, matrix.eligible, need_ids, top)
    by_need = _best_columns(score.T, matrix.eligible.T, offer_ids, top)
    return {
        "offers": {
            offer_ids[row]: [
                {"need_id": need_ids[column], **entry(row, int(column))}
                for column in by_offer[row]
                if matrix.eligible[row, column]
            ]
            for row in range(len(offer_ids))
        },
        "needs": {
            need_ids[column]: [
                {"offer_id": offer_ids[row], **entry(int(row), column)}
                for row in by_need[column]
                if matrix.eligible[row, column]
            ]
            for column in range(len(need_ids))
        },
    }


def csv_rows(rankings: dict) -> Iterator[tuple]:
    """Rows under :data:`CSV_HEADER`: one per (side, id, rank), the explanation lines of each kind
    and language joined with " | "."""
    for side, counterpart in (("offers", "need_id"), ("needs", "offer_id")):
        for profile_id, entries in rankings[side].items():
            for rank, item in enumerate(entries, start=1):
                yield (
                    side.removesuffix("s"),
                    profile_id,
                    rank,
                    item[counterpart],
                    item["score"],
                    *(item["components"][name] for name in scoring.COMPONENTS),
                    *(
                        " | ".join(item["explanation"][language][kind])
                        for language in LANGUAGES
                        for kind in ("fits", "misfits")
                    ),
                )
