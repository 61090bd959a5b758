"""An organization's administrators edit its profile (``/accounts/organization/<slug>/edit/``): other
members and outsiders get 404; the kind and slug stay; a new website or 사업자등록번호 waits for
staff verification again; the same checks as at registration, in the user's language."""

from django.test import Client

from accounts.models import Organization
from tests.factories import StartupFactory, valid_brn


def admin_browser(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    client.force_login(user)
    return client


def profile(organization, **values) -> dict:
    fields = ("name_ko", "name_en", "country", "website", "description", "business_registration_number", "cluster")
    return {
        **{name: getattr(organization, name) for name in fields},
        "contact_email": organization.contact_email,
        "contact_phone": organization.contact_phone,
        **values,
    }


def test_an_administrator_edits_the_profile_and_keeps_its_verification(startup, owner):
    url = f"/accounts/organization/{startup.slug}/edit/"
    page = admin_browser(owner).get(url).content.decode()
    assert "<h1>메디비전 프로필</h1>" in page
    assert 'name="kind"' not in page
    response = admin_browser(owner).post(url, profile(startup, name_en="MediVision Inc.", contact_phone="02-555-0199"))
    assert (response.status_code, response["Location"]) == (302, "/workspace/")
    saved = Organization.objects.get(pk=startup.pk)
    assert (saved.name_en, saved.contact_phone, saved.slug, saved.kind) == (
        "MediVision Inc.",
        "02-555-0199",
        startup.slug,
        "startup",
    )
    assert saved.verified_at == startup.verified_at
    home = admin_browser(owner).get("/workspace/").content.decode()
    assert f'<a href="/accounts/organization/{startup.slug}/edit/">프로필 수정</a>' in home


def test_a_new_website_waits_for_verification_again(startup, owner):
    client = admin_browser(owner)
    response = client.post(
        f"/accounts/organization/{startup.slug}/edit/",
        profile(startup, website="https://medivision.example"),
        follow=True,
    )
    assert "홈페이지나 사업자등록번호를 바꿨으므로 플랫폼 운영진이 다시 확인합니다." in response.content.decode()
    assert Organization.objects.get(pk=startup.pk).verified_at is None


def test_members_and_outsiders_get_404_and_bad_values_are_refused(startup, owner, member, outsider):
    url = f"/accounts/organization/{startup.slug}/edit/"
    assert admin_browser(member).get(url).status_code == 404
    assert admin_browser(outsider).post(url, profile(startup, name_en="HIJACKED")).status_code == 404
    taken = StartupFactory(business_registration_number=valid_brn(77))
    answer = admin_browser(owner).post(
        url, profile(startup, business_registration_number=taken.business_registration_number, name_ko="메디\n비전")
    )
    assert answer.status_code == 200
    assert answer.context["form"].errors == {
        "name_ko": ["한 줄로 입력하세요. 줄바꿈이나 제어 문자는 쓸 수 없습니다(3번째 글자: 줄바꿈)."],
        "business_registration_number": ["이 사업자등록번호로 이미 등록된 기관이 있습니다."],
    }
    assert Organization.objects.get(pk=startup.pk).name_ko == "메디비전"
