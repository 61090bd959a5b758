"""Meeting requests under /api/v1/requests/: list, detail, create, and the accept / decline /
cancel actions, all through ``events.requests``."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Organization
from accounts.selectors import affiliation
from events import requests
from matching import selectors
from matching.api.views import DisclosureMixin
from matching.models import Match, MeetingRequest

from .serializers import DeclineSerializer, MeetingRequestCreateSerializer, MeetingRequestSerializer


def _service(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except DjangoValidationError as error:
        raise serializers.ValidationError(serializers.as_serializer_error(error)) from error


def visible_requests(user):
    mine = affiliation(user)
    return MeetingRequest.objects.filter(
        Q(startup_id__in=mine.organizations)
        | Q(corporate_id__in=mine.organizations)
        | Q(event__organizer_id__in=mine.organizers)
    )


class MeetingRequestViewSet(
    DisclosureMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Meeting requests and proposals the caller's organization takes part in (organizers: those of
    their salons)."""

    serializer_class = MeetingRequestSerializer
    filterset_fields = ["event", "status", "origin", "offer", "need"]

    def get_queryset(self):
        return (
            visible_requests(self.request.user)
            .select_related("offer", "need__organization", "startup", "corporate")
            .prefetch_related("need__areas")
            .order_by("-created_at", "-pk")
        )

    def _party(self, meeting_request) -> Organization:
        mine = affiliation(self.request.user).organizations
        for organization in (meeting_request.startup, meeting_request.corporate):
            if organization.pk in mine:
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
        mine = affiliation(request.user)
        event, offer, need = values["event"], values["offer"], values.get("need")
        corporate = None
        if need is None and values.get("corporate") is not None:
            corporate = Organization.objects.filter(pk=values["corporate"]).first()
            if corporate is None:
                raise serializers.ValidationError({"corporate": [_("Unknown organization.")]})
        corporate_id = need.organization_id if need is not None else values.get("corporate")
        if offer.organization_id not in mine.organizations and corporate_id not in mine.organizations:
            if event.organizer_id not in mine.organizers:
                raise serializers.ValidationError(
                    {"non_field_errors": [_("You can only request meetings for your own organization.")]}
                )
            created = _service(
                requests.arrange_meeting,
                event=event,
                organizer=event.organizer,
                offer=offer,
                need=need,
                corporate=corporate,
                user=request.user,
                message=values.get("message", ""),
            )
            return self._created(created)
        if offer.organization_id in mine.organizations:
            requester = offer.organization
            visible_need = need is None or (
                selectors.visible_needs(request.user).filter(pk=need.pk).exists()
                or Match.objects.filter(offer=offer, need=need).exists()
            )
            if not visible_need:
                raise serializers.ValidationError({"need": [_("Unknown need.")]})
        else:
            if not selectors.visible_offers(request.user).filter(pk=offer.pk).exists():
                raise serializers.ValidationError(
                    {"non_field_errors": [_("You can only request meetings for your own organization.")]}
                )
            requester = Organization.objects.get(pk=corporate_id)
        created = _service(
            requests.request_meeting,
            event=event,
            requester=requester,
            offer=offer,
            need=need,
            corporate=corporate,
            user=request.user,
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
        _service(requests.accept, meeting_request, organization=self._party(meeting_request), user=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=meeting_request.pk)).data)

    @extend_schema(request=DeclineSerializer, responses=MeetingRequestSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Decline a proposal or a request addressed to you, with one of the listed reasons."""
        meeting_request = self.get_object()
        data = DeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _service(
            requests.decline,
            meeting_request,
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
        _service(requests.cancel, meeting_request, organization=self._party(meeting_request), user=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=meeting_request.pk)).data)
