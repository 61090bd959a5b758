from django.contrib import admin

from events.models import Event, ProgramItem, Registration, Slot, Table


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
