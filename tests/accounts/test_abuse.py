"""Abuse: sign-in throttled per client across the web form and the token endpoint; CSRF enforced on
every form and on session-authenticated API writes (with a client that checks it, as a browser
does); refused requests change nothing and answer with a localised page."""

import pytest
from django.core.cache import cache
from django.test import Client

from accounts import tokens
from accounts.models import ApiToken
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
        response = client.post("/accounts/login/", {"login": owner.email, "password": "wrong"})
        assert response.status_code == 200  # the form again, with the usual error
    response = client.post("/accounts/login/", {"login": owner.email, "password": PASSWORD})
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 60
    assert "로그인 시도가 너무 많습니다. 60초 후에 다시 시도하세요." in response.content.decode()
    assert "_auth_user_id" not in client.session  # the right password did not get in either
    # Another client address has its own counter.
    other = Client(REMOTE_ADDR="10.0.0.7")
    assert other.post("/accounts/login/", {"login": owner.email, "password": PASSWORD}).status_code == 302


def test_the_web_form_and_the_token_endpoint_share_one_counter(client, owner):
    for _attempt in range(2):
        client.post("/accounts/login/", {"login": owner.email, "password": "wrong"})
    ok = client.post("/api/v1/auth/token/", {"email": owner.email, "password": PASSWORD})
    assert ok.status_code == 201
    refused = client.post(
        "/api/v1/auth/token/", {"email": owner.email, "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 429
    assert refused.json() == {"detail": "Request was throttled. Expected available in 60 seconds."}
    assert ApiToken.objects.filter(user=owner).count() == 1


def test_the_english_login_page_explains_the_wait_in_english(client, owner):
    client.cookies["django_language"] = "en"
    for _attempt in range(3):
        client.post("/accounts/login/", {"login": owner.email, "password": "wrong"})
    response = client.post("/accounts/login/", {"login": owner.email, "password": "wrong"})
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
    assert browser.post("/accounts/login/", {"login": owner.email, "password": PASSWORD}).status_code == 403
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
    _token, key = tokens.issue(owner, name="test")
    api = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Token {key}")
    created = api.post("/api/v1/offers/", payload, content_type="application/json")
    assert created.status_code == 201, created.content
    assert TechnologyOffer.objects.count() == 1


# --- The client's address behind the reverse proxy ------------------------------------------------
def sign_in(client, email, password, **headers):
    return client.post("/accounts/login/", {"login": email, "password": password}, **headers)


def test_a_forged_forwarded_for_from_an_untrusted_peer_changes_nothing(settings, owner):
    settings.TRUSTED_PROXIES = ["172.28.0.10"]
    client = Client(REMOTE_ADDR="203.0.113.9")  # not the proxy: connects directly
    for attempt in range(3):
        forged = f"198.51.100.{attempt}, 172.28.0.10"  # a new "client" each time, and the proxy's address
        assert sign_in(client, owner.email, "wrong", HTTP_X_FORWARDED_FOR=forged).status_code == 200
    # Locked out after 3 attempts whatever the header says: one bucket, the peer's address.
    assert sign_in(client, owner.email, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.77").status_code == 429
    assert sign_in(client, owner.email, PASSWORD).status_code == 429
    token = client.post(
        "/api/v1/auth/token/", {"email": owner.email, "password": PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.78"
    )
    assert token.status_code == 429
    assert cache.get("throttle_auth_203.0.113.9") is not None
    elsewhere = Client(REMOTE_ADDR="203.0.113.10")
    assert sign_in(elsewhere, owner.email, PASSWORD).status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_client_is_counted(settings, owner):
    settings.TRUSTED_PROXIES = ["172.28.0.0/24"]
    proxy = Client(REMOTE_ADDR="172.28.0.10")
    # The client prepended a forged address; the proxy appended the one it saw (198.51.100.5).
    for _attempt in range(3):
        response = sign_in(proxy, owner.email, "wrong", HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.5")
        assert response.status_code == 200
    assert sign_in(proxy, owner.email, PASSWORD, HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.5").status_code == 429
    assert cache.get("throttle_auth_198.51.100.5") is not None
    assert cache.get("throttle_auth_172.28.0.10") is None
    # Another client behind the same proxy has its own counter, on the form and the token endpoint.
    assert sign_in(proxy, owner.email, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.6").status_code == 302
    token = Client(REMOTE_ADDR="172.28.0.10").post(
        "/api/v1/auth/token/", {"email": owner.email, "password": PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert token.status_code == 201


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "client"),
    [
        ([], "172.28.0.10", "198.51.100.5", "172.28.0.10"),  # no proxy configured: the header is ignored
        (["172.28.0.10"], "203.0.113.9", "198.51.100.5", "203.0.113.9"),  # not from the proxy
        (["172.28.0.10"], "172.28.0.10", "198.51.100.5", "198.51.100.5"),
        (["172.28.0.10"], "172.28.0.10", "", "172.28.0.10"),  # the proxy sent no header
        (["172.28.0.10", "10.1.0.0/16"], "172.28.0.10", "9.9.9.9, 198.51.100.5, 10.1.2.3", "198.51.100.5"),
        (["172.28.0.10"], "172.28.0.10", "198.51.100.5, not-an-address", "172.28.0.10"),
        (["172.28.0.10"], "172.28.0.10", "172.28.0.10", "172.28.0.10"),  # only proxies: the left-most
        (["::1"], "::1", "2001:db8::7", "2001:db8::7"),
        (["127.0.0.1"], "::ffff:127.0.0.1", "198.51.100.5", "198.51.100.5"),
    ],
)
def test_client_address_takes_the_right_most_untrusted_hop(settings, rf, trusted, remote, forwarded, client):
    from core.client_address import client_address

    settings.TRUSTED_PROXIES = trusted
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == client
