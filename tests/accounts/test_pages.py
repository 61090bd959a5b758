"""Organization registration pages (sign-up: test_account_flows)."""

import pytest

from accounts.models import Membership, Organization
from tests.factories import UserFactory, valid_brn
from tests.worlds import english

pytestmark = pytest.mark.django_db


def invalid_brn(n: int) -> str:
    good = valid_brn(n)
    return good[:9] + str((int(good[9]) + 1) % 10)


ORGANIZATION = {
    "kind": "startup",
    "name_ko": "메디비전",
    "name_en": "MediVision",
    "country": "KR",
    "website": "https://medivision.example.kr",
    "description": "흉부 CT 폐결절 AI",
    "cluster": "pangyo",
}


def test_a_wrong_business_registration_number_is_refused_next_to_its_field(client):
    english(client).force_login(UserFactory())
    response = client.post(
        "/accounts/organization/new/", {**ORGANIZATION, "business_registration_number": invalid_brn(7)}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        '<span class="field-error" id="id_business_registration_number-error" role="alert">'
        "This business registration number fails the checksum; please check each digit.</span>"
    ) in html
    assert Organization.objects.count() == 0
    assert Membership.objects.count() == 0


def test_a_korean_startup_must_give_its_number_in_korean_too(client):
    client.force_login(UserFactory())
    response = client.post("/accounts/organization/new/", {**ORGANIZATION, "business_registration_number": ""})
    assert response.status_code == 200
    # The model's message, translated in the Korean catalogue.
    assert (
        '<span class="field-error" id="id_business_registration_number-error" role="alert">'
        "국내 스타트업은 사업자등록번호를 입력해야 합니다.</span>"
    ) in response.content.decode()
    assert Organization.objects.count() == 0


def test_a_correct_number_registers_the_organization_with_its_creator_as_admin(client):
    user = UserFactory()
    client.force_login(user)
    number = valid_brn(7)
    typed = f"{number[:3]}-{number[3:5]}-{number[5:]}"
    response = client.post("/accounts/organization/new/", {**ORGANIZATION, "business_registration_number": typed})
    assert response.status_code == 302
    assert response["Location"] == "/workspace/"
    organization = Organization.objects.get()
    assert (organization.kind, organization.name_en, organization.slug, organization.business_registration_number) == (
        "startup",
        "MediVision",
        "medivision",
        number,
    )
    membership = Membership.objects.get()
    assert (membership.user, membership.organization, membership.role) == (user, organization, "admin")


def test_a_foreign_bd_team_needs_no_business_registration_number(client):
    client.force_login(UserFactory())
    data = {**ORGANIZATION, "kind": "corporate", "name_ko": "글로벌메드", "name_en": "GlobalMed", "country": "us"}
    data["cluster"] = ""
    response = client.post("/accounts/organization/new/", data)
    assert response.status_code == 302
    organization = Organization.objects.get()
    assert (organization.kind, organization.country, organization.business_registration_number) == (
        "corporate",
        "US",
        "",
    )


def test_the_organizer_kind_cannot_be_chosen(client):
    client.force_login(UserFactory())
    response = client.post("/accounts/organization/new/", {**ORGANIZATION, "kind": "organizer"})
    assert response.status_code == 200
    assert 'id="id_kind-error"' in response.content.decode()
    assert Organization.objects.count() == 0
