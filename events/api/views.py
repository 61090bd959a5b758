"""Meeting requests under /api/v1/requests/: list, detail, create, and the accept / decline /
cancel actions, all through ``events.meeting_requests``."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organization
from accounts.selectors import affiliation
from events import agenda, follow_up, meeting_requests, salon_service, schedule_service
from events.models import Event, EventStatus, MeetingRequest, Outcome, ProgramItem, Slot, Table
from events.selectors import organized_salons, visible_requests
from matching.api.views import DisclosureMixin

from .serializers import (
    DeclineSerializer,
    EventSerializer,
    FunnelSerializer,
    LockSerializer,
    MeetingRequestCreateSerializer,
    MeetingRequestSerializer,
    MeetingSerializer,
    MoveSerializer,
    OutcomeSerializer,
    RegistrationInputSerializer,
    RegistrationSerializer,
)


class MeetingRequestFilter(django_filters.FilterSet):
    """The request list's filters; the offer and the need by their public ids."""

    offer = django_filters.UUIDFilter(field_name="offer__public_id", label=gettext_lazy("offer (public id)"))
    need = django_filters.UUIDFilter(field_name="need__public_id", label=gettext_lazy("need (public id)"))

    class Meta:
        model = MeetingRequest
        fields = ["event", "status", "origin"]


def _service(function, **kwargs):
    try:
        return function(**kwargs)
    except DjangoValidationError as error:
        raise serializers.ValidationError(serializers.as_serializer_error(error)) from error


class MeetingRequestViewSet(
    DisclosureMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Meeting requests and proposals the caller's organization takes part in (organizers: those of
    their salons)."""

    serializer_class = MeetingRequestSerializer
    filterset_class = MeetingRequestFilter

    def get_queryset(self):
        return (
            visible_requests(self.request.user)
            .select_related("offer", "need__organization", "startup", "corporate")
            .prefetch_related("need__areas")
            .order_by("-created_at", "-pk")
        )

    def _party(self, meeting_request) -> Organization:
        organization = meeting_requests.party(meeting_request, self.request.user)
        if organization is not None:
            return organization
        raise serializers.ValidationError(
            {"non_field_errors": [_("This request is not addressed to your organization.")]}
        )

    @extend_schema(request=MeetingRequestCreateSerializer, responses={201: MeetingRequestSerializer})
    def create(self, request):
        """Request a meeting for your organization. A startup whose offer does not fit the need is
        answered 400 with the warnings under ``confirm_misfit`` and sends again with
        ``confirm_misfit: true``. The salon's organizer arranges a meeting for two other
        organizations instead (accepted at once)."""
        data = MeetingRequestCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        corporate = None
        if values.get("need") is None and values.get("corporate") is not None:
            corporate = Organization.objects.filter(pk=values["corporate"]).first()
            if corporate is None:
                raise serializers.ValidationError({"corporate": [_("Unknown organization.")]})
        created = _service(
            meeting_requests.meeting_request_send,
            user=request.user,
            event=values["event"],
            offer=values["offer"],
            need=values.get("need"),
            corporate=corporate,
            message=values.get("message", ""),
            confirm_misfit=values["confirm_misfit"],
        )
        return self._created(created)

    def _created(self, created) -> Response:
        return Response(
            self.get_serializer(self.get_queryset().get(pk=created.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses=MeetingRequestSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Take up a proposal, or accept a request addressed to you."""
        meeting_request = self.get_object()
        _service(
            meeting_requests.meeting_request_accept,
            meeting_request=meeting_request,
            organization=self._party(meeting_request),
            user=request.user,
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=meeting_request.pk)).data)

    @extend_schema(request=DeclineSerializer, responses=MeetingRequestSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Decline a proposal or a request addressed to you, with one of the listed reasons."""
        meeting_request = self.get_object()
        data = DeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _service(
            meeting_requests.meeting_request_decline,
            meeting_request=meeting_request,
            organization=self._party(meeting_request),
            reason=data.validated_data["reason"],
            note=data.validated_data.get("note", ""),
            user=request.user,
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=meeting_request.pk)).data)

    @extend_schema(request=None, responses=MeetingRequestSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Withdraw your pending request, or cancel an accepted meeting."""
        meeting_request = self.get_object()
        _service(
            meeting_requests.meeting_request_cancel,
            meeting_request=meeting_request,
            organization=self._party(meeting_request),
            user=request.user,
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=meeting_request.pk)).data)


