"""What one organization may learn about another through matching: the one place for this rule,
used by the web pages, the API and the e-mails.

- A confidential need shows startups its device areas and the fit (score, explanation), never
  the company name or the need's own title and text, until that BD team requests a meeting with
  the startup or accepts one.
- Contact details (e-mail, phone) are shown to the other side only for an accepted meeting, and
  only once platform staff verified the reader's organization (``Organization.verified_at``).
- Organizers see both for the organizations that applied to one of their salons.
- An offer's page (``/workspace/offers/<id>/``) and its teaser PDF (``matching.documents``) are for
  the offer's own organization, organizers, and a BD team that has a stored ``Match`` between the
  offer and one of its needs or a meeting request about the offer (in any status, from either side);
  the teaser only for a verified BD team. No one
  else learns that it exists: the download answers 404, as for a missing file, and the API's
  ``teaser_url`` is null.

A :class:`Disclosure` answers for every row of a page with at most three queries in all."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from accounts.selectors import affiliation, salon_participants

from . import engagement
from .enums import OfferStatus
from .models import Match, PartneringNeed, TechnologyOffer


@dataclass(frozen=True)
class NeedNames:
    organization: str  # the BD team's name, or the anonymous label
    title: str  # the need's title, or the anonymous label
    identified: bool

    @property
    def label(self) -> str:
        """One line naming the need: "team: title", or the anonymous label alone."""
        return f"{self.organization}: {self.title}" if self.identified else self.organization


class Disclosure:
    def __init__(self, organizations, startups, *, organizers=(), verified=None):
        self.organizations = frozenset(organizations)
        self.startups = frozenset(startups)
        self.organizers = frozenset(organizers)  # the organizer organizations among them
        # Those that platform staff verified: only they download teasers and read contact details.
        self.verified = self.organizations if verified is None else frozenset(verified)
        self._participants: frozenset[int] | None = None
        self._engaged: set[int] | None = None
        self._contacts: set[int] | None = None
        self._engaged_offers: set[int] | None = None

    @classmethod
    def for_user(cls, user) -> Disclosure:
        mine = affiliation(user)
        return cls(mine.organizations, mine.startups, organizers=mine.organizers, verified=mine.verified)

    @classmethod
    def for_organization(cls, organization) -> Disclosure:
        startups = [organization.pk] if organization.kind == "startup" else []
        organizers = [organization.pk] if organization.kind == "organizer" else []
        verified = [organization.pk] if organization.verified_at is not None else []
        return cls([organization.pk], startups, organizers=organizers, verified=verified)

    def _runs_salon_of(self, organization_id: int) -> bool:
        """Did ``organization_id`` apply to a salon these organizers run? (one query, kept)"""
        if not self.organizers:
            return False
        if self._participants is None:
            self._participants = frozenset(salon_participants(self.organizers).values_list("pk", flat=True))
        return organization_id in self._participants

    def _own_or_organized(self, organization_id: int) -> bool:
        """Is ``organization_id`` one of these organizations, or did it apply to a salon they run?"""
        return organization_id in self.organizations or self._runs_salon_of(organization_id)

    def _engaged_corporates(self) -> set[int]:
        if self._engaged is None:
            self._engaged = set(engagement.source().engaged_corporates(self.startups))
        return self._engaged

    def need_identity(self, need: PartneringNeed) -> bool:
        """May the company behind ``need`` and the need's own text be shown?"""
        if not need.is_confidential or need.organization_id in self.organizations:
            return True
        if self._runs_salon_of(need.organization_id):
            return True
        return need.organization_id in self._engaged_corporates()

    def need_names(self, need: PartneringNeed) -> NeedNames:
        """How ``need`` and its BD team are named to these organizations: the anonymous label for both
        while the need's identity is not disclosed."""
        if self.need_identity(need):
            return NeedNames(need.organization.name, need.display_title, identified=True)
        label = anonymous_label(need)
        return NeedNames(label, label, identified=False)

    def contacts(self, organization_id: int) -> bool:
        """May ``organization_id``'s contact details be shown? Not before platform staff verified
        one of the reader's organizations."""
        if self._own_or_organized(organization_id):
            return True
        if not self.verified:
            return False
        if self._contacts is None:
            self._contacts = {
                corporate if startup in self.organizations else startup
                for startup, corporate in engagement.source().accepted_pairs(self.organizations)
            }
        return organization_id in self._contacts

    def teaser(self, offer: TechnologyOffer) -> bool:
        """May ``offer``'s teaser PDF be downloaded (whether or not it has one)? By those who may read
        its page — a BD team only once platform staff verified it."""
        if self._own_or_organized(offer.organization_id):
            return True
        return bool(self.verified) and self.offer_page(offer)

    def offer_page(self, offer: TechnologyOffer) -> bool:
        """May ``offer``'s page be read (and its teaser downloaded)? Its startup, the organizers of
        the salons it applied to, and — once it is approved — BD teams with a match or a meeting
        request about it (an offer sent back to draft is its startup's again)."""
        if self._own_or_organized(offer.organization_id):
            return True
        if not self.organizations or offer.status != OfferStatus.APPROVED:
            return False
        if self._engaged_offers is None:
            # A need belongs to a BD team and a request's ``corporate`` is one, so the user's
            # organizations need no filtering by kind here.
            matched = Match.objects.filter(need__organization_id__in=self.organizations).order_by()
            union = matched.values_list("offer_id").union(engagement.source().requested_offers(self.organizations))
            self._engaged_offers = {offer_id for (offer_id,) in union}
        return offer.pk in self._engaged_offers


def anonymous_label(need: PartneringNeed) -> str:
    """How a confidential need is presented: its team described by the need's device areas."""
    areas = ", ".join(area.name for area in need.areas.all())
    if areas:
        return _("A global medtech BD team (%(areas)s)") % {"areas": areas}
    return _("A global medtech BD team")
