"""What one organization may learn about another through matching: the one place for this rule,
used by the web pages, the API and the e-mails.

- A confidential need shows startups its device areas and the fit (score, explanation), never
  the company name or the need's own title and text, until that BD team requests a meeting with
  the startup or accepts one.
- Contact details (e-mail, phone) are shown to the other side only for an accepted meeting.
- Organizers, who run the salons, see both.

A :class:`Disclosure` answers for every row of a page with at most two queries in all."""

from __future__ import annotations

from django.db.models import F, Q
from django.utils.translation import gettext as _

from accounts.selectors import affiliation

from .enums import RequestStatus
from .models import MeetingRequest, PartneringNeed


class Disclosure:
    def __init__(self, organizations, startups, *, organizer: bool = False):
        self.organizations = frozenset(organizations)
        self.startups = frozenset(startups)
        self.organizer = organizer
        self._engaged: set[int] | None = None
        self._contacts: set[int] | None = None

    @classmethod
    def for_user(cls, user) -> Disclosure:
        mine = affiliation(user)
        return cls(mine.organizations, mine.startups, organizer=mine.is_organizer)

    @classmethod
    def for_organization(cls, organization) -> Disclosure:
        startups = [organization.pk] if organization.kind == "startup" else []
        return cls([organization.pk], startups, organizer=organization.kind == "organizer")

    def _engaged_corporates(self) -> set[int]:
        if self._engaged is None:
            self._engaged = set(
                MeetingRequest.objects.filter(startup_id__in=self.startups)
                .filter(Q(requester=F("corporate")) | Q(status=RequestStatus.ACCEPTED))
                .values_list("corporate_id", flat=True)
            )
        return self._engaged

    def need_identity(self, need: PartneringNeed) -> bool:
        """May the company behind ``need`` and the need's own text be shown?"""
        if not need.is_confidential or self.organizer or need.organization_id in self.organizations:
            return True
        return need.organization_id in self._engaged_corporates()

    def contacts(self, organization_id: int) -> bool:
        """May ``organization_id``'s contact details be shown?"""
        if organization_id in self.organizations or self.organizer:
            return True
        if self._contacts is None:
            pairs = MeetingRequest.objects.filter(status=RequestStatus.ACCEPTED).filter(
                Q(startup_id__in=self.organizations) | Q(corporate_id__in=self.organizations)
            )
            self._contacts = {
                corporate if startup in self.organizations else startup
                for startup, corporate in pairs.values_list("startup_id", "corporate_id")
            }
        return organization_id in self._contacts


def anonymous_label(need: PartneringNeed) -> str:
    """How a confidential need is presented: its team described by the need's device areas."""
    areas = ", ".join(area.name for area in need.areas.all())
    if areas:
        return _("A global medtech BD team (%(areas)s)") % {"areas": areas}
    return _("A global medtech BD team")
