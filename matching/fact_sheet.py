"""An offer (and what a need looks for) told from its structured data, in the active language:
what a BD team reads when the startup wrote only in the other language (an English reader of a
Korean offer is never left with Korean alone). Every piece comes from a label of the taxonomy or an enumeration."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from matching.enums import DealType, Region, Stage
from matching.models import PartneringNeed, TechnologyOffer


@dataclass(frozen=True)
class FactSheet:
    summary: str
    facts: list[tuple[str, str]]  # (label, value), in reading order


def _labels(values, choices) -> str:
    names = dict(choices.choices)
    return ", ".join(str(names.get(value, value)) for value in values)


def fact_sheet(offer: TechnologyOffer) -> FactSheet:
    """The offer's facts in the active language (its areas, concepts and approvals prefetched)."""
    organization = offer.organization
    areas = ", ".join(area.name for area in offer.areas.all())
    stage = str(dict(Stage.choices).get(offer.stage, offer.stage))
    values = {"company": organization.name, "stage": stage, "areas": areas or _("medical devices")}
    where = organization.get_cluster_display() if organization.cluster else ""
    if where:
        summary = _("%(company)s (%(where)s) offers a technology in %(areas)s; development stage: %(stage)s.") % {
            **values,
            "where": where,
        }
    else:
        summary = _("%(company)s offers a technology in %(areas)s; development stage: %(stage)s.") % values
    facts = [(_("Device areas"), areas)] if areas else []
    concepts = ", ".join(concept.name for concept in offer.concepts.all())
    if concepts:
        facts.append((_("Concepts"), concepts))
    facts.append((_("Development stage"), stage))
    approvals = [
        f"{approval.get_market_display()} · {approval.get_pathway_display()}: {approval.get_status_display()}"
        for approval in offer.approvals.all()
    ]
    if approvals:
        facts.append((_("Regulatory approvals"), "; ".join(approvals)))
    if offer.deal_types:
        facts.append((_("Looking for"), _labels(offer.deal_types, DealType)))
    if offer.target_regions:
        facts.append((_("Target regions"), _labels(offer.target_regions, Region)))
    return FactSheet(summary, facts)


def need_facts(need: PartneringNeed) -> list[tuple[str, str]]:
    """What a need looks for, as (label, value) in the active language (its areas prefetched)."""
    stages = dict(Stage.choices)
    facts = [
        (_("Device areas"), ", ".join(area.name for area in need.areas.all())),
        (
            _("Development stage"),
            _("%(low)s to %(high)s") % {"low": stages[need.stage_min], "high": stages[need.stage_max]},
        ),
        (_("Looking for"), _labels(need.deal_types, DealType)),
        (_("Regions"), _labels(need.regions, Region)),
    ]
    return [(label, value) for label, value in facts if value]
