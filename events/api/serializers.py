from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Language
from events.models import Event, Meeting, MeetingRequest, Outcome, ProgramItem, Registration, Slot, Table
from matching.api.fields import PublicIdRelatedField
from matching.enums import DeclineReason
from matching.models import PartneringNeed, TechnologyOffer


class MeetingRequestSerializer(serializers.ModelSerializer):
    """A request as the caller may see it: a confidential need's team stays anonymous to the
    startup until it engages; contact details come with an accepted meeting (organizations API).
    The offer and the need are named by their public ids."""

    offer = PublicIdRelatedField(read_only=True, help_text=_("The offer's public id (a UUID)."))
    need = PublicIdRelatedField(read_only=True, allow_null=True, help_text=_("The need's public id (a UUID)."))
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
        return self.context["disclosure"].need_names(request.need).title

    def get_corporate(self, request) -> int | None:
        return self._hide(request, request.corporate_id)

    def get_corporate_name(self, request) -> str:
        if request.need is None:
            return request.corporate.name
        return self.context["disclosure"].need_names(request.need).organization

    def get_requester(self, request) -> int | None:
        return self._hide(request, request.requester_id)

    def get_recipient(self, request) -> int | None:
        return self._hide(request, request.recipient_id)


class MeetingRequestCreateSerializer(serializers.Serializer):
    event = serializers.PrimaryKeyRelatedField(queryset=Event.objects.all(), label=_("salon"))
    offer = PublicIdRelatedField(
        queryset=TechnologyOffer.objects.all(), label=_("offer"), help_text=_("The offer's public id (a UUID).")
    )
    need = PublicIdRelatedField(
        queryset=PartneringNeed.objects.all(),
        required=False,
        allow_null=True,
        label=_("need"),
        help_text=_("The need's public id (a UUID)."),
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


class SlotSerializer(serializers.ModelSerializer):
    class Meta:
        model = Slot
        fields = ["id", "index", "starts_at", "ends_at"]


class TableSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = Table
        fields = ["id", "number", "label", "name"]


class ProgramItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgramItem
        fields = ["id", "kind", "title_ko", "title_en", "speaker", "starts_at", "ends_at"]


class EventSerializer(serializers.ModelSerializer):
    slots = SlotSerializer(many=True, read_only=True)
    tables = TableSerializer(many=True, read_only=True)
    program = ProgramItemSerializer(many=True, read_only=True)
    theme_areas = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "slug",
            "title_ko",
            "title_en",
            "city",
            "venue",
            "date",
            "timezone",
            "theme_areas",
            "description",
            "registration_opens_at",
            "registration_closes_at",
            "slot_minutes",
            "changeover_minutes",
            "meeting_quota",
            "status",
            "program",
            "slots",
            "tables",
        ]
        read_only_fields = fields


class RegistrationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Registration
        fields = ["id", "event", "organization", "max_meetings", "unavailable_slots", "languages", "status"]
        read_only_fields = ["id", "event", "status"]


class RegistrationInputSerializer(serializers.Serializer):
    organization = serializers.IntegerField(label=_("organization"))
    max_meetings = serializers.IntegerField(min_value=1, max_value=50, default=6, label=_("maximum meetings"))
    unavailable_slots = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, label=_("unavailable slots")
    )
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=Language.choices),
        required=False,
        default=list,
        label=_("languages spoken"),
    )


class MeetingSerializer(serializers.ModelSerializer):
    slot = SlotSerializer(read_only=True)
    table = TableSerializer(read_only=True)
    startup_name = serializers.CharField(source="startup.name", read_only=True)
    corporate_name = serializers.CharField(source="corporate.name", read_only=True)
    offer_title = serializers.CharField(source="request.offer.title", read_only=True)
    met_before = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "event",
            "request",
            "startup",
            "startup_name",
            "corporate",
            "corporate_name",
            "offer_title",
            "slot",
            "table",
            "status",
            "unplaced_reason",
            "locked",
            "score",
            "sequence",
            "met_before",
            "updated_at",
        ]
        read_only_fields = fields

    def get_met_before(self, meeting) -> bool:
        """The two sides held a meeting at an earlier salon."""
        return (meeting.startup_id, meeting.corporate_id) in self.context.get("met_before", {}).get(
            meeting.event_id, set()
        )


class MoveSerializer(serializers.Serializer):
    slot = serializers.IntegerField(label=_("slot"))
    table = serializers.IntegerField(label=_("table"))


class LockSerializer(serializers.Serializer):
    locked = serializers.BooleanField(label=_("locked"))


class OutcomeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Outcome
        fields = ["id", "meeting", "organization", "took_place", "next_step", "note", "featured", "updated_at"]
        read_only_fields = ["id", "organization", "updated_at"]


class FunnelSerializer(serializers.Serializer):
    event = serializers.SlugField()
    title = serializers.CharField()
    date = serializers.DateField()
    steps = serializers.DictField(child=serializers.IntegerField())
    no_shows = serializers.IntegerField()
