"""Reads of salons and meeting requests: which salons a user may run, which requests it may see, and
where two organizations can meet. The one place for these rules, used by the web pages, the exports
and the API alike."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.selectors import affiliation
from events.models import Event, EventStatus, MeetingRequest, Registration, RegistrationStatus


def organized_salons(user) -> QuerySet[Event]:
    """The salons of the organizer organizations the user belongs to; none for anyone else."""
    return Event.objects.filter(organizer_id__in=affiliation(user).organizers)


def visible_requests(user) -> QuerySet[MeetingRequest]:
    """Requests the user's organizations take part in, and those of the salons it organizes."""
    mine = affiliation(user)
    return MeetingRequest.objects.filter(
        Q(startup_id__in=mine.organizations)
        | Q(corporate_id__in=mine.organizations)
        | Q(event__organizer_id__in=mine.organizers)
    )


def salons_open_for_requests(*organization_ids: int) -> QuerySet[Event]:
    """Salons accepting requests at which every one of ``organization_ids`` is an approved participant."""
    events = Event.objects.filter(status__in=EventStatus.accepting_requests())
    for organization_id in organization_ids:
        events = events.filter(
            registrations__organization_id=organization_id, registrations__status=RegistrationStatus.APPROVED
        )
    return events.distinct()


def requestable_counterparts(organization_id: int, others) -> set[int]:
    """Those of ``others`` that share a salon accepting requests with ``organization_id`` (one query)."""
    return set(
        Registration.objects.filter(
            event__in=salons_open_for_requests(organization_id),
            status=RegistrationStatus.APPROVED,
            organization_id__in=others,
        ).values_list("organization_id", flat=True)
    )
