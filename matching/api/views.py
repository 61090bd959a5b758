"""Organizations, offers, needs and matches under /api/v1/. Every queryset comes from
``matching.selectors``; writes go through ``matching.services``; a constant number of queries per
page (select_related / prefetch_related, one ``Disclosure`` per request)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, viewsets

from accounts.models import Organization
from accounts.selectors import affiliation
from matching import selectors
from matching.disclosure import Disclosure
from matching.enums import ApprovalStatus, DealType, Market, Region, Stage
from matching.models import Match

from .serializers import MatchSerializer, NeedSerializer, OfferSerializer, OrganizationSerializer


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


def _json_list_contains(field: str, value: str) -> Q:
    # A portable "list contains" for JSON lists of codes (SQLite has no JSON containment):
    # codes are quoted in the stored text, so the quoted value cannot match a longer code.
    return Q(**{f"{field}__icontains": f'"{value}"'})


class ProfileViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Reads show what ``matching.selectors`` allows; writes only reach one's own profiles (an
    outsider's write answers 404, as if the profile did not exist)."""

    def get_queryset(self):
        profiles = self.visible(self.request.user).select_related("organization").prefetch_related("areas", "concepts")
        if self.action in ("update", "partial_update"):
            profiles = profiles.filter(organization_id__in=affiliation(self.request.user).organizations)
        return profiles.order_by("-updated_at", "pk")


class OfferViewSet(ProfileViewSet):
    """Technology offers of startups."""

    serializer_class = OfferSerializer
    filterset_fields = ["organization", "status", "stage"]
    visible = staticmethod(selectors.visible_offers)

    def get_queryset(self):
        return super().get_queryset().prefetch_related("approvals")


class NeedViewSet(ProfileViewSet):
    """Partnering needs of BD teams (others' confidential needs appear only in matches)."""

    serializer_class = NeedSerializer
    filterset_fields = ["organization", "status", "is_confidential"]
    visible = staticmethod(selectors.visible_needs)


class MatchFilter(django_filters.FilterSet):
    min_score = django_filters.NumberFilter(field_name="score", lookup_expr="gte", label=_("minimum score"))
    area = django_filters.CharFilter(method="filter_area", label=_("device area of the offer"))
    stage = django_filters.ChoiceFilter(field_name="offer__stage", choices=Stage.choices, label=_("stage"))
    approval = django_filters.ChoiceFilter(
        choices=Market.choices, method="filter_approval", label=_("approval granted in market")
    )
    region = django_filters.ChoiceFilter(choices=Region.choices, method="filter_region", label=_("target region"))
    deal_type = django_filters.ChoiceFilter(choices=DealType.choices, method="filter_deal_type", label=_("deal type"))

    class Meta:
        model = Match
        fields = ["offer", "need"]

    def filter_area(self, queryset, name, value):
        return queryset.filter(offer__areas__code=value).distinct()

    def filter_approval(self, queryset, name, value):
        return queryset.filter(
            offer__approvals__market=value, offer__approvals__status=ApprovalStatus.GRANTED
        ).distinct()

    def filter_region(self, queryset, name, value):
        return queryset.filter(
            _json_list_contains("offer__target_regions", value) | _json_list_contains("offer__target_regions", "GLOBAL")
        )

    def filter_deal_type(self, queryset, name, value):
        return queryset.filter(_json_list_contains("offer__deal_types", value))


class MatchViewSet(DisclosureMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Scored pairs of the caller's offers or needs, best first, with explanations in Korean and
    English. BD teams filter a need's startups by area, stage, approval, region and deal type."""

    serializer_class = MatchSerializer
    filterset_class = MatchFilter

    def get_queryset(self):
        return (
            selectors.visible_matches(self.request.user)
            .select_related("offer__organization", "need__organization")
            .prefetch_related("need__areas")
            .order_by("-score", "pk")
        )
