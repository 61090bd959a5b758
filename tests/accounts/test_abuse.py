"""Abuse: sign-in throttled per client across the web form and the token endpoint; CSRF enforced on
every form and on session-authenticated API writes (with a client that checks it, as a browser
does); refused requests change nothing and answer with a localised page."""

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.authtoken.models import Token

from matching.models import TechnologyOffer

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _fresh_counters(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth": "3/minute"}}
    cache.clear()
    yield
    cache.clear()


def test_the_login_form_is_throttled_and_says_when_to_come_back(client, owner):
    for _attempt in range(3):
        response = client.post("/accounts/login/", {"username": owner.email, "password": "wrong"})
        assert response.status_code == 200  # the form again, with the usual error
    response = client.post("/accounts/login/", {"username": owner.email, "password": PASSWORD})
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 60
    assert "로그인 시도가 너무 많습니다. 60초 후에 다시 시도하세요." in response.content.decode()
    assert "_auth_user_id" not in client.session  # the right password did not get in either
    # Another client address has its own counter.
    other = Client(REMOTE_ADDR="10.0.0.7")
    assert other.post("/accounts/login/", {"username": owner.email, "password": PASSWORD}).status_code == 302


def test_the_web_form_and_the_token_endpoint_share_one_counter(client, owner):
    for _attempt in range(2):
        client.post("/accounts/login/", {"username": owner.email, "password": "wrong"})
    ok = client.post("/api/v1/auth/token/", {"email": owner.email, "password": PASSWORD})
    assert ok.status_code == 200
    refused = client.post(
        "/api/v1/auth/token/", {"email": owner.email, "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 429
    assert refused.json() == {"detail": "Request was throttled. Expected available in 60 seconds."}
    assert Token.objects.filter(user=owner).count() == 1


def test_the_english_login_page_explains_the_wait_in_english(client, owner):
    client.cookies["django_language"] = "en"
    for _attempt in range(3):
        client.post("/accounts/login/", {"username": owner.email, "password": "wrong"})
    response = client.post("/accounts/login/", {"username": owner.email, "password": "wrong"})
    assert response.status_code == 429
    assert "Too many sign-in attempts. Try again in 60 seconds." in response.content.decode()


def offer_form(**values) -> dict:
    return {
        "title": "흉부 CT 폐결절 AI",
        "description": "저선량 흉부 CT에서 폐결절을 자동 검출합니다.",
        "stage": "clinical",
        "deal_types": ["licensing"],
        "target_regions": ["US"],
        "approvals-TOTAL_FORMS": "0",
        "approvals-INITIAL_FORMS": "0",
        "approvals-MIN_NUM_FORMS": "0",
        "approvals-MAX_NUM_FORMS": "10",
        **values,
    }


def test_forms_without_the_csrf_token_are_refused_and_save_nothing(owner):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    refused = browser.post("/workspace/offers/new/", offer_form())
    assert refused.status_code == 403
    body = refused.content.decode()
    assert "양식이 만료되었습니다" in body and "저장되지 않았습니다" in body
    assert TechnologyOffer.objects.count() == 0
    # The same browser with the token of the page it was shown succeeds.
    page = browser.get("/workspace/offers/new/")
    token = page.cookies["csrftoken"].value
    accepted = browser.post("/workspace/offers/new/", offer_form(csrfmiddlewaretoken=token))
    assert accepted.status_code == 302, accepted.content.decode()[:3000]
    assert list(TechnologyOffer.objects.values_list("title", flat=True)) == ["흉부 CT 폐결절 AI"]


def test_login_and_logout_need_the_csrf_token_too(owner):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post("/accounts/login/", {"username": owner.email, "password": PASSWORD}).status_code == 403
    browser.force_login(owner)
    assert browser.post("/accounts/logout/").status_code == 403
    assert "_auth_user_id" in browser.session


def test_session_api_writes_need_the_csrf_token_but_token_clients_do_not(owner):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    payload = {
        "organization": owner.memberships.get().organization_id,
        "title": "웨어러블 심전도 패치",
        "description": "14일 연속 심전도 모니터링 패치입니다.",
        "stage": "approved_kr",
        "deal_types": ["distribution"],
        "target_regions": ["SEA"],
    }
    refused = browser.post("/api/v1/offers/", payload, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "이 요청의 보안 토큰(CSRF)이 없거나 만료되었습니다. 페이지를 새로 고친 뒤 다시 시도하세요."
    }
    assert TechnologyOffer.objects.count() == 0
    token = Token.objects.create(user=owner)
    api = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Token {token.key}")
    created = api.post("/api/v1/offers/", payload, content_type="application/json")
    assert created.status_code == 201, created.content
    assert TechnologyOffer.objects.count() == 1
