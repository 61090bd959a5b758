from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accounts.models import Organization, OrganizationKind
from events.models import Event, EventStatus, ProgramItem, RegistrationStatus
from matching.enums import NeedStatus, OfferStatus
from matching.models import PartneringNeed, TechnologyOffer

_PUBLIC_STATUSES = [s for s in EventStatus.values if s != EventStatus.DRAFT]


def _public_events():
    return Event.objects.filter(status__in=_PUBLIC_STATUSES).annotate(
        startups=Count(
            "registrations",
            distinct=True,
            filter=Q(
                registrations__status=RegistrationStatus.APPROVED,
                registrations__organization__kind=OrganizationKind.STARTUP,
            ),
        ),
        corporates=Count(
            "registrations",
            distinct=True,
            filter=Q(
                registrations__status=RegistrationStatus.APPROVED,
                registrations__organization__kind=OrganizationKind.CORPORATE,
            ),
        ),
    )


def home(request):
    today = timezone.localdate()
    events = list(_public_events().prefetch_related("theme_areas").order_by("date"))
    context = {
        "upcoming": [e for e in events if e.date >= today],
        "past": [e for e in events if e.date < today][::-1],
        "counts": {
            "startups": Organization.objects.filter(kind=OrganizationKind.STARTUP).count(),
            "corporates": Organization.objects.filter(kind=OrganizationKind.CORPORATE).count(),
            "offers": TechnologyOffer.objects.filter(status=OfferStatus.APPROVED).count(),
            "needs": PartneringNeed.objects.filter(status=NeedStatus.OPEN).count(),
        },
    }
    return render(request, "events/home.html", context)


def event_detail(request, slug):
    event = get_object_or_404(
        _public_events()
        .select_related("organizer")
        .prefetch_related("theme_areas", Prefetch("program", queryset=ProgramItem.objects.order_by("starts_at")))
        .annotate(slot_count=Count("slots", distinct=True), table_count=Count("tables", distinct=True)),
        slug=slug,
    )
    return render(request, "events/event_detail.html", {"event": event})
