"""A title and summary in the other language (``second_title``, ``second_summary``): the forms and the
API take them, the completeness checklist counts them, and readers of that language see them on the
offer page and in the match lists instead of the original title."""

from django.test import Client
from rest_framework.test import APIClient

from matching.models import TechnologyOffer
from tests.factories import ConceptFactory, PartneringNeedFactory, TechnologyOfferFactory
from tests.worlds import add_match

KOREAN = {
    "title": "흉부 CT 폐결절 검출 AI",
    "description": "저선량 흉부 CT에서 폐결절을 검출하는 딥러닝 소프트웨어입니다.",
    "second_title": "Lung nodule detection AI for chest CT",
    "second_summary": "Detects and tracks lung nodules on low-dose chest CT. MFDS class 2.",
    "areas": ["imaging"],
    "concepts": ["imaging.lung_nodule"],
    "stage": "clinical",
    "deal_types": ["licensing"],
    "target_regions": ["US"],
}


def browser(user, language) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def checklist(page) -> dict:
    return {key: done for key, _label, done in page.context["form"].checklist()}


def test_the_offer_form_takes_them_and_the_checklist_counts_them(owner, startup):
    ConceptFactory()
    client = browser(owner, "ko")
    empty = client.get("/workspace/offers/new/")
    assert checklist(empty)["second"] is False
    assert '<label for="id_second_title">다른 언어로 쓴 제목</label>' in empty.content.decode()
    half = client.post("/workspace/offers/new/", {**KOREAN, "second_summary": "", "title": ""})
    assert checklist(half)["second"] is False
    assert client.post("/workspace/offers/new/", KOREAN).status_code == 302
    offer = TechnologyOffer.objects.get()
    assert (offer.language, offer.second_title, offer.second_summary) == (
        "ko",
        "Lung nodule detection AI for chest CT",
        "Detects and tracks lung nodules on low-dose chest CT. MFDS class 2.",
    )
    assert checklist(client.get(f"/workspace/offers/{offer.public_id}/edit/"))["second"] is True


def test_an_english_reader_sees_the_english_title_and_summary(startup, need, bd):
    offer = TechnologyOfferFactory(
        organization=startup,
        title=KOREAN["title"],
        description=KOREAN["description"],
        second_title=KOREAN["second_title"],
        second_summary=KOREAN["second_summary"],
    )
    add_match(offer, need, 0.8)
    page = browser(bd, "en").get(f"/workspace/offers/{offer.public_id}/").content.decode()
    assert "<h1>Lung nodule detection AI for chest CT</h1>" in page
    assert '<p class="original-title" lang="ko">흉부 CT 폐결절 검출 AI</p>' in page
    assert '<p class="summary">Detects and tracks lung nodules on low-dose chest CT. MFDS class 2.</p>' in page
    listing = browser(bd, "en").get(f"/workspace/needs/{need.public_id}/matches/").content.decode()
    assert "MediVision: Lung nodule detection AI for chest CT</a>" in listing
    korean = browser(bd, "ko").get(f"/workspace/offers/{offer.public_id}/").content.decode()
    assert '<h1 lang="ko">흉부 CT 폐결절 검출 AI</h1>' in korean


def test_a_korean_startup_reads_an_english_need_by_its_korean_title(offer, corporate, owner):
    need = PartneringNeedFactory(
        organization=corporate, title="AI triage for chest imaging", second_title="흉부 영상 AI 분류"
    )
    add_match(offer, need, 0.7)
    page = browser(owner, "ko").get(f"/workspace/offers/{offer.public_id}/matches/").content.decode()
    assert "글로벌메드: 흉부 영상 AI 분류" in page
    assert "AI triage for chest imaging" not in page
    english = browser(owner, "en").get(f"/workspace/offers/{offer.public_id}/matches/").content.decode()
    assert "GlobalMed: AI triage for chest imaging" in english


def test_the_api_takes_them_and_refuses_a_line_break(owner, offer):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(owner)
    path = f"/api/v1/offers/{offer.public_id}/"
    saved = api.patch(path, {"second_title": "폐결절 AI", "second_summary": "저선량 CT."}, format="json")
    assert saved.status_code == 200
    assert (saved.json()["second_title"], saved.json()["second_summary"]) == ("폐결절 AI", "저선량 CT.")
    refused = api.patch(path, {"second_title": "폐결절\nAI"}, format="json")
    assert (refused.status_code, refused.json()) == (
        400,
        {
            "second_title": [
                "Use one line without line breaks or control characters (found a line break at position 4)."
            ]
        },
    )
