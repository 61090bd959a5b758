"""Why a pair scored as it did, in Korean and English (no ORM): :func:`pair_facts` reads the facts
of a pair from the profile arrays, :func:`explain` words them. The rules behind the words (stage
fit, approvals needed or not, overlaps) are ``matching.scoring``'s, so a line never contradicts
the score.

The explanation is stored with each match as ``{"ko": {"fits": [...], "misfits": [...]},
"en": {...}}``: ``fits`` say what makes the pair worth a meeting, ``misfits`` what does not fit,
which a startup sees as a warning before it requests a meeting that does not fit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from django.utils import translation
from django.utils.translation import gettext as _

from . import scoring
from .enums import ApprovalStatus, DealType, Market, Pathway, Region, Stage

if TYPE_CHECKING:
    from .profiles import Profiles

LANGUAGES = ("ko", "en")
MAX_CONCEPTS_NAMED = 5


@dataclass(frozen=True)
class PairFacts:
    shared_concepts: tuple[tuple[str, str], ...]  # (Korean name, English name), most specific first
    offer_stage: str
    need_stage_min: str
    need_stage_max: str
    approvals: tuple[tuple[str, str, str], ...]  # (market, pathway, status) in markets the need asks for
    wanted_markets: tuple[str, ...]  # markets whose approval matters to the need
    common_deal_types: tuple[str, ...]
    need_deal_types: tuple[str, ...]
    common_regions: bool
    need_regions: tuple[str, ...]
    # The semantic component (calibrated similarity of the two texts, 0–1); None when not embedded.
    semantic: float | None = None
    # Device areas (Korean name, English name): the profiles' own and those of their concepts.
    offer_areas: tuple[tuple[str, str], ...] = ()
    need_areas: tuple[tuple[str, str], ...] = ()


# The calibrated semantic component above which, and below which, the texts are called close or far.
CLOSE_TEXTS = 0.6
FAR_TEXTS = 0.15


def _join(items) -> str:
    return ", ".join(str(item) for item in items)


def _stage(value: str) -> str:
    return str(Stage(value).label)


def _lines(facts: PairFacts, language: str) -> dict[str, list[str]]:
    fits: list[str] = []
    misfits: list[str] = []
    if facts.semantic is not None and facts.semantic >= CLOSE_TEXTS:
        fits.append(_("The descriptions are about closely related technology"))
    elif facts.semantic is not None and facts.semantic < FAR_TEXTS:
        misfits.append(_("The descriptions are about different technology"))
    if facts.offer_areas and facts.need_areas and not set(facts.offer_areas) & set(facts.need_areas):
        pick = 0 if language == "ko" else 1
        misfits.append(
            _("Different device areas: the offer is in %(offer)s, the need in %(need)s")
            % {
                "offer": _join(area[pick] for area in facts.offer_areas),
                "need": _join(area[pick] for area in facts.need_areas),
            }
        )
    names = [ko if language == "ko" else en for ko, en in facts.shared_concepts[:MAX_CONCEPTS_NAMED]]
    if names:
        more = len(facts.shared_concepts) - len(names)
        text = _join(names) + (_(" and %(count)d more") % {"count": more} if more > 0 else "")
        fits.append(_("Shared concepts: %(concepts)s") % {"concepts": text})
    else:
        misfits.append(_("No taxonomy concept in common"))

    before, after = scoring.stage_gap(
        Stage.rank(facts.offer_stage), Stage.rank(facts.need_stage_min), Stage.rank(facts.need_stage_max)
    )
    params = {
        "stage": _stage(facts.offer_stage),
        "min": _stage(facts.need_stage_min),
        "max": _stage(facts.need_stage_max),
    }
    if not before and not after:
        fits.append(_("%(stage)s — within the requested range (%(min)s to %(max)s)") % params)
    elif before:
        misfits.append(_("Too early: %(stage)s, the need asks for %(min)s or later") % params)
    else:
        misfits.append(_("Too late: %(stage)s, the need asks for %(max)s at the latest") % params)

    if facts.approvals:
        # Profiles given to the rank command name the market, not the pathway.
        listed = [
            _("%(pathway)s %(status)s")
            % {
                "pathway": Pathway(pathway).label if pathway else Market(market).label,
                "status": ApprovalStatus(status).label,
            }
            for market, pathway, status in facts.approvals
        ]
        fits.append(_("Approvals that matter to the need: %(approvals)s") % {"approvals": _join(listed)})
    elif facts.wanted_markets and not scoring.accepts_pre_approval(Stage.rank(facts.need_stage_min)):
        markets = _join(Market(market).label for market in facts.wanted_markets)
        misfits.append(_("No approval yet in the markets the need asks for (%(markets)s)") % {"markets": markets})

    if facts.common_deal_types:
        deals = _join(DealType(value).label for value in facts.common_deal_types)
        fits.append(_("Deal types in common: %(deals)s") % {"deals": deals})
    else:
        deals = _join(DealType(value).label for value in facts.need_deal_types)
        misfits.append(_("No deal type in common (the need offers: %(deals)s)") % {"deals": deals})

    if not facts.common_regions:
        regions = _join(Region(value).label for value in facts.need_regions)
        misfits.append(_("No target region in common (the need asks for: %(regions)s)") % {"regions": regions})
    return {"fits": fits, "misfits": misfits}


def pair_facts(
    profiles: Profiles, weights: np.ndarray, row: int, column: int, *, semantic: float | None = None
) -> PairFacts:
    """The facts of offer row ``row`` and need column ``column`` of ``profiles``; ``weights`` are the
    concept weights the pair was scored with, ``semantic`` its semantic component."""
    offers, needs = profiles.offers, profiles.needs
    shared = np.flatnonzero(offers.concepts[row] & needs.concepts[column])
    shared = shared[np.argsort(-weights[shared], kind="stable")]
    wanted = [market for market, on in zip(Market.values, needs.markets[column], strict=True) if on]
    approvals = tuple(a for a in profiles.offer_approvals.get(int(offers.ids[row]), ()) if a[0] in wanted)
    both_embedded = scoring.embedded(offers.vectors[row]) and scoring.embedded(needs.vectors[column])
    return PairFacts(
        shared_concepts=tuple(profiles.concept_names[c] for c in shared),
        offer_stage=Stage.values[offers.stage[row]],
        need_stage_min=Stage.values[needs.stage_min[column]],
        need_stage_max=Stage.values[needs.stage_max[column]],
        approvals=approvals,
        wanted_markets=tuple(wanted),
        common_deal_types=scoring.deal_types_of(offers.deal_types[row] & needs.deal_types[column]),
        need_deal_types=scoring.deal_types_of(needs.deal_types[column]),
        common_regions=bool(scoring.regions_overlap(offers.regions[row], needs.regions[column])),
        need_regions=tuple(value for value in Region.values if value in profiles.need_regions[column]),
        semantic=semantic if both_embedded else None,
        offer_areas=_area_names(profiles, profiles.offer_areas, row),
        need_areas=_area_names(profiles, profiles.need_areas, column),
    )


def _area_names(profiles: Profiles, areas: list[tuple[str, ...]], index: int) -> tuple[tuple[str, str], ...]:
    if not areas:
        return ()
    return tuple(profiles.area_names[code] for code in areas[index] if code in profiles.area_names)


def explain(facts: PairFacts) -> dict[str, dict[str, list[str]]]:
    """The explanation in every supported language."""
    result = {}
    for language in LANGUAGES:
        with translation.override(language):
            result[language] = _lines(facts, language)
    return result
