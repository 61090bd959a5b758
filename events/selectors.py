"""Which salons a user may run: the one place for this rule, used by the organizer's pages, the
salon's exports and the API alike."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.selectors import affiliation

from .models import Event


def organized_salons(user) -> QuerySet[Event]:
    """The salons of the organizer organizations the user belongs to; none for anyone else."""
    return Event.objects.filter(organizer_id__in=affiliation(user).organizers)
