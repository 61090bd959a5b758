"""Thin serializers: validation of the shape here, rules in the models and services, visibility in
``matching.selectors`` and ``matching.disclosure``."""

from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Organization, OrganizationKind
from accounts.selectors import affiliation
from matching.documents import validate_teaser
from matching.enums import OfferStatus
from matching.models import Concept, DeviceArea, Match, PartneringNeed, RegulatoryApproval, TechnologyOffer
from matching.services import need_create, need_update, offer_create, offer_update


class OrganizationSerializer(serializers.ModelSerializer):
    """Public profile; contact details only where ``matching.disclosure`` allows."""

    contact_email = serializers.SerializerMethodField()
    contact_phone = serializers.SerializerMethodField()
    verified = serializers.BooleanField(
        source="is_verified", read_only=True, help_text=_("Platform staff verified this organization.")
    )

    class Meta:
        model = Organization
        fields = [
            "id",
            "kind",
            "name_ko",
            "name_en",
            "slug",
            "country",
            "website",
            "description",
            "cluster",
            "verified",
            "contact_email",
            "contact_phone",
        ]

    def get_contact_email(self, organization) -> str | None:
        return organization.contact_email if self.context["disclosure"].contacts(organization.pk) else None

    def get_contact_phone(self, organization) -> str | None:
        return organization.contact_phone if self.context["disclosure"].contacts(organization.pk) else None


class ApprovalSerializer(serializers.ModelSerializer):
    class Meta:
        model = RegulatoryApproval
        fields = ["market", "pathway", "status"]


