"""Organizations, offers, needs and matches under /api/v1/. Every queryset comes from
``matching.selectors``; writes go through ``matching.services``; a constant number of queries per
page (select_related / prefetch_related, one ``Disclosure`` per request)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from accounts.models import Organization
from accounts.selectors import affiliation
from matching import review, selectors, services
from matching.disclosure import Disclosure
from matching.downloads import teaser_download
from matching.filters import MatchFilter
from matching.models import Shortlist

from .serializers import (
    MatchSerializer,
    NeedSerializer,
    OfferSerializer,
    OrganizationSerializer,
    ReturnSerializer,
    ShortlistSerializer,
)


class DisclosureMixin:
    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not hasattr(self, "_disclosure"):
            self._disclosure = Disclosure.for_user(self.request.user)
        return {**context, "disclosure": self._disclosure}


class OrganizationViewSet(DisclosureMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Organizations' public profiles (contact details only after an accepted meeting)."""

    serializer_class = OrganizationSerializer
    queryset = Organization.objects.order_by("name_en", "pk")
    filterset_fields = ["kind", "country", "cluster"]


class ProfileViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Reads show what ``matching.selectors`` allows; writes only reach one's own profiles (an
    outsider's write answers 404, as if the profile did not exist). A profile is named by its public
    id (``/api/v1/offers/<uuid>/``); an integer key or a malformed id answers 404."""

    lookup_field = "public_id"

    def get_queryset(self):
        profiles = self.visible(self.request.user).select_related("organization").prefetch_related("areas", "concepts")
        if self.action in ("update", "partial_update"):
            profiles = profiles.filter(organization_id__in=affiliation(self.request.user).organizations)
        return profiles.order_by("-updated_at", "pk")


class OfferViewSet(DisclosureMixin, ProfileViewSet):
    """Technology offers of startups. Create and update accept JSON, or multipart/form-data with
    the teaser PDF as the file part ``teaser``."""

    serializer_class = OfferSerializer
    filterset_fields = ["organization", "status", "stage"]
    visible = staticmethod(selectors.visible_offers)

    def get_queryset(self):
        return super().get_queryset().prefetch_related("approvals")

    @extend_schema(
        request=None,
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
        description=_(
            "The offer's teaser PDF, as an attachment. Only for the offer's organization, organizers and "
            "BD teams with a match or a meeting request about the offer; 404 for everyone else."
        ),
    )
    @action(detail=True, methods=["get"], permission_classes=[AllowAny], filter_backends=[], pagination_class=None)
    def teaser(self, request, public_id=None):
        # Not get_object(): the rule is matching.disclosure's, not the offer list's visibility; and
        # anonymous callers get the same 404 as everyone not allowed, not a 401/403.
        return teaser_download(request.user, public_id)

    def _reviewed(self, public_id, function, arguments=dict):
        # Not get_object(): who may review is matching.review's rule (404 for everyone else, before
        # anything of the request is looked at).
        offer = review.reviewable_offers(self.request.user).filter(public_id=public_id).first()
        if offer is None:
            raise Http404
        arguments = arguments()
        try:
            offer = function(offer=offer, user=self.request.user, **arguments)
        except DjangoValidationError as error:
            raise serializers.ValidationError(serializers.as_serializer_error(error)) from error
        return Response(self.get_serializer(offer).data)

    @extend_schema(request=None, responses=OfferSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def approve(self, request, public_id=None):
        """Reviewers (platform staff; organizers, for startups that applied to their salons): put a
        submitted offer live. It is matched at once and its startup is mailed."""
        return self._reviewed(public_id, review.offer_approve)

    @extend_schema(request=ReturnSerializer, responses=OfferSerializer)
    @action(detail=True, methods=["post"], url_path="return", filter_backends=[])
    def send_back(self, request, public_id=None):
        """Reviewers: return a submitted offer to its startup as a draft, with the required comment."""

        def comment() -> dict:
            data = ReturnSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            return {"comment": data.validated_data["comment"]}

        return self._reviewed(public_id, review.offer_return, comment)


class NeedViewSet(ProfileViewSet):
    """Partnering needs of BD teams (others' confidential needs appear only in matches)."""

    serializer_class = NeedSerializer
    filterset_fields = ["organization", "status", "is_confidential"]
    visible = staticmethod(selectors.visible_needs)


class MatchViewSet(DisclosureMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Scored pairs of the caller's offers or needs, best first, with explanations in Korean and
    English. BD teams filter a need's startups by area, stage, approval, region and deal type, and
    keep the ones they like on a shortlist (``shortlisted`` in each row and as a filter)."""

    serializer_class = MatchSerializer
    filterset_class = MatchFilter

    def get_queryset(self):
        mine = affiliation(self.request.user).organizations
        on_shortlist = Shortlist.objects.filter(
            organization_id__in=mine, offer_id=OuterRef("offer_id"), need_id=OuterRef("need_id")
        )
        return (
            selectors.visible_matches(self.request.user)
            .annotate(shortlisted=Exists(on_shortlist))
            .select_related("offer__organization", "need__organization")
            .prefetch_related("need__areas")
            .order_by("-score", "pk")
        )

    def _side(self, match):
        mine = affiliation(self.request.user).organizations
        for organization in (match.need.organization, match.offer.organization):
            if organization.pk in mine:
                return organization
        raise serializers.ValidationError({"non_field_errors": [_("Only the two sides of a match can shortlist it.")]})

    @extend_schema(request=ShortlistSerializer, responses=MatchSerializer, methods=["POST"])
    @extend_schema(request=None, responses={204: None}, methods=["DELETE"])
    @action(detail=True, methods=["post", "delete"])
    def shortlist(self, request, pk=None):
        """Put this match on your organization's shortlist (POST, with an optional note) or take it
        off (DELETE)."""
        match = self.get_object()
        organization = self._side(match)
        if request.method == "DELETE":
            services.shortlist_remove(organization=organization, offer=match.offer, need=match.need)
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = ShortlistSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.shortlist_add(
                organization=organization,
                offer=match.offer,
                need=match.need,
                user=request.user,
                note=data.validated_data.get("note", ""),
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(serializers.as_serializer_error(error)) from error
        return Response(self.get_serializer(self.get_queryset().get(pk=match.pk)).data)
