"""The secrets a user hands to programs (``accounts.tokens``): API tokens that expire, are kept as
digests, and are revoked by their user on the page or through the API; a calendar-feed link with no
password material that the user rotates."""

import datetime as dt
import hashlib
import importlib

from django.apps import apps as django_apps
from django.core import signing
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import tokens
from accounts.models import ApiToken, User

PASSWORD = "correct horse battery"


def bearer(key: str, language: str = "ko") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_api_gives_a_new_token_that_expires_and_keeps_only_its_digest(owner):
    before = timezone.now()
    answer = APIClient().post(
        "/api/v1/auth/token/", {"email": owner.email, "password": PASSWORD, "name": "CRM 연동"}, format="json"
    )
    assert answer.status_code == 201
    body = answer.json()
    key = body["token"]
    stored = ApiToken.objects.get()
    assert (body["name"], stored.name, stored.user, stored.prefix) == ("CRM 연동", "CRM 연동", owner, key[:8])
    assert stored.digest == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {stored.digest, stored.prefix, stored.name}
    lifetime = stored.expires_at - before
    assert dt.timedelta(days=90) <= lifetime < dt.timedelta(days=90, seconds=5)
    assert stored.last_used_at is None
    assert bearer(key).get("/api/v1/offers/").status_code == 200
    stored.refresh_from_db()
    assert stored.last_used_at is not None
    # Every exchange makes a new token; the first keeps working.
    second = APIClient().post("/api/v1/auth/token/", {"email": owner.email, "password": PASSWORD}, format="json")
    assert (second.status_code, second.json()["name"]) == (201, "API 토큰")
    assert ApiToken.objects.count() == 2
    assert bearer(key).get("/api/v1/offers/").status_code == 200


def test_an_expired_token_is_refused_with_the_date(owner):
    token, key = tokens.issue(owner, name="old")
    token.expires_at = dt.datetime(2026, 1, 31, 10, 0, tzinfo=dt.UTC)
    token.save()
    refused = bearer(key).get("/api/v1/offers/")
    assert refused.status_code == 401
    assert refused.json() == {
        "detail": "이 API 토큰은 2026년 1월 31일에 만료되었습니다. API 토큰 페이지에서 새 토큰을 만드세요."
    }
    english = bearer(key, "en").get("/api/v1/offers/")
    assert english.json() == {
        "detail": "This API token expired on Jan. 31, 2026. Create a new one on your API tokens page."
    }


def test_a_token_is_revoked_through_the_api_and_an_unknown_one_is_refused(owner):
    _token, key = tokens.issue(owner, name="script")
    _other, other_key = tokens.issue(owner, name="other script")
    assert bearer(key).delete("/api/v1/auth/token/").status_code == 204
    refused = bearer(key).get("/api/v1/offers/")
    assert (refused.status_code, refused.json()) == (
        401,
        {"detail": "폐기된 API 토큰입니다. API 토큰 페이지에서 새 토큰을 만드세요."},
    )
    assert bearer(other_key).get("/api/v1/offers/").status_code == 200
    unknown = bearer("x" * 40, "en").get("/api/v1/offers/")
    assert (unknown.status_code, unknown.json()) == (401, {"detail": "This API token is not valid."})
    assert [(t.name, t.state) for t in ApiToken.objects.order_by("pk")] == [
        ("script", "revoked"),
        ("other script", "active"),
    ]


