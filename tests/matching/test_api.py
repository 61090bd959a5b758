"""The /api/v1/ resources: authentication, visibility per organization, writes, filters, query counts."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from events.models import MeetingRequest
from matching.models import Match, RegulatoryApproval, Shortlist, TechnologyOffer
from tests.factories import (
    DeviceAreaFactory,
    OrganizationFactory,
    PartneringNeedFactory,
    TechnologyOfferFactory,
)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def add_match(offer, need, score):
    return Match.objects.create(
        offer=offer,
        need=need,
        score=score,
        components={"semantic": score},
        explanation={
            "ko": {"fits": ["공통 개념: 폐결절"], "misfits": []},
            "en": {"fits": ["Shared concepts: lung nodule"], "misfits": []},
        },
        computed_at=timezone.now(),
    )


def test_a_token_is_exchanged_for_e_mail_and_password(owner):
    client = APIClient()
    answer = client.post("/api/v1/auth/token/", {"email": owner.email, "password": "correct horse battery"})
    assert answer.status_code == 201
    token = answer.json()["token"]
    wrong = client.post("/api/v1/auth/token/", {"email": owner.email, "password": "wrong"})
    assert wrong.status_code == 400
    assert wrong.json() == {"non_field_errors": ["이메일 또는 비밀번호가 올바르지 않습니다."]}
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/offers/").status_code == 200
    anonymous = APIClient().get("/api/v1/offers/")
    assert (anonymous.status_code, anonymous["WWW-Authenticate"]) == (401, "Token")


def test_offers_show_own_drafts_and_others_published_offers_only(owner, outsider, offer, draft_offer, rival_offer):
    titles = {row["title"] for row in client_for(owner).get("/api/v1/offers/").json()["results"]}
    assert titles == {"Lung nodule AI", "초안 기술", "Rival prototype"}
    titles = {row["title"] for row in client_for(outsider).get("/api/v1/offers/").json()["results"]}
    assert titles == {"Lung nodule AI", "Rival prototype"}
    assert client_for(outsider).get(f"/api/v1/offers/{draft_offer.public_id}/").status_code == 404


def test_an_outsiders_write_answers_404_and_changes_nothing(outsider, offer):
    answer = client_for(outsider).patch(f"/api/v1/offers/{offer.public_id}/", {"title": "hijacked"}, format="json")
    assert answer.status_code == 404
    assert TechnologyOffer.objects.get(pk=offer.pk).title == "Lung nodule AI"


def test_a_startup_adds_an_offer_through_the_service_with_localised_errors(
    startup, owner, rival, django_capture_on_commit_callbacks
):
    payload = {
        "organization": startup.pk,
        "title": "심전도 패치",
        "description": "웨어러블 심전도 패치로 부정맥을 감지합니다.",
        "stage": "clinical",
        "deal_types": ["licensing"],
        "target_regions": ["KR", "US"],
        "status": "submitted",
    }
    answer = client_for(owner).post("/api/v1/offers/", payload, format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["language"] == "ko"
    bad = client_for(owner).post(
        "/api/v1/offers/", {**payload, "title": "다른 제목", "stage": "phase3", "deal_types": ["gift"]}, format="json"
    )
    assert bad.status_code == 400
    assert bad.json()["stage"] == ['"phase3"은 유효하지 않은 선택입니다.']
    foreign = client_for(owner).post("/api/v1/offers/", {**payload, "organization": rival.pk}, format="json")
    assert foreign.json() == {"organization": ["자기 기관의 프로필만 추가할 수 있습니다."]}
    assert TechnologyOffer.objects.filter(title="다른 제목").count() == 0


def test_it_rejects_an_owner_approving_its_own_offer(startup, owner, offer, draft_offer):
    payload = {
        "organization": startup.pk,
        "title": "자가 승인 기술",
        "description": "스스로 승인하려는 기술입니다.",
        "stage": "clinical",
        "deal_types": ["licensing"],
        "target_regions": ["KR"],
        "status": "approved",
    }
    created = client_for(owner).post("/api/v1/offers/", payload, format="json")
    assert (created.status_code, created.json()) == (
        400,
        {"status": ["심사자만 기술 제안을 승인할 수 있습니다. 심사를 요청해 주세요."]},
    )
    assert not TechnologyOffer.objects.filter(title="자가 승인 기술").exists()
    patched = client_for(owner).patch(f"/api/v1/offers/{draft_offer.public_id}/", {"status": "approved"}, format="json")
    assert patched.status_code == 400
    draft_offer.refresh_from_db()
    assert draft_offer.status == "draft"
    # Submitting for review is the owner's; an approved offer may be sent back with its status unchanged.
    submitted = client_for(owner).patch(
        f"/api/v1/offers/{draft_offer.public_id}/", {"status": "submitted"}, format="json"
    )
    kept = client_for(owner).patch(f"/api/v1/offers/{offer.public_id}/", {"status": "approved"}, format="json")
    assert (submitted.json()["status"], kept.status_code, kept.json()["status"]) == ("submitted", 200, "approved")


def test_confidential_needs_stay_out_of_other_organizations_need_lists(owner, bd, need, confidential_need):
    titles = {row["title"] for row in client_for(owner).get("/api/v1/needs/").json()["results"]}
    assert titles == {"Lung AI for CT"}
    titles = {row["title"] for row in client_for(bd).get("/api/v1/needs/").json()["results"]}
    assert titles == {"Lung AI for CT", "Secret cardiology program"}
    assert client_for(owner).get(f"/api/v1/needs/{confidential_need.public_id}/").status_code == 404


def test_matches_anonymise_a_confidential_need_until_the_team_engages(
    salon, offer, confidential_need, need, rival_offer, owner, bd, startup, corporate
):
    add_match(offer, confidential_need, 0.9)
    add_match(offer, need, 0.7)
    add_match(rival_offer, need, 0.8)
    rows = client_for(owner).get("/api/v1/matches/").json()["results"]
    assert [(row["offer"]["title"], row["need"]["title"], row["need"]["organization_name"]) for row in rows] == [
        ("Lung nodule AI", "글로벌 메드텍 BD팀 (심혈관)", "글로벌 메드텍 BD팀 (심혈관)"),
        ("Lung nodule AI", "Lung AI for CT", "글로벌메드"),
    ]
    assert rows[0]["need"]["organization"] is None
    assert rows[0]["explanation"]["ko"]["fits"] == ["공통 개념: 폐결절"]
    bd_rows = client_for(bd).get("/api/v1/matches/", {"need": str(need.public_id)}).json()["results"]
    assert [row["offer"]["organization_name"] for row in bd_rows] == ["경쟁사", "메디비전"]

    MeetingRequest.objects.create(
        event=salon,
        offer=offer,
        need=confidential_need,
        startup=startup,
        corporate=corporate,
        requester=corporate,
        recipient=startup,
        origin="corporate",
        status="pending",
    )
    rows = client_for(owner).get("/api/v1/matches/").json()["results"]
    assert rows[0]["need"]["title"] == "Secret cardiology program"


def test_bd_teams_filter_a_needs_startups(offer, rival_offer, need, bd):
    offer.target_regions = ["GLOBAL"]
    offer.deal_types = ["licensing", "distribution"]
    offer.save()
    offer.areas.set([DeviceAreaFactory(code="imaging", name_ko="영상", name_en="Imaging")])
    RegulatoryApproval.objects.create(offer=offer, market="US", pathway="fda_510k", status="granted")
    rival_offer.stage = "prototype"
    rival_offer.target_regions = ["KR"]
    rival_offer.save()
    add_match(offer, need, 0.7)
    add_match(rival_offer, need, 0.8)
    client = client_for(bd)

    def startups(**filters):
        rows = client.get("/api/v1/matches/", {"need": str(need.public_id), **filters}).json()["results"]
        return [row["offer"]["organization_name"] for row in rows]

    assert startups() == ["경쟁사", "메디비전"]
    assert startups(stage="prototype") == ["경쟁사"]
    assert startups(region="EU") == ["메디비전"]  # GLOBAL covers every region
    assert startups(region="KR") == ["경쟁사", "메디비전"]
    assert startups(deal_type="distribution") == ["메디비전"]
    assert startups(approval="US") == ["메디비전"]
    assert startups(area="imaging") == ["메디비전"]
    assert startups(min_score=0.75) == ["경쟁사"]
    assert client.get("/api/v1/matches/", {"stage": "phase9"}).status_code == 400


@pytest.mark.parametrize("extra", [0, 12])
def test_the_match_list_costs_a_constant_number_of_queries(
    offer, confidential_need, owner, django_assert_num_queries, extra
):
    add_match(offer, confidential_need, 0.9)
    for _ in range(extra):
        need = PartneringNeedFactory(organization=OrganizationFactory(), is_confidential=True)
        need.areas.set([DeviceAreaFactory(code="cardiology")])
        add_match(offer, need, 0.5)
    client = client_for(owner)
    # memberships, count, page, need areas, engaged BD teams
    with django_assert_num_queries(5):
        assert client.get("/api/v1/matches/").status_code == 200


def test_requests_through_the_api(
    salon, startup, corporate, offer, confidential_need, owner, outsider, bd, django_capture_on_commit_callbacks
):
    add_match(offer, confidential_need, 0.9)
    founder = client_for(owner)
    created = founder.post(
        "/api/v1/requests/",
        {
            "event": salon.pk,
            "offer": str(offer.public_id),
            "need": str(confidential_need.public_id),
            "message": "안녕하세요",
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["corporate"], body["corporate_name"]) == (
        "pending",
        None,
        "글로벌 메드텍 BD팀 (심혈관)",
    )
    pk = body["id"]
    # Another startup does not see it, and cannot act on it.
    assert client_for(outsider).post(f"/api/v1/requests/{pk}/accept/").status_code == 404
    assert client_for(outsider).get("/api/v1/requests/").json()["results"] == []
    # The requester cannot accept its own request.
    refused = founder.post(f"/api/v1/requests/{pk}/accept/")
    assert refused.status_code == 400
    assert refused.json() == {"non_field_errors": ["이 요청은 현재 상태(대기 중)에서 수락할 수 없습니다."]}
    bad_reason = client_for(bd).post(f"/api/v1/requests/{pk}/decline/", {"reason": "meh"})
    assert bad_reason.status_code == 400
    accepted = client_for(bd).post(f"/api/v1/requests/{pk}/accept/")
    assert accepted.json()["status"] == "accepted"
    after = founder.get(f"/api/v1/requests/{pk}/").json()
    assert (after["corporate"], after["corporate_name"]) == (corporate.pk, "글로벌메드")
    contacts = founder.get(f"/api/v1/organizations/{corporate.pk}/").json()
    assert contacts["contact_email"] == "bd@globalmed.com"
    rival_view = client_for(outsider).get(f"/api/v1/organizations/{corporate.pk}/").json()
    assert rival_view["contact_email"] is None
    cancelled = founder.post(f"/api/v1/requests/{pk}/cancel/")
    assert cancelled.json()["status"] == "cancelled"


def test_the_schema_and_docs_are_served(db, client):
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


def test_bd_staff_shortlist_matches_and_filter_by_it(
    offer, need, rival, bd, owner, outsider, django_assert_num_queries
):
    kept = add_match(offer, need, 0.9)
    other = add_match(TechnologyOfferFactory(organization=rival), need, 0.8)
    bd_client = client_for(bd)
    answer = bd_client.post(f"/api/v1/matches/{kept.pk}/shortlist/", {"note": "IR 자료 요청"})
    assert answer.status_code == 200, answer.json()
    assert answer.json()["shortlisted"] is True
    assert Shortlist.objects.get().note == "IR 자료 요청"
    assert [(m["id"], m["shortlisted"]) for m in bd_client.get("/api/v1/matches/").json()["results"]] == [
        (kept.pk, True),
        (other.pk, False),
    ]
    assert [m["id"] for m in bd_client.get("/api/v1/matches/?shortlisted=true").json()["results"]] == [kept.pk]
    assert [m["id"] for m in bd_client.get("/api/v1/matches/?shortlisted=false").json()["results"]] == [other.pk]
    # The startup's own view of the same match is not affected by the BD team's shortlist.
    assert client_for(owner).get(f"/api/v1/matches/{kept.pk}/").json()["shortlisted"] is False
    # Another organization cannot reach the match at all.
    assert client_for(outsider).post(f"/api/v1/matches/{kept.pk}/shortlist/").status_code == 404
    too_long = bd_client.post(f"/api/v1/matches/{other.pk}/shortlist/", {"note": "x" * 501})
    assert too_long.status_code == 400
    assert Shortlist.objects.count() == 1
    # The shortlist flag is part of the list query: count, rows, need areas, filtered or not.
    for url in ("/api/v1/matches/?shortlisted=true", "/api/v1/matches/"):
        with django_assert_num_queries(3):
            assert bd_client.get(url).status_code == 200
    assert bd_client.delete(f"/api/v1/matches/{kept.pk}/shortlist/").status_code == 204
    assert Shortlist.objects.count() == 0


def test_a_startup_confirms_the_fit_warning_and_the_organizer_arranges(
    salon, organizer, corporate, offer, need, owner, rival_offer, outsider
):
    match = add_match(offer, need, 0.35)
    match.explanation["ko"]["misfits"] = ["너무 이름: 시제품 단계, 요구는 임상 이후"]
    match.save()
    founder = client_for(owner)
    payload = {"event": salon.pk, "offer": str(offer.public_id), "need": str(need.public_id)}
    warned = founder.post("/api/v1/requests/", payload)
    assert warned.status_code == 400
    assert warned.json() == {
        "confirm_misfit": ["요청을 보내기 전에 맞지 않는 점을 확인하세요:", "너무 이름: 시제품 단계, 요구는 임상 이후"]
    }
    assert MeetingRequest.objects.count() == 0
    sent = founder.post("/api/v1/requests/", {**payload, "confirm_misfit": True})
    assert sent.status_code == 201
    # The salon's organizer arranges a meeting between two other organizations: accepted at once.
    arranged = client_for(organizer.user).post(
        "/api/v1/requests/", {"event": salon.pk, "offer": str(rival_offer.public_id), "corporate": corporate.pk}
    )
    assert arranged.status_code == 201, arranged.json()
    assert (arranged.json()["status"], arranged.json()["origin"]) == ("accepted", "organizer")
    # Nobody else arranges for others.
    refused = client_for(outsider).post(
        "/api/v1/requests/", {"event": salon.pk, "offer": str(offer.public_id), "corporate": corporate.pk}
    )
    assert refused.json() == {"non_field_errors": ["자기 기관의 미팅만 요청할 수 있습니다."]}