class EventViewSet(viewsets.ReadOnlyModelViewSet):
    """Partnering salons with their program, slots and tables (drafts only for their organizer).
    ``register`` applies the caller's organization."""

    serializer_class = EventSerializer
    filterset_fields = ["city", "status"]
    lookup_field = "slug"
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    def get_queryset(self):
        mine = affiliation(self.request.user)
        return (
            Event.objects.filter(Q(status__in=EventStatus.having("public")) | Q(organizer_id__in=mine.organizers))
            .prefetch_related(
                "theme_areas",
                Prefetch("program", queryset=ProgramItem.objects.order_by("starts_at")),
                Prefetch("slots", queryset=Slot.objects.order_by("index")),
                Prefetch("tables", queryset=Table.objects.order_by("number")),
            )
            .order_by("-date", "pk")
        )

    @extend_schema(responses=FunnelSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def funnel(self, request):
        """Organizers: the follow-up funnel of each of their salons (meetings → held → follow-up
        call → NDA/CDA → evaluation/PoC → term sheet → deal), oldest first, and no-shows."""
        events = list(organized_salons(request.user).order_by("date", "pk"))
        rows = [
            {
                "event": event.slug,
                "title": event.title,
                "date": event.date,
                "steps": dict(funnel.ordered()),
                "no_shows": funnel.no_shows,
            }
            for event, funnel in zip(events, follow_up.funnels(events), strict=True)
        ]
        return Response(FunnelSerializer(rows, many=True).data)

    @extend_schema(request=RegistrationInputSerializer, responses={201: RegistrationSerializer})
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def register(self, request, slug=None):
        """Apply to this salon for one of your organizations (pending until approved)."""
        event = self.get_object()
        data = RegistrationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values["organization"] not in affiliation(request.user).organizations:
            raise serializers.ValidationError({"organization": [_("Choose one of your organizations.")]})
        registration = _service(
            salon_service.registration_create,
            event=event,
            organization=Organization.objects.get(pk=values["organization"]),
            user=request.user,
            max_meetings=values["max_meetings"],
            unavailable_slots=values["unavailable_slots"],
            languages=values["languages"],
        )
        return Response(RegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)


class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Scheduled meetings the caller takes part in (once the agenda is published), or every meeting
    of the caller's salons for organizers, who also move, lock and cancel them."""

    serializer_class = MeetingSerializer
    filterset_fields = ["event", "status", "locked"]

    def get_queryset(self):
        return (
            agenda.visible_meetings(self.request.user)
            .select_related(*agenda.CALENDAR_RELATED)
            .order_by("event_id", "slot__index", "table__number", "pk")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "_met_before", None) is None:
            self._met_before = {}
        return {**context, "met_before": self._met_before}

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        agenda.calendar_sync(rows)  # the sequence shown is the one the calendar would carry
        by_event = {}
        for meeting in rows:
            by_event.setdefault(meeting.event, set()).add(meeting.participants())
        self._met_before = follow_up.met_before(by_event)
        return page

    def get_object(self):
        meeting = super().get_object()
        agenda.calendar_sync([meeting])
        self._met_before = follow_up.met_before({meeting.event: {meeting.participants()}})
        return meeting

    def _organizer_meeting(self):
        meeting = self.get_object()
        if meeting.event.organizer_id not in affiliation(self.request.user).organizers:
            raise NotFound()
        return meeting

    def _answer(self, meeting):
        return Response(self.get_serializer(self.get_queryset().get(pk=meeting.pk)).data)

    @extend_schema(request=MoveSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Organizers: put the meeting at another slot and table (it is locked there)."""
        meeting = self._organizer_meeting()
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        slot = Slot.objects.filter(pk=data.validated_data["slot"], event=meeting.event).first()
        table = Table.objects.filter(pk=data.validated_data["table"], event=meeting.event).first()
        if slot is None or table is None:
            raise serializers.ValidationError(
                {"non_field_errors": [_("The slot and table must belong to this salon.")]}
            )
        _service(
            schedule_service.meeting_move,
            meeting=meeting,
            slot=slot,
            table=table,
            organizer=meeting.event.organizer,
            actor=request.user,
        )
        return self._answer(meeting)

    @extend_schema(request=LockSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def lock(self, request, pk=None):
        """Organizers: lock the meeting where it is (re-scheduling never moves it) or unlock it."""
        meeting = self._organizer_meeting()
        data = LockSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _service(
            schedule_service.meeting_set_locked,
            meeting=meeting,
            locked=data.validated_data["locked"],
            organizer=meeting.event.organizer,
            actor=request.user,
        )
        return self._answer(meeting)

    @extend_schema(request=None, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Organizers (or either side): cancel the meeting; calendars remove it."""
        meeting = self.get_object()
        mine = affiliation(request.user)
        if meeting.event.organizer_id in mine.organizers:
            organization = meeting.event.organizer
        else:
            organization = meeting.startup if meeting.startup_id in mine.organizations else meeting.corporate
        _service(
            meeting_requests.meeting_request_cancel,
            meeting_request=meeting.request,
            organization=organization,
            user=request.user,
        )
        return self._answer(meeting)


class AgendaCalendarView(APIView):
    """``GET /api/v1/meetings/agenda.ics``: the caller's meetings as an iCalendar file (stable UIDs,
    SEQUENCE, cancelled meetings as STATUS:CANCELLED)."""

    @extend_schema(responses={(200, "text/calendar"): OpenApiTypes.BINARY}, operation_id="meetings_agenda_ics")
    def get(self, request):
        body = agenda.agenda_calendar(request.user, language=request.LANGUAGE_CODE)
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="partnering-salon-agenda.ics"'
        return response


class OutcomeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """What happened after each meeting: one report per side (did it take place, the next step).
    Each side sees and writes its own reports; organizers read all reports of their salons."""

    serializer_class = OutcomeSerializer
    filterset_fields = ["meeting", "next_step", "took_place"]

    def get_queryset(self):
        mine = affiliation(self.request.user)
        outcomes = Outcome.objects.filter(
            Q(organization_id__in=mine.organizations) | Q(meeting__event__organizer_id__in=mine.organizers)
        )
        if self.action in ("update", "partial_update"):
            outcomes = outcomes.filter(organization_id__in=mine.organizations)
        return outcomes.select_related("meeting").order_by("-updated_at", "pk")

    def _save(self, serializer, meeting, instance=None):
        mine = affiliation(self.request.user).organizations
        side = next((pk for pk in meeting.participants() if pk in mine), None)
        if side is None:
            raise NotFound()
        values = {
            **(
                {}
                if instance is None
                else {
                    "took_place": instance.took_place,
                    "next_step": instance.next_step,
                    "note": instance.note,
                    "featured": instance.featured,
                }
            ),
            **serializer.validated_data,
        }
        values.pop("meeting", None)
        outcome = _service(
            follow_up.outcome_record,
            meeting=meeting,
            organization=Organization.objects.get(pk=side),
            user=self.request.user,
            **values,
        )
        serializer.instance = outcome

    def perform_create(self, serializer):
        meeting = serializer.validated_data["meeting"]
        if not agenda.visible_meetings(self.request.user).filter(pk=meeting.pk).exists():
            raise NotFound()
        self._save(serializer, meeting)

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance.meeting, serializer.instance)
