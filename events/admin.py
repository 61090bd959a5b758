from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from events import salon_service
from events.models import (
    Event,
    ImportJob,
    Meeting,
    MeetingRequest,
    Outcome,
    ProgramItem,
    Registration,
    RegistrationStatus,
    Slot,
    Table,
)


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
    actions = [
        "generate_slots",
        "generate_tables",
        "open_registration",
        "start_matching",
        "close_requests",
        "publish_agenda",
        "close_salon",
    ]

    def _each(self, request, queryset, step, done_message):
        for event in queryset:
            try:
                step(event)
            except ValidationError as error:
                self.message_user(request, f"{event}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"{event}: {done_message}", messages.SUCCESS)

    def _step(self, request, queryset, action, done_message):
        self._each(
            request,
            queryset,
            lambda event: salon_service.event_transition(event=event, action=action, actor=request.user),
            done_message,
        )

    @admin.action(description=_("Generate slots from the program"))
    def generate_slots(self, request, queryset):
        self._each(request, queryset, salon_service.slots_generate, _("slots generated"))

    @admin.action(description=_("Generate one table per possible simultaneous meeting"))
    def generate_tables(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda event: salon_service.tables_generate(event=event, count=salon_service.tables_needed(event)),
            _("tables generated"),
        )

    @admin.action(description=_("Open registration"))
    def open_registration(self, request, queryset):
        self._step(request, queryset, "open", _("registration open"))

    @admin.action(description=_("Close registration and start matching"))
    def start_matching(self, request, queryset):
        self._step(request, queryset, "start_matching", _("matching"))

    @admin.action(description=_("Close requests (scheduling)"))
    def close_requests(self, request, queryset):
        self._step(request, queryset, "close_requests", _("requests closed"))

    @admin.action(description=_("Publish the agenda and notify participants"))
    def publish_agenda(self, request, queryset):
        self._step(request, queryset, "publish", _("agenda published"))

    @admin.action(description=_("Close the salon"))
    def close_salon(self, request, queryset):
        self._step(request, queryset, "close", _("closed"))


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["organization", "event", "status", "max_meetings", "fixed_table"]
    list_filter = ["status", "event", "organization__kind"]
    search_fields = ["organization__name_ko", "organization__name_en", "event__title_ko", "event__title_en"]
    autocomplete_fields = ["organization", "representatives"]
    list_select_related = ["organization", "event", "fixed_table"]
    actions = ["approve", "reject"]

    @admin.action(description=_("Approve the selected registrations"))
    def approve(self, request, queryset):
        self._set(request, queryset, RegistrationStatus.APPROVED)

    @admin.action(description=_("Reject the selected registrations"))
    def reject(self, request, queryset):
        self._set(request, queryset, RegistrationStatus.REJECTED)

    def _set(self, request, queryset, status):
        changed = 0
        for registration in queryset.select_related("event"):
            try:
                salon_service.registration_set_status(registration=registration, status=status, user=request.user)
                changed += 1
            except ValidationError as error:
                self.message_user(request, f"{registration}: {' '.join(error.messages)}", messages.ERROR)
        self.message_user(request, _("%(count)d registrations updated.") % {"count": changed}, messages.SUCCESS)


@admin.register(MeetingRequest)
class MeetingRequestAdmin(admin.ModelAdmin):
    """Read-only: requests change state through ``events.meeting_requests`` (web pages and API), which check
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


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Spreadsheet imports run in the background, for the operators: read only (the organizers'
    page starts them; the uploaded file is never shown and is gone once the run ended)."""

    list_display = ["file_name", "organizer", "user", "status", "dry_run", "rows_done", "rows_total", "created_at"]
    list_filter = ["status", "dry_run"]
    search_fields = ["file_name", "organizer__name_ko", "organizer__name_en", "user__email"]
    exclude = ["data"]
    readonly_fields = [
        "organizer",
        "user",
        "file_name",
        "dry_run",
        "language",
        "status",
        "rows_done",
        "rows_total",
        "result",
        "error",
        "created_at",
        "started_at",
        "finished_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
