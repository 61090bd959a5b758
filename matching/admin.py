from django.contrib import admin

from matching.models import Concept, DeviceArea, PartneringNeed, RegulatoryApproval, TechnologyOffer


@admin.register(DeviceArea)
class DeviceAreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ko", "name_en"]
    search_fields = ["code", "name_ko", "name_en"]


@admin.register(Concept)
class ConceptAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ko", "name_en", "area"]
    list_filter = ["area"]
    search_fields = ["code", "name_ko", "name_en", "synonyms_ko", "synonyms_en"]


class RegulatoryApprovalInline(admin.TabularInline):
    model = RegulatoryApproval
    extra = 0


@admin.register(TechnologyOffer)
class TechnologyOfferAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "stage", "language", "status", "updated_at"]
    list_filter = ["status", "stage", "language", "areas"]
    search_fields = ["title", "description", "organization__name_ko", "organization__name_en"]
    autocomplete_fields = ["organization", "areas", "concepts"]
    inlines = [RegulatoryApprovalInline]
    list_select_related = ["organization"]


@admin.register(PartneringNeed)
class PartneringNeedAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "stage_min", "stage_max", "is_confidential", "status", "updated_at"]
    list_filter = ["status", "is_confidential", "stage_min", "areas"]
    search_fields = ["title", "description", "organization__name_ko", "organization__name_en"]
    autocomplete_fields = ["organization", "areas", "concepts"]
    list_select_related = ["organization"]
