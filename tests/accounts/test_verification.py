"""New organizations are verified by platform staff before their private-facing features open: an
unverified BD team downloads no teaser and reads no contact details, even with a match and an
accepted meeting; staff compare the website's domain with the members' e-mail domains and verify in
the admin, which is audited."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import AuditEvent, Organization
from events.models import MeetingRequest
from matching import services
from tests.factories import MembershipFactory, OrganizationFactory, PartneringNeedFactory, UserFactory
from tests.matching.test_teasers import media, upload  # noqa: F401 (the media fixture keeps files in tmp)
from tests.worlds import add_match


@pytest.fixture
def newcomer(db):
    team = OrganizationFactory(
        name_ko="노바메드", name_en="NovaMed", website="https://www.novamed.com", verified_at=None
    )
    person = UserFactory(email="bd@novamed.com", preferred_language="en")
    MembershipFactory(user=person, organization=team, role="admin")
    return team, person


def test_a_new_organization_waits_for_verification_and_is_told(client, owner):
    client.force_login(owner)
    client.post(
        "/accounts/organization/new/",
        {"kind": "corporate", "name_ko": "새로운메드", "name_en": "NewMed", "country": "US"},
    )
    created = Organization.objects.get(name_en="NewMed")
    assert created.verified_at is None
    home = client.get("/workspace/").content.decode()
    assert (
        "플랫폼 운영진의 확인을 기다리고 있습니다. 기관이 확인되면 티저 내려받기와 다른 기관의 연락처가 열립니다. "
        "매칭과 미팅 요청은 지금도 쓸 수 있습니다."
    ) in home


def test_an_unverified_bd_team_gets_no_teaser_and_no_contacts_until_staff_verify(
    newcomer, offer, salon, startup, admin_client
):
    team, person = newcomer
    services.offer_update(offer=offer, teaser=upload())
    need = PartneringNeedFactory(organization=team, title="Lung AI partner")
    add_match(offer, need, 0.8)
    MeetingRequest.objects.create(
        event=salon, offer=offer, need=need, startup=startup, corporate=team, origin="corporate",
        status="accepted", requester=team, recipient=startup,
    )  # fmt: skip
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(person)
    api = APIClient()
    api.force_authenticate(person)

    def what_it_gets():
        page = browser.get(f"/workspace/offers/{offer.public_id}/")
        teaser = browser.get(f"/workspace/offers/{offer.public_id}/teaser.pdf")
        listed = api.get(f"/api/v1/offers/{offer.public_id}/").json()
        profile = api.get(f"/api/v1/organizations/{startup.pk}/").json()
        return (
            page.status_code,
            "Teaser (PDF)" in page.content.decode(),
            teaser.status_code,
            listed["teaser_url"] is not None,
            profile["contact_email"],
            api.get(f"/api/v1/organizations/{team.pk}/").json()["verified"],
        )

    assert what_it_gets() == (200, False, 404, False, None, False)
    answer = admin_client.post(
        "/admin/accounts/organization/", {"action": "verify", "_selected_action": [team.pk]}, follow=True
    )
    assert "기관 1곳을 확인했습니다." in answer.content.decode()
    browser.force_login(person)  # a new request: the affiliation is read again
    api.force_authenticate(person.__class__.objects.get(pk=person.pk))
    assert what_it_gets() == (200, True, 200, True, "contact@medivision.kr", True)
    audit = AuditEvent.objects.get(action="organization.verified")
    assert (audit.target_id, audit.actor.is_staff) == (str(team.pk), True)


def test_staff_see_the_website_domain_beside_the_members_domains(newcomer, admin_client):
    team, _person = newcomer
    assert team.domain_check() == ("novamed.com", ["novamed.com"], True)
    MembershipFactory(user=UserFactory(email="kim@gmail.com"), organization=team)
    assert team.domain_check() == ("novamed.com", ["gmail.com", "novamed.com"], False)
    listing = admin_client.get("/admin/accounts/organization/?verified=no").content.decode()
    assert "novamed.com / gmail.com, novamed.com (다름 — 직접 확인하세요)" in listing
    assert "MediVision" not in listing  # verified organizations are filtered out
