"""What a user may see of offers, needs and matches: the one place for these rules, used by the
web pages and the API alike (see also ``matching.disclosure`` for confidential needs).

- Offers: an organization's own offers in any status; other organizations' approved offers.
- Needs: an organization's own needs; other organizations' open needs that are not confidential.
  Confidential needs reach startups only through their matches, anonymised.
- Matches: those of the user's own offers or needs.
- Organizers see everything, as the operators of the salons."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.selectors import affiliation

from .enums import NeedStatus, OfferStatus
from .models import Match, PartneringNeed, TechnologyOffer


def visible_offers(user) -> QuerySet[TechnologyOffer]:
    mine = affiliation(user)
    offers = TechnologyOffer.objects.all()
    if mine.is_organizer:
        return offers
    return offers.filter(Q(organization_id__in=mine.organizations) | Q(status=OfferStatus.APPROVED))


def visible_needs(user) -> QuerySet[PartneringNeed]:
    mine = affiliation(user)
    needs = PartneringNeed.objects.all()
    if mine.is_organizer:
        return needs
    return needs.filter(Q(organization_id__in=mine.organizations) | Q(status=NeedStatus.OPEN, is_confidential=False))


def visible_matches(user) -> QuerySet[Match]:
    mine = affiliation(user)
    matches = Match.objects.all()
    if mine.is_organizer:
        return matches
    return matches.filter(
        Q(offer__organization_id__in=mine.organizations) | Q(need__organization_id__in=mine.organizations)
    )
