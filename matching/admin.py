from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from matching import services
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


class ThroughServiceMixin:
    """Saves of the admin go through ``matching.services``, as the forms and the API do: the same
    validation, the same approvals rule, the embedding queued after the commit. The form and its
    inlines only validate their shape; nothing is written until the service runs (in ``save_related``,
    where the inline rows are known)."""

    create: staticmethod
    update: staticmethod
    entity: str  # the service's keyword for the instance being changed

    def save_model(self, request, obj, form, change):
        pass  # written in save_related, with the many-to-many fields and the inline rows

    def save_related(self, request, form, formsets, change):
        data = dict(form.cleaned_data)
        organization = data.pop("organization")
        extra = {name: data.pop(name) for name in ("areas", "concepts") if name in data}
        for formset in formsets:
            # Read by the admin's change message; the rows are written by the service, not the formset.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            if formset.model is RegulatoryApproval:
                extra["approvals"] = [
                    {key: row.cleaned_data[key] for key in ("market", "pathway", "status")}
                    for row in formset.forms
                    if row.cleaned_data and not row.cleaned_data.get("DELETE")
                ]
        # The form and the inline formset already ran the model's validation (constraints included),
        # so the service accepts what reaches it; should it not, the admin's transaction rolls back.
        if change:
            self.update(**{self.entity: form.instance}, organization=organization, **extra, **data)
        else:
            created = self.create(organization=organization, **extra, **data)
            form.instance.pk, form.instance._state.adding = created.pk, False


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
class TechnologyOfferAdmin(ThroughServiceMixin, admin.ModelAdmin):
    create, update, entity = staticmethod(services.offer_create), staticmethod(services.offer_update), "offer"
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
class PartneringNeedAdmin(ThroughServiceMixin, admin.ModelAdmin):
    create, update, entity = staticmethod(services.need_create), staticmethod(services.need_update), "need"
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
