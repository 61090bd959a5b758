"""Who gets past the organizer's pages: organizers only, and a salon only for its organizers. Everyone
else gets 404, with no hint that the page or the salon exists."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.selectors import affiliation
from events.models import Event
from events.selectors import organized_salons


def organizer_ids(request) -> frozenset[int]:
    """The organizer organizations the user belongs to; 404 if there are none."""
    organizers = affiliation(request.user).organizers
    if not organizers:
        raise Http404
    return organizers


def organized_salon(request, slug: str) -> Event:
    """The salon, if the user organizes it; 404 for everyone else (no hint that it exists)."""
    return get_object_or_404(organized_salons(request.user), slug=slug)
