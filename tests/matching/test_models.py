import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from matching.enums import Stage, stage_range_condition
from matching.models import PartneringNeed, RegulatoryApproval, TechnologyOffer
from tests.factories import (
    OrganizationFactory,
    PartneringNeedFactory,
    StartupFactory,
    TechnologyOfferFactory,
)


def test_stages_are_ordered_from_concept_to_market():
    assert Stage.values == [
        "concept",
        "prototype",
        "preclinical",
        "clinical",
        "approved_kr",
        "approved_global",
        "marketed",
    ]
    assert Stage.rank("concept") == 0
    assert Stage.rank("marketed") == 6


def test_the_stage_range_condition_lists_every_ordered_pair():
    # 7 stages → 7 + 6 + … + 1 = 28 admissible (min, max) pairs.
    assert len(stage_range_condition("stage_min", "stage_max").children) == 28


@pytest.mark.django_db
def test_the_database_refuses_a_need_whose_stage_range_is_reversed():
    with pytest.raises(IntegrityError), transaction.atomic():
        PartneringNeedFactory(stage_min="marketed", stage_max="clinical")
    assert PartneringNeed.objects.count() == 0


@pytest.mark.django_db
def test_full_clean_explains_a_reversed_stage_range():
    need = PartneringNeedFactory.build(organization=OrganizationFactory(), stage_min="marketed", stage_max="clinical")
    with translation.override("en"):
        with pytest.raises(ValidationError) as excinfo:
            need.full_clean()
        assert excinfo.value.messages == ["The earliest stage must not come after the latest stage."]


@pytest.mark.django_db
def test_it_detects_the_language_of_offers_and_needs():
    korean = TechnologyOfferFactory(
        title="비혈관 스텐트", description="담도 폐색 환자를 위한 자가팽창형 금속 스텐트 (FDA 510(k) 준비 중)"
    )
    english = PartneringNeedFactory(title="Biliary stents", description="We seek self-expanding metal stents.")
    assert korean.language == "ko"
    assert english.language == "en"


@pytest.mark.django_db
def test_it_rejects_unknown_deal_types_and_regions_with_a_clear_message():
    offer = TechnologyOfferFactory.build(
        organization=StartupFactory(), deal_types=["licensing", "franchise"], target_regions=["MARS"]
    )
    allowed_deals = "licensing, distribution, co_development, oem_integration, investment, pilot, acquisition"
    with translation.override("en"):
        with pytest.raises(ValidationError) as excinfo:
            offer.full_clean()
        assert excinfo.value.message_dict == {
            "deal_types": [f"Unknown value(s): franchise. Allowed: {allowed_deals}."],
            "target_regions": ["Unknown value(s): MARS. Allowed: KR, US, EU, JP, CN, SEA, MEA, LATAM, GLOBAL."],
        }


@pytest.mark.django_db
def test_it_rejects_an_empty_or_repeated_deal_type_list():
    offer = TechnologyOfferFactory.build(organization=StartupFactory(), deal_types=[], target_regions=["US", "US"])
    with translation.override("en"):
        with pytest.raises(ValidationError) as excinfo:
            offer.full_clean()
        assert excinfo.value.message_dict == {
            "deal_types": ["Choose at least one value."],
            "target_regions": ["Each value may appear only once."],
        }


@pytest.mark.django_db
def test_offers_belong_to_startups_and_needs_to_corporates():
    corporate = OrganizationFactory(kind="corporate")
    startup = StartupFactory()
    with translation.override("en"):
        with pytest.raises(ValidationError) as excinfo:
            TechnologyOfferFactory.build(organization=corporate).full_clean()
        assert excinfo.value.message_dict == {
            "organization": ["Choose a startup: technology offers belong to startups."]
        }
        with pytest.raises(ValidationError) as excinfo:
            PartneringNeedFactory.build(organization=startup).full_clean()
        assert excinfo.value.message_dict == {
            "organization": ["Choose a corporate BD team: partnering needs belong to them."]
        }


@pytest.mark.django_db
def test_the_database_refuses_a_pathway_of_another_market():
    offer = TechnologyOfferFactory()
    RegulatoryApproval.objects.create(offer=offer, market="KR", pathway="mfds_2", status="granted")
    with pytest.raises(IntegrityError), transaction.atomic():
        RegulatoryApproval.objects.create(offer=offer, market="US", pathway="mfds_2", status="granted")
    with pytest.raises(IntegrityError), transaction.atomic():
        RegulatoryApproval.objects.create(offer=offer, market="KR", pathway="mfds_2", status="planned")
    assert list(offer.approvals.values_list("market", "pathway", "status")) == [("KR", "mfds_2", "granted")]


@pytest.mark.django_db
def test_the_database_refuses_an_unknown_stage():
    with pytest.raises(IntegrityError), transaction.atomic():
        TechnologyOfferFactory(stage="phase_2")
    assert TechnologyOffer.objects.count() == 0
