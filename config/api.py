"""The /api/v1/ router: wiring only, the viewsets live in their apps."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from accounts.api.views import TokenView
from events.api.views import AgendaCalendarView, EventViewSet, MeetingRequestViewSet, MeetingViewSet, OutcomeViewSet
from matching.api.views import MatchViewSet, NeedViewSet, OfferViewSet, OrganizationViewSet

router = DefaultRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("offers", OfferViewSet, basename="offer")
router.register("needs", NeedViewSet, basename="need")
router.register("matches", MatchViewSet, basename="match")
router.register("requests", MeetingRequestViewSet, basename="request")
router.register("events", EventViewSet, basename="event")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("outcomes", OutcomeViewSet, basename="outcome")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("meetings/agenda.ics", AgendaCalendarView.as_view(), name="api-agenda-ics"),
    path("", include(router.urls)),
]
