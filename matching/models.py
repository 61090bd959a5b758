import uuid

from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Language, Organization, OrganizationKind, User
from core.validators import validate_single_line, validate_text
from matching.documents import DISPLAY_NAME_MAX_CHARS, teaser_path
from matching.enums import (
    CHOOSE_AT_LEAST_ONE,
    ApprovalStatus,
    ChoiceListValidator,
    DealType,
    Market,
    NeedStatus,
    OfferStatus,
    Pathway,
    Region,
    Stage,
    market_pathway_condition,
    stage_range_condition,
)


class BilingualName(models.Model):
    name_ko = models.CharField(_("name (Korean)"), max_length=120, validators=[validate_single_line])
    name_en = models.CharField(_("name (English)"), max_length=120, validators=[validate_single_line])

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.name_ko} / {self.name_en}"

    @property
    def name(self) -> str:
        return self.name_en if translation.get_language() == "en" else self.name_ko


class DeviceArea(BilingualName):
    """A top-level device area of the bilingual taxonomy (seeds/data/taxonomy.json)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("device area")
        verbose_name_plural = _("device areas")
        ordering = ["code"]


class Concept(BilingualName):
    """A taxonomy concept; Korean and English synonyms map to the same code."""

    code = models.CharField(_("code"), max_length=80, unique=True)
    area = models.ForeignKey(DeviceArea, on_delete=models.PROTECT, related_name="concepts", verbose_name=_("area"))
    synonyms_ko = models.JSONField(_("Korean synonyms"), default=list, blank=True)
    synonyms_en = models.JSONField(_("English synonyms"), default=list, blank=True)

    class Meta:
        verbose_name = _("concept")
        verbose_name_plural = _("concepts")
        ordering = ["code"]


def detect_language(text: str) -> str:
    """``ko`` when a meaningful share of the letters is Hangul, else ``en``."""
    hangul = sum(1 for ch in text if "\uac00" <= ch <= "\ud7a3")
    letters = sum(1 for ch in text if ch.isalpha())
    # Korean descriptions carry many Latin abbreviations (CT, FDA, AI); a fifth of Hangul is Korean.
    return Language.KOREAN if letters and hangul / letters >= 0.2 else Language.ENGLISH


class Profile(models.Model):
    """What an offer and a need share: a text in any language (its language detected on save), which
    is embedded and matched, its timestamps, and the public id that names it in URLs and the API
    (random, so that neighbouring ids tell nothing: the integer key stays internal)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("public ID"))
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
    description = models.TextField(
        _("description"), max_length=10_000, validators=[MaxLengthValidator(10_000), validate_text]
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, editable=False)
    # Optional: the title and a short summary in the other language (English for a Korean profile,
    # Korean for an English one), shown to readers of that language instead of the original title.
    second_title = models.CharField(
        _("title in the other language"),
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text=_("English if you write in Korean, Korean if you write in English: readers of that language see it."),
    )
    second_summary = models.TextField(
        _("summary in the other language"),
        max_length=1000,
        blank=True,
        validators=[MaxLengthValidator(1000), validate_text],
        help_text=_("Two or three sentences in the same other language."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.language = detect_language(f"{self.title} {self.description}")
        super().save(*args, **kwargs)

    @property
    def in_reader_language(self) -> bool:
        """Is the profile written in the active language (or has it nothing in the other one)?"""
        reader = (translation.get_language() or "ko")[:2]
        return reader == self.language or not self.second_title

    @property
    def display_title(self) -> str:
        """The title in the reader's language where the profile gives one."""
        return self.title if self.in_reader_language else self.second_title


class TechnologyOffer(Profile):
    """A startup's technology or product, described in any language."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="offers",
        verbose_name=_("organization"),
        limit_choices_to={"kind": OrganizationKind.STARTUP},
        error_messages={"invalid": _("Choose a startup: technology offers belong to startups.")},
    )
    areas = models.ManyToManyField(DeviceArea, related_name="offers", verbose_name=_("device areas"), blank=True)
    concepts = models.ManyToManyField(Concept, related_name="offers", verbose_name=_("concepts"), blank=True)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    deal_types = models.JSONField(
        _("deal types sought"),
        default=list,
        validators=[ChoiceListValidator(DealType)],
        error_messages=CHOOSE_AT_LEAST_ONE,
    )
    target_regions = models.JSONField(
        _("target regions"), default=list, validators=[ChoiceListValidator(Region)], error_messages=CHOOSE_AT_LEAST_ONE
    )
    status = models.CharField(_("status"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.DRAFT)
    # An optional teaser PDF, private: see matching.documents (upload) and matching.disclosure (who
    # may download it). Set and removed only through matching.services.
    teaser = models.FileField(_("teaser (PDF)"), upload_to=teaser_path, blank=True)
    teaser_name = models.CharField(
        _("teaser file name"), max_length=DISPLAY_NAME_MAX_CHARS, blank=True, help_text=_("as uploaded, for display")
    )
    teaser_size = models.PositiveBigIntegerField(_("teaser size (bytes)"), null=True, blank=True)
    teaser_uploaded_at = models.DateTimeField(_("teaser uploaded at"), null=True, blank=True)
    # The last review (matching.review): who approved or returned the offer, when, and why it was
    # returned — shown to the startup until it submits again.
    review_comment = models.TextField(
        _("reviewer's comment"), blank=True, max_length=2000, validators=[MaxLengthValidator(2000), validate_text]
    )
    reviewed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("reviewed by")
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("technology offer")
        verbose_name_plural = _("technology offers")
        ordering = ["-updated_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="offer_stage_valid"),
            models.CheckConstraint(condition=Q(status__in=OfferStatus.values), name="offer_status_valid"),
            models.CheckConstraint(condition=~Q(title=""), name="offer_title_not_empty"),
            models.UniqueConstraint(fields=["organization", "title"], name="offer_unique_title_per_organization"),
            models.CheckConstraint(
                condition=Q(teaser="", teaser_name="", teaser_size__isnull=True, teaser_uploaded_at__isnull=True)
                | (~Q(teaser="") & Q(teaser_size__gte=1, teaser_uploaded_at__isnull=False)),
                name="offer_teaser_metadata_complete",
            ),
        ]
        indexes = [models.Index(fields=["status", "stage"])]


class RegulatoryApproval(models.Model):
    offer = models.ForeignKey(
        TechnologyOffer, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("offer")
    )
    market = models.CharField(_("market"), max_length=2, choices=Market.choices)
    pathway = models.CharField(_("pathway"), max_length=16, choices=Pathway.choices)
    status = models.CharField(_("status"), max_length=10, choices=ApprovalStatus.choices)

    class Meta:
        verbose_name = _("regulatory approval")
        verbose_name_plural = _("regulatory approvals")
        ordering = ["market", "pathway"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "market", "pathway"], name="approval_unique_per_offer"),
            models.CheckConstraint(
                condition=market_pathway_condition("market", "pathway"),
                name="approval_pathway_matches_market",
                violation_error_message=_("This pathway does not belong to the chosen market."),
            ),
            models.CheckConstraint(condition=Q(status__in=ApprovalStatus.values), name="approval_status_valid"),
        ]

    def __str__(self):
        return f"{self.get_pathway_display()} ({self.get_status_display()})"


class PartneringNeed(Profile):
    """What a corporate BD team's pipeline is looking for."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="needs",
        verbose_name=_("organization"),
        limit_choices_to={"kind": OrganizationKind.CORPORATE},
        error_messages={"invalid": _("Choose a corporate BD team: partnering needs belong to them.")},
    )
    areas = models.ManyToManyField(DeviceArea, related_name="needs", verbose_name=_("device areas"), blank=True)
    concepts = models.ManyToManyField(Concept, related_name="needs", verbose_name=_("concepts"), blank=True)
    stage_min = models.CharField(_("earliest stage"), max_length=16, choices=Stage.choices)
    stage_max = models.CharField(_("latest stage"), max_length=16, choices=Stage.choices)
    deal_types = models.JSONField(
        _("deal types offered"),
        default=list,
        validators=[ChoiceListValidator(DealType)],
        error_messages=CHOOSE_AT_LEAST_ONE,
    )
    regions = models.JSONField(
        _("regions"), default=list, validators=[ChoiceListValidator(Region)], error_messages=CHOOSE_AT_LEAST_ONE
    )
    is_confidential = models.BooleanField(
        _("confidential"),
        default=False,
        help_text=_("Startups see the area and the fit, not the company name or the text, until you engage."),
    )
    status = models.CharField(_("status"), max_length=8, choices=NeedStatus.choices, default=NeedStatus.OPEN)

    class Meta:
        verbose_name = _("partnering need")
        verbose_name_plural = _("partnering needs")
        ordering = ["-updated_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=stage_range_condition("stage_min", "stage_max"),
                name="need_stage_range_ordered",
                violation_error_message=_("The earliest stage must not come after the latest stage."),
            ),
            models.CheckConstraint(condition=Q(status__in=NeedStatus.values), name="need_status_valid"),
            models.CheckConstraint(condition=~Q(title=""), name="need_title_not_empty"),
            models.UniqueConstraint(fields=["organization", "title"], name="need_unique_title_per_organization"),
        ]
        indexes = [models.Index(fields=["status"])]


