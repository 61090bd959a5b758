from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from matching.embeddings import get_backend
from matching.models import (
    Concept,
    DeviceArea,
    Embedding,
    PartneringNeed,
    RegulatoryApproval,
    Shortlist,
    TechnologyOffer,
)
from matching.tasks import enqueue_embedding


class EmbedOnSaveMixin:
    """Queue the embedding after an admin save, as the services do for forms and the API."""

    embedding_kind: str

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        enqueue_embedding(kind=self.embedding_kind, ids=[form.instance.pk])


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
class TechnologyOfferAdmin(EmbedOnSaveMixin, admin.ModelAdmin):
    embedding_kind = "offer"
    list_display = ["title", "organization", "stage", "language", "status", "updated_at"]
    list_filter = ["status", "stage", "language", "areas"]
    search_fields = ["title", "description", "organization__name_ko", "organization__name_en"]
    autocomplete_fields = ["organization", "areas", "concepts"]
    inlines = [RegulatoryApprovalInline]
    list_select_related = ["organization"]
    # The teaser is uploaded through the workspace or the API (validated by matching.services),
    # never here; its details are shown read-only.
    exclude = ["teaser"]
    readonly_fields = ["teaser_name", "teaser_size", "teaser_uploaded_at"]


@admin.register(PartneringNeed)
class PartneringNeedAdmin(EmbedOnSaveMixin, admin.ModelAdmin):
    embedding_kind = "need"
    list_display = ["title", "organization", "stage_min", "stage_max", "is_confidential", "status", "updated_at"]
    list_filter = ["status", "is_confidential", "stage_min", "areas"]
    search_fields = ["title", "description", "organization__name_ko", "organization__name_en"]
    autocomplete_fields = ["organization", "areas", "concepts"]
    list_select_related = ["organization"]


@admin.register(Embedding)
class EmbeddingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "backend", "model_name", "dimension", "updated_at"]
    list_filter = ["backend", "model_name"]
    search_fields = ["offer__title", "need__title", "text_hash"]
    readonly_fields = ["offer", "need", "backend", "model_name", "dimension", "text_hash", "created_at", "updated_at"]
    exclude = ["vector"]

    def has_add_permission(self, request):
        return False

    def changelist_view(self, request, extra_context=None):
        backend = get_backend()
        subtitle = _("Active backend: %(backend)s — model %(model)s (%(dimension)s dimensions)") % {
            "backend": backend.name,
            "model": backend.model_name,
            "dimension": backend.dimension,
        }
        return super().changelist_view(request, extra_context={**(extra_context or {}), "subtitle": subtitle})


@admin.register(Shortlist)
class ShortlistAdmin(admin.ModelAdmin):
    list_display = ["organization", "offer", "need", "note", "created_at"]
    list_filter = ["organization__kind"]
    search_fields = ["organization__name_ko", "organization__name_en", "offer__title", "need__title", "note"]
    list_select_related = ["organization", "offer", "need"]
    autocomplete_fields = ["organization", "offer", "need"]
