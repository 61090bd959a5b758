"""Bad input gets a clear error in the user's language, next to the field, and saves nothing:
over-long fields, wrong enumerations, malformed dates; Korean/English mixed text is valid and kept
exactly."""

from rest_framework.test import APIClient

from accounts import tokens
from events.models import Event
from matching.models import TechnologyOffer

MIXED = "흉부 CT lung nodule 검출 AI — FDA 510(k) 준비 중, CE-MDR class IIa"


def api(user, language: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(user, name='test')[1]}")
    return client


def offer_payload(organization, **values) -> dict:
    return {
        "organization": organization.pk,
        "title": MIXED,
        "description": "저선량 흉부 CT에서 폐결절을 검출합니다. Detects lung nodules on low-dose CT.",
        "stage": "clinical",
        "deal_types": ["licensing"],
        "target_regions": ["US", "EU"],
        **values,
    }


def test_the_api_names_each_bad_field_in_korean_and_saves_nothing(owner, startup):
    response = api(owner, "ko").post(
        "/api/v1/offers/",
        offer_payload(startup, title="가" * 201, stage="phase_9", deal_types=["licensing", "franchise"]),
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "title": ["이 필드의 글자 수가 200 이하인지 확인하세요."],
        "stage": ['"phase_9"은 유효하지 않은 선택입니다.'],
        "deal_types": [
            "알 수 없는 값: franchise. 가능한 값: licensing, distribution, co_development, oem_integration, "
            "investment, pilot, acquisition."
        ],
    }
    assert TechnologyOffer.objects.count() == 0


def test_the_same_errors_in_english(owner, startup):
    response = api(owner, "en").post("/api/v1/offers/", offer_payload(startup, title="x" * 201), format="json")
    assert response.status_code == 400
    assert response.json() == {"title": ["Ensure this field has no more than 200 characters."]}


def test_mixed_korean_and_english_text_is_valid_and_kept_exactly(owner, startup):
    response = api(owner, "ko").post("/api/v1/offers/", offer_payload(startup), format="json")
    assert response.status_code == 201, response.json()
    stored = TechnologyOffer.objects.get()
    assert (stored.title, stored.language) == (MIXED, "ko")
    assert response.json()["title"] == MIXED


def test_a_malformed_salon_date_is_refused_next_to_the_field(client, organizer):
    client.force_login(organizer.user)
    response = client.post(
        "/organize/salons/new/",
        {
            "organizer": organizer.organization.pk,
            "title_ko": "오송 파트너링 살롱",
            "title_en": "Osong Partnering Salon",
            "slug": "osong-bad-date",
            "city": "osong",
            "venue": "오송 C&V센터",
            "date": "2026-13-45",
            "registration_opens_at": "2026-11-01 09:00",
            "registration_closes_at": "어제 저녁",
            "slot_minutes": "20",
            "changeover_minutes": "5",
            "meeting_quota": "6",
            "program-TOTAL_FORMS": "0",
            "program-INITIAL_FORMS": "0",
            "program-MIN_NUM_FORMS": "0",
            "program-MAX_NUM_FORMS": "50",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["date"] == ["올바른 날짜를 입력하세요."]
    assert errors["registration_closes_at"] == ["올바른 날짜/시각을 입력하세요."]
    assert 'aria-invalid="true"' in response.content.decode()
    assert Event.objects.count() == 0
