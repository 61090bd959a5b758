"""What a user may see of offers, needs and matches: the one place for these rules, used by the
web pages and the API alike (see also ``matching.disclosure`` for confidential needs).

- Offers: an organization's own offers in any status; other organizations' approved offers.
- Needs: an organization's own needs; other organizations' open needs that are not confidential.
  Confidential needs reach startups only through their matches, anonymised.
- Matches: those of the user's own offers, and those of the user's own needs with a published offer.
- Organizers see, besides what everyone sees, the profiles of the organizations that applied to
  their salons (drafts and confidential needs included) and the matches between two of them; not
  those of organizations that never applied to one of their salons."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.selectors import affiliation, salon_participants

from .enums import NeedStatus, OfferStatus
from .models import Match, PartneringNeed, TechnologyOffer


def visible_offers(user) -> QuerySet[TechnologyOffer]:
    mine = affiliation(user)
    visible = Q(organization_id__in=mine.organizations) | Q(status=OfferStatus.APPROVED)
    if mine.is_organizer:
        visible |= Q(organization__in=salon_participants(mine.organizers))
    return TechnologyOffer.objects.filter(visible)


def visible_needs(user) -> QuerySet[PartneringNeed]:
    mine = affiliation(user)
    visible = Q(organization_id__in=mine.organizations) | Q(status=NeedStatus.OPEN, is_confidential=False)
    if mine.is_organizer:
        visible |= Q(organization__in=salon_participants(mine.organizers))
    return PartneringNeed.objects.filter(visible)


def visible_matches(user) -> QuerySet[Match]:
    mine = affiliation(user)
    # A match stored before its offer went back to draft must not show the draft to the BD team.
    visible = Q(offer__organization_id__in=mine.organizations) | Q(
        need__organization_id__in=mine.organizations, offer__status=OfferStatus.APPROVED
    )
    if mine.is_organizer:
        participants = salon_participants(mine.organizers)
        visible |= Q(offer__organization__in=participants, need__organization__in=participants)
    return Match.objects.filter(visible)


def readable_need(user, public_id) -> PartneringNeed | None:
    """The need with ``public_id`` if the user may read its page: one it may see, or a confidential one
    that reaches one of the user's offers through a stored match (shown anonymised); else ``None``."""
    needs = PartneringNeed.objects.select_related("organization").prefetch_related("areas", "concepts")
    need = needs.filter(pk__in=visible_needs(user).values("pk"), public_id=public_id).first()
    if need is not None:
        return need
    matched = visible_matches(user).filter(
        need__public_id=public_id, offer__organization_id__in=affiliation(user).startups
    )
    return needs.filter(pk__in=matched.values("need_id")).first()


def reachable_need(user, *, offer: TechnologyOffer, public_id) -> PartneringNeed | None:
    """The need with ``public_id`` as the user may name it in a request about ``offer``: a need it may
    see, or a confidential one that reaches the offer's startup through a stored match; else ``None``."""
    need = visible_needs(user).select_related("organization").filter(public_id=public_id).first()
    if need is not None:
        return need
    match = (
        visible_matches(user)
        .select_related("need__organization")
        .filter(offer=offer, need__public_id=public_id)
        .first()
    )
    return match.need if match is not None else None


def fit_warnings(offer: TechnologyOffer, need: PartneringNeed | None, corporate) -> list[str]:
    """What does not fit between an offer and a need (or, without a need, any need of the BD team),
    in the active language: the ``misfits`` of the stored match's explanation, or a warning that the
    offer is not among the team's matches at all."""
    matches = Match.objects.filter(offer=offer)
    matches = matches.filter(need=need) if need is not None else matches.filter(need__organization=corporate)
    best = matches.order_by("-score").first()
    if best is None:
        if need is not None:
            return [_("Your technology is not among the matches of this need.")]
        return [_("Your technology is not among the matches of this BD team's needs.")]
    return list(best.explanation_in()["misfits"])