class Embedding(models.Model):
    """The vector of one offer or need under one backend/model; re-computed only when its text changes."""

    offer = models.ForeignKey(
        TechnologyOffer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="embeddings",
        verbose_name=_("offer"),
    )
    need = models.ForeignKey(
        PartneringNeed,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="embeddings",
        verbose_name=_("need"),
    )
    backend = models.CharField(_("backend"), max_length=32)
    model_name = models.CharField(_("model"), max_length=200)
    dimension = models.PositiveIntegerField(_("dimension"))
    vector = models.BinaryField(_("vector"), help_text=_("float32, little-endian, L2-normalised"))
    text_hash = models.CharField(_("text hash"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("embedding")
        verbose_name_plural = _("embeddings")
        constraints = [
            models.CheckConstraint(
                condition=Q(offer__isnull=False, need__isnull=True) | Q(offer__isnull=True, need__isnull=False),
                name="embedding_has_one_owner",
            ),
            # Plain (not partial) unique constraints: NULLs never collide, and INSERT … ON CONFLICT
            # can name them, which makes concurrent upserts from several workers safe.
            models.UniqueConstraint(fields=["offer", "model_name"], name="embedding_unique_offer_model"),
            models.UniqueConstraint(fields=["need", "model_name"], name="embedding_unique_need_model"),
            models.CheckConstraint(condition=Q(dimension__gte=1), name="embedding_dimension_positive"),
        ]

    def __str__(self):
        return f"{self.model_name} → {'offer' if self.offer_id else 'need'} {self.offer_id or self.need_id}"


class Match(models.Model):
    """A scored (offer, need) pair among the best of the offer or of the need; see matching.scoring."""

    offer = models.ForeignKey(
        TechnologyOffer, on_delete=models.CASCADE, related_name="matches", verbose_name=_("offer")
    )
    need = models.ForeignKey(PartneringNeed, on_delete=models.CASCADE, related_name="matches", verbose_name=_("need"))
    score = models.FloatField(_("score"))
    components = models.JSONField(_("score components"), default=dict)
    explanation = models.JSONField(
        _("explanation"), default=dict, help_text=_('{"ko": {"fits": [...], "misfits": [...]}, "en": {...}}')
    )
    model_name = models.CharField(_("embedding model"), max_length=200, blank=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "need"], name="match_unique_pair"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=1), name="match_score_in_unit_range"),
        ]
        indexes = [
            models.Index(fields=["need", "-score"], name="match_need_score"),
            models.Index(fields=["offer", "-score"], name="match_offer_score"),
        ]

    def __str__(self):
        return f"{self.offer} ↔ {self.need}: {self.score:.2f}"

    def explanation_in(self, language: str | None = None) -> dict[str, list[str]]:
        language = language or translation.get_language() or "ko"
        return self.explanation.get(language[:2]) or self.explanation.get("en") or {"fits": [], "misfits": []}


class Shortlist(models.Model):
    """A (offer, need) pair an organization keeps for later — a BD team's shortlist of startups for
    a need, or a startup's list of needs to approach. Keyed by the pair, not the ``Match`` row, so
    that it survives re-scoring."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="shortlist", verbose_name=_("organization")
    )
    offer = models.ForeignKey(
        TechnologyOffer, on_delete=models.CASCADE, related_name="shortlisted", verbose_name=_("offer")
    )
    need = models.ForeignKey(
        PartneringNeed, on_delete=models.CASCADE, related_name="shortlisted", verbose_name=_("need")
    )
    note = models.CharField(_("note"), max_length=500, blank=True, validators=[validate_single_line])
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("shortlisted match")
        verbose_name_plural = _("shortlist")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "offer", "need"], name="shortlist_unique_pair"),
        ]

    def __str__(self):
        return f"{self.organization}: {self.offer} ↔ {self.need}"
