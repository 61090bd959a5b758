"""The offer page a BD team reads (``/workspace/offers/<id>/``): for the readers
``Disclosure.offer_page`` allows (404 for everyone else), with a fact sheet in the reader's
language, so that an English reader of a Korean offer is never left with Korean alone."""

import pytest
from django.test import Client

from events.models import MeetingRequest
from matching.models import RegulatoryApproval
from tests.factories import EventFactory, RegistrationFactory, TechnologyOfferFactory
from tests.worlds import add_match


@pytest.fixture
def korean_offer(startup, imaging):
    offer = TechnologyOfferFactory(
        organization=startup,
        title="흉부 CT 폐결절 검출 AI",
        description="저선량 흉부 CT에서 폐결절을 자동으로 검출하고 크기 변화를 추적합니다.",
        stage="clinical",
        deal_types=["licensing", "distribution"],
        target_regions=["US", "EU"],
    )
    offer.areas.set([imaging])
    RegulatoryApproval.objects.create(offer=offer, market="KR", pathway="mfds_2", status="granted")
    return offer


def reader(user, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_a_matched_bd_team_reads_a_korean_offer_with_an_english_fact_sheet(korean_offer, need, bd):
    add_match(korean_offer, need, 0.81)
    page = reader(bd, "en").get(f"/workspace/offers/{korean_offer.public_id}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert page.context["sheet"].summary == (
        "MediVision (Pangyo) offers a technology in Imaging and imaging AI; development stage: Clinical."
    )
    assert page.context["sheet"].facts == [
        ("Device areas", "Imaging and imaging AI"),
        ("Development stage", "Clinical"),
        ("Regulatory approvals", "Korea (MFDS) · MFDS class 2: Granted"),
        ("Looking for", "Licensing, Distribution"),
        ("Target regions", "United States, Europe"),
    ]
    assert '<p class="summary">MediVision (Pangyo) offers a technology in Imaging and imaging AI' in html
    assert "The startup wrote this description in Korean; the fact sheet above gives its facts in English." in html
    assert "<p>MediVision · 메디비전" not in html and "MediVision · 메디비전" in html
    request_link = f"/workspace/requests/new/?offer={korean_offer.public_id}&amp;need={need.public_id}"
    assert request_link in html
    assert "contact@medivision.kr" not in html
    assert "Contact details are shown once both sides accept a meeting." in html


def test_the_startup_reads_its_own_offer_without_a_translation_note(korean_offer, owner):
    page = reader(owner, "ko").get(f"/workspace/offers/{korean_offer.public_id}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<p class="summary">' not in html  # same language: the description speaks for itself
    assert ("개발 단계", "임상") in page.context["sheet"].facts
    assert f'href="/workspace/offers/{korean_offer.public_id}/edit/"' in html


def test_only_matched_teams_organizers_and_the_startup_may_read_it(
    korean_offer, need, bd, other_bd, outsider, organizer, other_organizer, startup
):
    url = f"/workspace/offers/{korean_offer.public_id}/"
    for stranger in (bd, other_bd, outsider, organizer.user, other_organizer.user):
        assert reader(stranger, "en").get(url).status_code == 404
    assert Client().get(url)["Location"] == f"/accounts/login/?next={url}"
    RegistrationFactory(event=EventFactory(organizer=organizer.organization), organization=startup, status="pending")
    assert reader(organizer.user, "en").get(url).status_code == 200
    add_match(korean_offer, need, 0.6)
    assert reader(bd, "en").get(url).status_code == 200
    assert reader(other_bd, "en").get(url).status_code == 404


def test_contacts_appear_once_a_meeting_is_accepted(korean_offer, need, bd, salon, startup, corporate):
    add_match(korean_offer, need, 0.81)
    MeetingRequest.objects.create(
        event=salon,
        offer=korean_offer,
        need=need,
        startup=startup,
        corporate=corporate,
        origin="startup",
        status="accepted",
        requester=startup,
        recipient=corporate,
    )
    html = reader(bd, "en").get(f"/workspace/offers/{korean_offer.public_id}/").content.decode()
    assert 'Contact: <a href="mailto:contact@medivision.kr">contact@medivision.kr</a> · +82-2-555-0101' in html
