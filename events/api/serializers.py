from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from events.models import Event
from matching.disclosure import anonymous_label
from matching.enums import DeclineReason
from matching.models import MeetingRequest, PartneringNeed, TechnologyOffer


class MeetingRequestSerializer(serializers.ModelSerializer):
    """A request as the caller may see it: a confidential need's team stays anonymous to the
    startup until it engages; contact details come with an accepted meeting (organizations API)."""

    offer_title = serializers.CharField(source="offer.title", read_only=True)
    need_title = serializers.SerializerMethodField()
    startup_name = serializers.CharField(source="startup.name", read_only=True)
    corporate = serializers.SerializerMethodField()
    corporate_name = serializers.SerializerMethodField()
    requester = serializers.SerializerMethodField()
    recipient = serializers.SerializerMethodField()

    class Meta:
        model = MeetingRequest
        fields = [
            "id",
            "event",
            "offer",
            "offer_title",
            "need",
            "need_title",
            "startup",
            "startup_name",
            "corporate",
            "corporate_name",
            "requester",
            "recipient",
            "origin",
            "status",
            "score",
            "message",
            "decline_reason",
            "decline_note",
            "expires_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _identity(self, request) -> bool:
        return request.need is None or self.context["disclosure"].need_identity(request.need)

    def _hide(self, request, organization_id):
        if organization_id == request.corporate_id and not self._identity(request):
            return None
        return organization_id

    def get_need_title(self, request) -> str | None:
        if request.need is None:
            return None
        return request.need.title if self._identity(request) else anonymous_label(request.need)

    def get_corporate(self, request) -> int | None:
        return self._hide(request, request.corporate_id)

    def get_corporate_name(self, request) -> str:
        return request.corporate.name if self._identity(request) else anonymous_label(request.need)

    def get_requester(self, request) -> int | None:
        return self._hide(request, request.requester_id)

    def get_recipient(self, request) -> int | None:
        return self._hide(request, request.recipient_id)


class MeetingRequestCreateSerializer(serializers.Serializer):
    event = serializers.PrimaryKeyRelatedField(queryset=Event.objects.all(), label=_("salon"))
    offer = serializers.PrimaryKeyRelatedField(queryset=TechnologyOffer.objects.all(), label=_("offer"))
    need = serializers.PrimaryKeyRelatedField(
        queryset=PartneringNeed.objects.all(), required=False, allow_null=True, label=_("need")
    )
    corporate = serializers.IntegerField(required=False, allow_null=True, label=_("BD team"))
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000, label=_("message"))
    confirm_misfit = serializers.BooleanField(
        required=False,
        default=False,
        label=_("send despite the fit warnings"),
        help_text=_("Startups: the request is refused with the warnings until this is true."),
    )


class DeclineSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=DeclineReason.choices, label=_("decline reason"))
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000, label=_("note"))
