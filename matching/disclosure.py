"""What one organization may learn about another through matching.

- A confidential need shows startups its device areas and the fit (score, explanation), never
  the company name or the need's own title and text, until that BD team requests a meeting with
  the startup or accepts one.
- Contact details (e-mail, phone) are shown to the other side only for an accepted meeting.

Functions take sets of ids so that list pages decide for every row with one query."""

from __future__ import annotations

from django.db.models import F, Q
from django.utils.translation import gettext as _

from accounts.models import Organization

from .enums import RequestStatus
from .models import MeetingRequest, PartneringNeed


def disclosed_corporates(viewer_id: int, corporate_ids) -> set[int]:
    """The BD teams among ``corporate_ids`` that have engaged with the startup ``viewer_id``."""
    return set(
        MeetingRequest.objects.filter(startup_id=viewer_id, corporate_id__in=list(corporate_ids))
        .filter(Q(requester=F("corporate")) | Q(status=RequestStatus.ACCEPTED))
        .values_list("corporate_id", flat=True)
    )


def need_is_visible(viewer: Organization | None, need: PartneringNeed, disclosed: set[int] | None = None) -> bool:
    """May ``viewer`` see the company behind ``need`` and its own text?"""
    if not need.is_confidential:
        return True
    if viewer is None:
        return False
    if viewer.pk == need.organization_id:
        return True
    if disclosed is None:
        disclosed = disclosed_corporates(viewer.pk, [need.organization_id])
    return need.organization_id in disclosed


def anonymous_label(need: PartneringNeed) -> str:
    """How a confidential need is presented: its team described by the need's device areas."""
    areas = ", ".join(area.name for area in need.areas.all())
    if areas:
        return _("A global medtech BD team (%(areas)s)") % {"areas": areas}
    return _("A global medtech BD team")


def contacts_visible(viewer_id: int, other_ids) -> set[int]:
    """The organizations among ``other_ids`` whose contact details ``viewer_id`` may see."""
    other_ids = list(other_ids)
    pairs = MeetingRequest.objects.filter(status=RequestStatus.ACCEPTED).filter(
        Q(startup_id=viewer_id, corporate_id__in=other_ids) | Q(corporate_id=viewer_id, startup_id__in=other_ids)
    )
    visible = set()
    for startup_id, corporate_id in pairs.values_list("startup_id", "corporate_id"):
        visible.add(corporate_id if startup_id == viewer_id else startup_id)
    return visible
