"""The filters of a match list (area, stage, granted approval, region, deal type, shortlist): one
FilterSet used by the BD team's web page and the match API alike."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from matching.enums import ApprovalStatus, DealType, Market, Region, Stage
from matching.models import Match


def _json_list_contains(field: str, value: str) -> Q:
    # A portable "list contains" for JSON lists of codes (SQLite has no JSON containment):
    # codes are quoted in the stored text, so the quoted value cannot match a longer code.
    return Q(**{f"{field}__icontains": f'"{value}"'})


class MatchFilter(django_filters.FilterSet):
    offer = django_filters.UUIDFilter(field_name="offer__public_id", label=_("offer (public id)"))
    need = django_filters.UUIDFilter(field_name="need__public_id", label=_("need (public id)"))
    min_score = django_filters.NumberFilter(field_name="score", lookup_expr="gte", label=_("minimum score"))
    area = django_filters.CharFilter(method="filter_area", label=_("device area of the offer"))
    stage = django_filters.ChoiceFilter(field_name="offer__stage", choices=Stage.choices, label=_("stage"))
    approval = django_filters.ChoiceFilter(
        choices=Market.choices, method="filter_approval", label=_("approval granted in market")
    )
    region = django_filters.ChoiceFilter(choices=Region.choices, method="filter_region", label=_("target region"))
    deal_type = django_filters.ChoiceFilter(choices=DealType.choices, method="filter_deal_type", label=_("deal type"))
    shortlisted = django_filters.BooleanFilter(field_name="shortlisted", label=_("on my shortlist"))

    class Meta:
        model = Match
        fields = []

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
