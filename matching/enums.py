"""The enumerations of offers and needs. Their values are part of the API and import contract."""

from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    """Development stages, in order: an offer's stage is compared with a need's range."""

    CONCEPT = "concept", _("Concept")
    PROTOTYPE = "prototype", _("Prototype")
    PRECLINICAL = "preclinical", _("Preclinical")
    CLINICAL = "clinical", _("Clinical")
    APPROVED_KR = "approved_kr", _("Approved in Korea")
    APPROVED_GLOBAL = "approved_global", _("Approved globally")
    MARKETED = "marketed", _("Marketed")

    @classmethod
    def rank(cls, value: str) -> int:
        return cls.values.index(value)


def stage_range_condition(min_field: str, max_field: str) -> Q:
    """A database condition: ``min_field`` is not after ``max_field`` in the stage order."""
    order = Stage.values
    return reduce(
        or_,
        (Q(**{min_field: low, max_field: high}) for i, low in enumerate(order) for high in order[i:]),
    )


class DealType(models.TextChoices):
    LICENSING = "licensing", _("Licensing")
    DISTRIBUTION = "distribution", _("Distribution")
    CO_DEVELOPMENT = "co_development", _("Co-development")
    OEM_INTEGRATION = "oem_integration", _("OEM / integration")
    INVESTMENT = "investment", _("Investment")
    PILOT = "pilot", _("Pilot / PoC")
    ACQUISITION = "acquisition", _("Acquisition")


class Region(models.TextChoices):
    KR = "KR", _("Korea")
    US = "US", _("United States")
    EU = "EU", _("Europe")
    JP = "JP", _("Japan")
    CN = "CN", _("China")
    SEA = "SEA", _("Southeast Asia")
    MEA = "MEA", _("Middle East and Africa")
    LATAM = "LATAM", _("Latin America")
    GLOBAL = "GLOBAL", _("Global")


class Market(models.TextChoices):
    KR = "KR", _("Korea (MFDS)")
    US = "US", _("United States (FDA)")
    EU = "EU", _("European Union (CE)")
    JP = "JP", _("Japan (PMDA)")
    CN = "CN", _("China (NMPA)")


class Pathway(models.TextChoices):
    MFDS_1 = "mfds_1", _("MFDS class 1")
    MFDS_2 = "mfds_2", _("MFDS class 2")
    MFDS_3 = "mfds_3", _("MFDS class 3")
    MFDS_4 = "mfds_4", _("MFDS class 4")
    FDA_EXEMPT = "fda_exempt", _("FDA exempt")
    FDA_510K = "fda_510k", _("FDA 510(k)")
    FDA_DE_NOVO = "fda_de_novo", _("FDA De Novo")
    FDA_PMA = "fda_pma", _("FDA PMA")
    CE_MDR_I = "ce_mdr_i", _("CE MDR class I")
    CE_MDR_IIA = "ce_mdr_iia", _("CE MDR class IIa")
    CE_MDR_IIB = "ce_mdr_iib", _("CE MDR class IIb")
    CE_MDR_III = "ce_mdr_iii", _("CE MDR class III")
    CE_IVDR_A = "ce_ivdr_a", _("CE IVDR class A")
    CE_IVDR_B = "ce_ivdr_b", _("CE IVDR class B")
    CE_IVDR_C = "ce_ivdr_c", _("CE IVDR class C")
    CE_IVDR_D = "ce_ivdr_d", _("CE IVDR class D")
    PMDA_1 = "pmda_1", _("PMDA class I")
    PMDA_2 = "pmda_2", _("PMDA class II")
    PMDA_3 = "pmda_3", _("PMDA class III")
    PMDA_4 = "pmda_4", _("PMDA class IV")
    NMPA_1 = "nmpa_1", _("NMPA class I")
    NMPA_2 = "nmpa_2", _("NMPA class II")
    NMPA_3 = "nmpa_3", _("NMPA class III")


PATHWAYS_BY_MARKET: dict[str, tuple[str, ...]] = {
    Market.KR: ("mfds_1", "mfds_2", "mfds_3", "mfds_4"),
    Market.US: ("fda_exempt", "fda_510k", "fda_de_novo", "fda_pma"),
    Market.EU: tuple(p for p in Pathway.values if p.startswith("ce_")),
    Market.JP: ("pmda_1", "pmda_2", "pmda_3", "pmda_4"),
    Market.CN: ("nmpa_1", "nmpa_2", "nmpa_3"),
}


def market_pathway_condition(market_field: str, pathway_field: str) -> Q:
    return reduce(
        or_,
        (
            Q(**{market_field: market, f"{pathway_field}__in": pathways})
            for market, pathways in PATHWAYS_BY_MARKET.items()
        ),
    )


class ApprovalStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    SUBMITTED = "submitted", _("Submitted")
    GRANTED = "granted", _("Granted")


class OfferStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    ARCHIVED = "archived", _("Archived")

    @classmethod
    def set_by_owner(cls) -> tuple[str, ...]:
        """The states an offer's own organization may put it in. Approval is the reviewers': an owner
        submits for review and never approves itself."""
        return (cls.DRAFT, cls.SUBMITTED, cls.ARCHIVED)


class NeedStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class DeclineReason(models.TextChoices):
    """Why a meeting was declined. Matching learns from a BD team's answer (``match_service``), so
    the vocabulary is matching's; the requests themselves live in ``events``."""

    NOT_FOCUS_AREA = "not_focus_area", _("Not our focus area")
    TOO_EARLY = "too_early", _("Too early stage")
    REGULATORY = "regulatory", _("Regulatory status insufficient")
    ALREADY_IN_CONTACT = "already_in_contact", _("Already in contact")
    NO_CAPACITY = "no_capacity", _("No capacity")
    OTHER = "other", _("Other")


@deconstructible
class ChoiceListValidator:
    """Validate a JSON list field holding distinct values of ``choices``.

    Django skips validators for empty values; an empty list is refused by the field's ``blank``
    message (see ``CHOOSE_AT_LEAST_ONE``)."""

    def __init__(self, choices: type[models.TextChoices]):
        self.choices = choices

    def __call__(self, value):
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ValidationError(_("Give a list of values."), code="not_a_list")
        unknown = [item for item in value if item not in self.choices.values]
        if unknown:
            raise ValidationError(
                _("Unknown value(s): %(unknown)s. Allowed: %(allowed)s."),
                code="unknown_choice",
                params={"unknown": ", ".join(unknown), "allowed": ", ".join(self.choices.values)},
            )
        if len(set(value)) != len(value):
            raise ValidationError(_("Each value may appear only once."), code="duplicate")

    def __eq__(self, other):
        return isinstance(other, ChoiceListValidator) and other.choices is self.choices


CHOOSE_AT_LEAST_ONE = {"blank": _("Choose at least one value.")}
