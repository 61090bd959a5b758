from django.contrib import admin

from events.models import Event, Meeting, Outcome, ProgramItem, Registration, Slot, Table
from matching.models import MeetingRequest


class ProgramItemInline(admin.TabularInline):
    model = ProgramItem
    extra = 0


class SlotInline(admin.TabularInline):
    model = Slot
    extra = 0


class TableInline(admin.TabularInline):
    model = Table
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title_ko", "title_en", "city", "date", "status"]
    list_filter = ["status", "city", "date"]
    search_fields = ["title_ko", "title_en", "venue", "slug"]
    autocomplete_fields = ["organizer", "theme_areas"]
    prepopulated_fields = {"slug": ["title_en"]}
    inlines = [ProgramItemInline, SlotInline, TableInline]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["organization", "event", "status", "max_meetings", "fixed_table"]
    list_filter = ["status", "event", "organization__kind"]
    search_fields = ["organization__name_ko", "organization__name_en", "event__title_ko", "event__title_en"]
    autocomplete_fields = ["organization", "representatives"]
    list_select_related = ["organization", "event", "fixed_table"]


@admin.register(MeetingRequest)
class MeetingRequestAdmin(admin.ModelAdmin):
    """Read-only: requests change state through ``events.requests`` (web pages and API), which check
    quotas, send the e-mails and teach the ranking."""

    list_display = ["__str__", "event", "origin", "status", "score", "expires_at", "updated_at"]
    list_filter = ["status", "origin", "event", "decline_reason"]
    search_fields = ["startup__name_ko", "startup__name_en", "corporate__name_ko", "corporate__name_en", "offer__title"]
    list_select_related = ["event", "startup", "corporate"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    """Read-only: meetings are placed by ``events.schedule_service`` (the ``schedule`` command, the
    API's move/lock actions), which keep the calendar sequence and the constraints."""

    list_display = ["__str__", "event", "slot", "table", "status", "locked", "score", "sequence"]
    list_filter = ["status", "locked", "event", "unplaced_reason"]
    search_fields = ["startup__name_ko", "startup__name_en", "corporate__name_ko", "corporate__name_en"]
    list_select_related = ["event", "slot", "table", "startup", "corporate"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    list_display = ["meeting", "organization", "took_place", "next_step", "featured", "updated_at"]
    list_filter = ["next_step", "took_place", "featured", "meeting__event"]
    search_fields = ["organization__name_ko", "organization__name_en", "note"]
    list_select_related = ["meeting__startup", "meeting__corporate", "meeting__slot", "organization"]
    autocomplete_fields = ["organization"]
    raw_id_fields = ["meeting", "recorded_by"]