def test_the_tokens_page_makes_shows_once_and_revokes(client, owner, outsider):
    client.force_login(owner)
    made = client.post("/accounts/tokens/", {"name": "BI 대시보드", "days": "30"})
    assert made.status_code == 302 and made["Location"] == "/accounts/tokens/"
    token = ApiToken.objects.get()
    assert (token.name, round((token.expires_at - token.created_at) / dt.timedelta(days=1))) == ("BI 대시보드", 30)
    page = client.get("/accounts/tokens/")
    key = page.context["new_key"]
    assert token.digest == hashlib.sha256(key.encode()).hexdigest()
    content = page.content.decode()
    assert f'value="{key}"' in content
    assert "BI 대시보드 토큰을 만들었습니다. 지금 복사해 두세요. 다시 보여 드리지 않습니다." in content
    assert f'<tr id="token-{token.pk}" data-state="active">' in content
    again = client.get("/accounts/tokens/")
    assert again.context["new_key"] is None
    assert key not in again.content.decode()

    # Another user cannot revoke it (404, nothing changes); its user can.
    other = Client()
    other.force_login(outsider)
    assert other.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    page = client.get("/accounts/tokens/").content.decode()
    assert f'<tr id="token-{token.pk}" data-state="revoked">' in page
    assert f"/accounts/tokens/{token.pk}/revoke/" not in page
    assert bearer(key).get("/api/v1/offers/").status_code == 401


def test_the_tokens_page_refuses_a_bad_name_and_a_lifetime_not_offered(client, owner):
    client.force_login(owner)
    answer = client.post("/accounts/tokens/", {"name": "줄\n바꿈", "days": "7"})
    assert answer.status_code == 200
    assert answer.context["form"].errors == {
        "days": ["올바르게 선택해 주세요. 7 이/가 선택가능항목에 없습니다."],
    }
    answer = client.post("/accounts/tokens/", {"name": "줄\n바꿈", "days": "90"})
    assert answer.context["form"].errors == {
        "name": ["한 줄로 입력하세요. 줄바꿈이나 제어 문자는 쓸 수 없습니다(2번째 글자: 줄바꿈)."],
    }
    assert ApiToken.objects.count() == 0


def test_the_calendar_link_holds_no_password_material_and_rotates(client, owner):
    token = tokens.feed_token(owner)
    payload = signing.loads(token, salt=tokens.FEED_SALT)
    assert payload == [owner.pk, owner.calendar_key]
    assert owner.password[-12:] not in str(payload)
    assert Client().get(f"/calendar/{token}.ics").status_code == 200
    client.force_login(owner)
    page = client.get("/accounts/tokens/")
    assert page.context["feed_url"] == f"http://testserver/calendar/{token}.ics"
    rotated = client.post("/accounts/tokens/calendar/rotate/", follow=True)
    assert "캘린더 링크를 새로 만들었습니다. 이전 링크는 더 이상 쓸 수 없습니다." in rotated.content.decode()
    owner.refresh_from_db()
    assert Client().get(f"/calendar/{token}.ics").status_code == 404
    new = tokens.feed_token(owner)
    assert new != token
    assert Client().get(f"/calendar/{new}.ics").status_code == 200
    # Forged or malformed links are refused alike.
    for forged in (signing.dumps([owner.pk, "guess"], salt=tokens.FEED_SALT), signing.dumps("1:abc"), "x"):
        assert tokens.user_for_feed(forged) is None


def test_the_migration_gives_every_user_its_own_calendar_key(db):
    for number in range(3):
        User.objects.create_user(email=f"user{number}@example.com", password=PASSWORD)
    User.objects.update(calendar_key="same-for-everyone")
    migration = importlib.import_module("accounts.migrations.0006_api_tokens")
    migration.give_every_user_its_own_calendar_key(django_apps, None)
    keys = list(User.objects.values_list("calendar_key", flat=True))
    assert len(set(keys)) == 3
    assert all(len(key) == 22 and key != "same-for-everyone" for key in keys)


def test_staff_revoke_tokens_in_the_admin_and_never_see_a_key(admin_client, owner):
    token, key = tokens.issue(owner, name="leaver")
    page = admin_client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    assert token.prefix in page
    assert token.digest not in page and key not in page
    answer = admin_client.post(
        "/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )
    assert "토큰 1개를 폐기했습니다." in answer.content.decode()
    token.refresh_from_db()
    assert token.state == "revoked"