class ProfileSerializer(serializers.ModelSerializer):
    """Shared by offers and needs: codes for areas and concepts, writes through the services."""

    areas = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=DeviceArea.objects.all(), required=False
    )
    concepts = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Concept.objects.all(), required=False
    )
    id = serializers.UUIDField(source="public_id", read_only=True, help_text=_("The public id (a UUID)."))
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    organization_kind = OrganizationKind.STARTUP

    def validate_organization(self, organization):
        mine = affiliation(self.context["request"].user)
        if organization.pk not in mine.organizations:
            raise serializers.ValidationError(_("You can only add profiles for your own organization."))
        if organization.kind != self.organization_kind:
            raise serializers.ValidationError(_("This organization cannot own this kind of profile."))
        return organization

    def _save(self, function, **data):
        try:
            return function(**data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(serializers.as_serializer_error(error)) from error

    def update(self, instance, validated_data):
        validated_data.pop("organization", None)  # profiles never change hands
        return self._save(self.update_function, **{self.entity: instance}, **validated_data)

    def create(self, validated_data):
        return self._save(self.create_function, **validated_data)


@extend_schema_field(OpenApiTypes.BINARY)
class TeaserUploadField(serializers.FileField):
    """A file part of a multipart request (the schema's ``format: binary``)."""


class OfferSerializer(ProfileSerializer):
    """An offer; its teaser PDF is uploaded as the multipart part ``teaser`` and downloaded from
    ``teaser_url``, which (like the other ``teaser_*`` fields) is null unless the caller may
    download it (``matching.disclosure``)."""

    approvals = ApprovalSerializer(many=True, read_only=True)
    teaser = TeaserUploadField(
        write_only=True,
        required=False,
        allow_empty_file=True,  # validate_teaser refuses it, with its own message
        validators=[validate_teaser],
        help_text=_("The teaser as a PDF file (multipart/form-data)."),
    )
    remove_teaser = serializers.BooleanField(
        write_only=True, required=False, help_text=_("Take the current teaser off (ignored with a new teaser).")
    )
    teaser_url = serializers.SerializerMethodField()
    teaser_name = serializers.SerializerMethodField()
    teaser_size = serializers.SerializerMethodField()
    teaser_uploaded_at = serializers.SerializerMethodField()
    organization_kind = OrganizationKind.STARTUP
    create_function = staticmethod(offer_create)
    update_function = staticmethod(offer_update)
    entity = "offer"  # the update service's keyword for the instance

    def validate_status(self, status: str) -> str:
        current = self.instance.status if self.instance is not None else None
        if status != current and status not in OfferStatus.set_by_owner():
            raise serializers.ValidationError(_("Only a reviewer can approve an offer: submit it for review."))
        return status

    def _teaser_shown(self, offer) -> bool:
        return bool(offer.teaser) and self.context["disclosure"].teaser(offer)

    def get_teaser_url(self, offer) -> str | None:
        if not self._teaser_shown(offer):
            return None
        url = reverse("api:offer-teaser", args=[offer.public_id])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    def get_teaser_name(self, offer) -> str | None:
        return offer.teaser_name if self._teaser_shown(offer) else None

    def get_teaser_size(self, offer) -> int | None:
        return offer.teaser_size if self._teaser_shown(offer) else None

    def get_teaser_uploaded_at(self, offer) -> datetime | None:
        if not self._teaser_shown(offer):
            return None
        return serializers.DateTimeField().to_representation(offer.teaser_uploaded_at)

    def create(self, validated_data):
        validated_data.pop("remove_teaser", None)  # nothing to remove yet
        return super().create(validated_data)

    class Meta:
        model = TechnologyOffer
        fields = [
            "id",
            "organization",
            "organization_name",
            "title",
            "description",
            "second_title",
            "second_summary",
            "language",
            "areas",
            "concepts",
            "stage",
            "approvals",
            "deal_types",
            "target_regions",
            "status",
            "teaser",
            "remove_teaser",
            "teaser_url",
            "teaser_name",
            "teaser_size",
            "teaser_uploaded_at",
            "review_comment",
            "reviewed_at",
            "created_at",
            "updated_at",
        ]
        # The reviewer's comment reaches the startup with its returned draft (drafts are only its own
        # and its salons' organizers'); it is cleared on approval.
        read_only_fields = ["language", "review_comment", "reviewed_at", "created_at", "updated_at"]


class ReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(
        label=_("comment"), max_length=2000, help_text=_("What the startup should change (required).")
    )


class NeedSerializer(ProfileSerializer):
    organization_kind = OrganizationKind.CORPORATE
    create_function = staticmethod(need_create)
    update_function = staticmethod(need_update)
    entity = "need"

    class Meta:
        model = PartneringNeed
        fields = [
            "id",
            "organization",
            "organization_name",
            "title",
            "description",
            "second_title",
            "second_summary",
            "language",
            "areas",
            "concepts",
            "stage_min",
            "stage_max",
            "deal_types",
            "regions",
            "is_confidential",
            "status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["language", "created_at", "updated_at"]


class MatchedOfferSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True, help_text=_("The offer's public id (a UUID)."))
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = TechnologyOffer
        fields = ["id", "title", "organization", "organization_name", "stage", "deal_types", "target_regions"]


class MatchedNeedSerializer(serializers.Serializer):
    """A need as the viewer may see it: a confidential need without its company and text until
    that team engages (``matching.disclosure``)."""

    id = serializers.UUIDField(help_text=_("The need's public id (a UUID)."))
    is_confidential = serializers.BooleanField()
    title = serializers.CharField()
    organization = serializers.IntegerField(allow_null=True)
    organization_name = serializers.CharField()
    areas = serializers.ListField(child=serializers.CharField())
    stage_min = serializers.CharField()
    stage_max = serializers.CharField()

    def to_representation(self, need):
        names = self.context["disclosure"].need_names(need)
        return {
            "id": str(need.public_id),
            "is_confidential": need.is_confidential,
            "title": names.title,
            "organization": need.organization_id if names.identified else None,
            "organization_name": names.organization,
            "areas": [area.code for area in need.areas.all()],
            "stage_min": need.stage_min,
            "stage_max": need.stage_max,
        }


class MatchSerializer(serializers.ModelSerializer):
    offer = MatchedOfferSerializer(read_only=True)
    need = MatchedNeedSerializer(read_only=True)
    explanation = serializers.SerializerMethodField()
    shortlisted = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = Match
        fields = [
            "id",
            "score",
            "components",
            "explanation",
            "offer",
            "need",
            "shortlisted",
            "model_name",
            "computed_at",
        ]

    def get_explanation(self, match) -> dict:
        """``{"ko": {"fits": [...], "misfits": [...]}, "en": {...}}``"""
        return match.explanation


class ShortlistSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, label=_("note"))
