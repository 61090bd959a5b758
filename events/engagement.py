"""The engagement facts ``matching`` reads (``matching.engagement.Source``), from meeting requests."""

from __future__ import annotations

from django.db.models import F, Q

from events.models import MeetingRequest, RequestStatus
from events.selectors import requestable_counterparts  # noqa: F401 — part of the source


def declines():
    return MeetingRequest.objects.filter(status=RequestStatus.DECLINED).values_list(
        "offer_id", "need_id", "corporate_id", "recipient_id", "decline_reason"
    )


def engaged_corporates(startups):
    return (
        MeetingRequest.objects.filter(startup_id__in=startups)
        .filter(Q(requester=F("corporate")) | Q(status=RequestStatus.ACCEPTED))
        .values_list("corporate_id", flat=True)
    )


def accepted_pairs(organizations):
    return (
        MeetingRequest.objects.filter(status=RequestStatus.ACCEPTED)
        .filter(Q(startup_id__in=organizations) | Q(corporate_id__in=organizations))
        .values_list("startup_id", "corporate_id")
    )


def requested_offers(corporates):
    return MeetingRequest.objects.filter(corporate_id__in=corporates).order_by().values_list("offer_id")
