"""Forms of the offer and need pages. They only validate: every write goes through ``matching.services``."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from core.forms import add_service_error
from matching.documents import validate_teaser
from matching.enums import ApprovalStatus, DealType, Market, OfferStatus, Pathway, Region, Stage
from matching.models import Concept, DeviceArea, PartneringNeed, TechnologyOffer

# A description shorter than this leaves the matching little to work with.
COMPLETE_DESCRIPTION_CHARS = 200


class ConceptChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class AreaChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def _checkboxes(choices, label):
    return forms.MultipleChoiceField(choices=choices, label=label, widget=forms.CheckboxSelectMultiple)


class ProfileForm(forms.ModelForm):
    """Shared by offers and needs; ``organization`` is set on the instance by the view."""

    areas = AreaChoiceField(
        queryset=DeviceArea.objects.order_by("code"),
        to_field_name="code",
        required=False,
        label=_("device areas"),
        widget=forms.CheckboxSelectMultiple,
    )
    concepts = ConceptChoiceField(
        queryset=Concept.objects.order_by("area__code", "code"),
        to_field_name="code",
        required=False,
        label=_("concepts"),
        widget=forms.CheckboxSelectMultiple,
    )
    deal_types = _checkboxes(DealType.choices, _("deal types"))

    STEPS: tuple = ()

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        model = self._meta.model
        others = model.objects.filter(organization_id=self.instance.organization_id, title=title)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError(_("Your organization already has a profile with this title."), code="unique")
        return title

    def teaser_fields(self):
        """The fields of the teaser step (offers only)."""
        return []

    def steps(self):
        """The fields of each step, in order: (legend, [bound fields])."""
        return [(legend, [self[name] for name in names if name in self.fields]) for legend, names in self.STEPS]

    def checklist(self) -> list[tuple[str, str, bool]]:
        """What a complete profile needs: (key, label, done) from the submitted or stored values."""
        if self.is_bound:
            data = {
                "second": self.data.get("second_title", "").strip() and self.data.get("second_summary", "").strip(),
                "description": self.data.get("description", ""),
                "areas": self.data.getlist("areas"),
                "concepts": self.data.getlist("concepts"),
                "stage": self.data.get(self.STAGE_FIELD, ""),
                "deal_types": self.data.getlist("deal_types"),
                "regions": self.data.getlist(self.REGION_FIELD),
            }
        else:
            data = {
                "second": (self.initial.get("second_title") or "").strip()
                and (self.initial.get("second_summary") or "").strip(),
                "description": self.initial.get("description") or "",
                "areas": self.initial.get("areas") or [],
                "concepts": self.initial.get("concepts") or [],
                "stage": self.initial.get(self.STAGE_FIELD) or "",
                "deal_types": self.initial.get("deal_types") or [],
                "regions": self.initial.get(self.REGION_FIELD) or [],
            }
        return [
            (
                "description",
                _("A description of at least %(count)d characters") % {"count": COMPLETE_DESCRIPTION_CHARS},
                len(data["description"].strip()) >= COMPLETE_DESCRIPTION_CHARS,
            ),
            ("areas", _("At least one device area"), bool(data["areas"])),
            ("concepts", _("At least one concept"), bool(data["concepts"])),
            ("stage", _("A development stage"), bool(data["stage"])),
            ("deal_types", _("At least one deal type"), bool(data["deal_types"])),
            ("regions", _("At least one region"), bool(data["regions"])),
            ("second", _("A title and summary in the other language"), bool(data["second"])),
        ]

    def service_fields(self) -> dict:
        """Keyword arguments for the create/update service."""
        data = {name: self.cleaned_data[name] for name in self._meta.fields if name not in ("areas", "concepts")}
        return {**data, "areas": list(self.cleaned_data["areas"]), "concepts": list(self.cleaned_data["concepts"])}

    def add_service_error(self, error: ValidationError) -> None:
        add_service_error(self, error)


class ApprovalForm(forms.Form):
    """One regulatory approval row; an empty row is ignored."""

    market = forms.ChoiceField(label=_("market"), choices=[("", "—"), *Market.choices], required=False)
    pathway = forms.ChoiceField(label=_("pathway"), choices=[("", "—"), *Pathway.choices], required=False)
    status = forms.ChoiceField(label=_("status"), choices=[("", "—"), *ApprovalStatus.choices], required=False)

    def clean(self):
        values = super().clean()
        filled = [name for name in ("market", "pathway", "status") if values.get(name)]
        if filled and len(filled) < 3:
            raise ValidationError(_("Fill in the market, the pathway and the status, or leave the row empty."))
        return values

    def approval(self) -> dict | None:
        values = self.cleaned_data
        return {name: values[name] for name in ("market", "pathway", "status")} if values.get("market") else None


ApprovalFormSet = forms.formset_factory(ApprovalForm, extra=0, max_num=8, validate_max=True)
APPROVAL_ROWS = 3  # rows shown beyond the offer's approvals


class OfferForm(ProfileForm):
    target_regions = _checkboxes(Region.choices, _("target regions"))
    submit_for_review = forms.BooleanField(
        required=False,
        label=_("Submit for review"),
        help_text=_("The organizer reviews the profile before it is shown to BD teams."),
    )
    # Not a model field of the form: the service stores the file under a generated name.
    teaser = forms.FileField(
        label=_("teaser (PDF)"),
        required=False,
        allow_empty_file=True,  # validate_teaser refuses it, with its own message
        validators=[validate_teaser],
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    remove_teaser = forms.BooleanField(required=False, label=_("Remove the current teaser"))
    STAGE_FIELD, REGION_FIELD = "stage", "target_regions"

    STEPS = (
        (_("1. Description"), ("title", "description", "second_title", "second_summary")),
        (_("2. Classification"), ("areas", "concepts", "stage")),
        (_("3. Deal types and regions"), ("deal_types", "target_regions", "submit_for_review")),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.status != OfferStatus.DRAFT:
            del self.fields["submit_for_review"]
        self.fields["teaser"].help_text = _(
            "A PDF of at most %(limit)s. Only your organization, the organizers of the salons you applied "
            "to and the BD teams matched with this offer or in a meeting request about it can download it."
        ) % {"limit": filesizeformat(settings.TEASER_MAX_BYTES)}
        if not self.instance.teaser:
            del self.fields["remove_teaser"]
        current = (
            [{"market": a.market, "pathway": a.pathway, "status": a.status} for a in self.instance.approvals.all()]
            if self.instance.pk
            else []
        )
        empty = {"market": "", "pathway": "", "status": ""}
        # A post without the approval rows (older clients) leaves the approvals as they are.
        self.approvals_submitted = "approvals-TOTAL_FORMS" in self.data
        if self.approvals_submitted:  # every row as posted (compared with blank, not the old values)
            self.approvals = ApprovalFormSet(self.data, prefix="approvals")
        else:
            self.approvals = ApprovalFormSet(prefix="approvals", initial=current + [empty] * APPROVAL_ROWS)

    def is_valid(self) -> bool:
        valid = super().is_valid()
        return (not self.approvals_submitted or self.approvals.is_valid()) and valid

    def add_service_error(self, error: ValidationError) -> None:
        """The service's approval errors are shown with the approval rows."""
        if hasattr(error, "error_dict") and "approvals" in error.error_dict:
            self.approval_errors = [message for item in error.error_dict.pop("approvals") for message in item]
            if not error.error_dict:
                return
        super().add_service_error(error)

    class Meta:
        model = TechnologyOffer
        fields = (
            "title",
            "description",
            "second_title",
            "second_summary",
            "areas",
            "concepts",
            "stage",
            "deal_types",
            "target_regions",
        )
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8, "data-suggest-concepts": "true"}),
            "second_summary": forms.Textarea(attrs={"rows": 3}),
        }

    def service_fields(self) -> dict:
        fields = super().service_fields()
        if self.cleaned_data.get("submit_for_review") and self.instance.status == OfferStatus.DRAFT:
            fields["status"] = OfferStatus.SUBMITTED
        if self.approvals_submitted:
            fields["approvals"] = [row for form in self.approvals.forms if (row := form.approval()) is not None]
        if self.cleaned_data.get("teaser"):
            fields["teaser"] = self.cleaned_data["teaser"]
        if self.cleaned_data.get("remove_teaser"):
            fields["remove_teaser"] = True
        return fields

    def teaser_fields(self):
        return [self[name] for name in ("teaser", "remove_teaser") if name in self.fields]


class NeedForm(ProfileForm):
    regions = _checkboxes(Region.choices, _("regions"))
    STAGE_FIELD, REGION_FIELD = "stage_min", "regions"
    STEPS = (
        (_("1. Description"), ("title", "description", "second_title", "second_summary", "is_confidential")),
        (_("2. Classification"), ("areas", "concepts", "stage_min", "stage_max")),
        (_("3. Deal types and regions"), ("deal_types", "regions", "status")),
    )

    class Meta:
        model = PartneringNeed
        fields = (
            "title",
            "description",
            "second_title",
            "second_summary",
            "is_confidential",
            "areas",
            "concepts",
            "stage_min",
            "stage_max",
            "deal_types",
            "regions",
            "status",
        )
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8, "data-suggest-concepts": "true"}),
            "second_summary": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("stage_min"), cleaned.get("stage_max")
        if low and high and Stage.rank(low) > Stage.rank(high):
            self.add_error("stage_max", _("The earliest stage must not come after the latest stage."))
        return cleaned
