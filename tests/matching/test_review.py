"""The review that puts a startup's offer live (``matching.review``): the queue at /organize/review/
and the API actions. Staff review any offer, an organizer those of startups that applied to its
salons, everyone else gets 404; approving matches at once and mails the startup, returning needs a
comment that the startup then reads; both are audited."""

from types import SimpleNamespace

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from matching import match_service
from matching.models import Match
from tests.factories import (
    EventFactory,
    PartneringNeedFactory,
    RegistrationFactory,
    StartupFactory,
    TechnologyOfferFactory,
    UserFactory,
)
from tests.matching.test_match_service import MODEL, embed


@pytest.fixture
def world(startup, owner, organizer, other_organizer, corporate, bd, monkeypatch):
    monkeypatch.setattr(match_service, "get_backend", lambda: SimpleNamespace(model_name=MODEL))
    salon = EventFactory(organizer=organizer.organization, status="open")
    RegistrationFactory(event=salon, organization=startup, status="pending")
    submitted = TechnologyOfferFactory(organization=startup, title="흉부 CT 폐결절 AI", status="submitted")
    elsewhere = TechnologyOfferFactory(organization=StartupFactory(), title="Other startup's", status="submitted")
    need = PartneringNeedFactory(organization=corporate, title="Lung AI for CT")
    embed(submitted, [1, 0])
    embed(need, [1, 0])
    return SimpleNamespace(
        offer=submitted,
        elsewhere=elsewhere,
        need=need,
        organizer=organizer.user,
        other_organizer=other_organizer.user,
        staff=UserFactory(is_staff=True, email="staff@salon.local"),
        owner=owner,
        bd=bd,
    )


def browser(user, language="ko") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def api(user, language="ko") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def queue_of(user) -> list[str]:
    return [offer.title for offer in browser(user).get("/organize/review/").context["offers"]]


def test_who_sees_which_offers_in_the_queue(world):
    assert queue_of(world.organizer) == ["흉부 CT 폐결절 AI"]  # its applicant's, not another startup's
    assert sorted(queue_of(world.staff)) == ["Other startup's", "흉부 CT 폐결절 AI"]
    assert queue_of(world.other_organizer) == []  # an organizer whose salons it did not apply to
    for outsider in (world.owner, world.bd):
        assert browser(outsider).get("/organize/review/").status_code == 404
    page = browser(world.organizer, "en").get("/organize/review/").content.decode()
    assert f'action="/organize/review/{world.offer.public_id}/approve/"' in page
    assert f'action="/organize/review/{world.elsewhere.public_id}/approve/"' not in page


def test_approving_puts_the_offer_live_matches_it_and_mails_the_startup(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = browser(world.organizer).post(f"/organize/review/{world.offer.public_id}/approve/")
    assert (response.status_code, response["Location"]) == (302, "/organize/review/")
    world.offer.refresh_from_db()
    assert (world.offer.status, world.offer.reviewed_by, world.offer.review_comment) == (
        "approved",
        world.organizer,
        "",
    )
    assert list(Match.objects.values_list("offer__title", "need__title")) == [("흉부 CT 폐결절 AI", "Lung AI for CT")]
    (message,) = mail.outbox
    assert (message.to, message.subject) == (["ceo@medivision.kr"], "“흉부 CT 폐결절 AI” 기술이 승인되었습니다")
    assert "/workspace/" in message.body
    audit = AuditEvent.objects.get(action="offer.reviewed")
    assert (audit.actor, audit.target_id) == (world.organizer, str(world.offer.pk))
    assert audit.details == {"outcome": "approved"}
    assert queue_of(world.organizer) == []
    # Approved once: a second approval is refused with the state.
    again = api(world.organizer).post(f"/api/v1/offers/{world.offer.public_id}/approve/")
    assert (again.status_code, again.json()) == (
        400,
        {"non_field_errors": ["제출된 기술만 심사할 수 있습니다. 이 기술은 승인됨 상태입니다."]},
    )


def test_returning_needs_a_comment_that_the_startup_then_reads(world, django_capture_on_commit_callbacks):
    url = f"/organize/review/{world.offer.public_id}/return/"
    empty = browser(world.organizer).post(url, {"comment": "  "})
    assert empty.status_code == 400
    assert "스타트업이 무엇을 고쳐야 하는지 적어 주세요." in empty.content.decode()
    world.offer.refresh_from_db()
    assert world.offer.status == "submitted"
    with django_capture_on_commit_callbacks(execute=True):
        response = browser(world.organizer).post(url, {"comment": "인허가 현황(MFDS 등급)을 적어 주세요."})
    assert response.status_code == 302
    world.offer.refresh_from_db()
    assert (world.offer.status, world.offer.review_comment) == ("draft", "인허가 현황(MFDS 등급)을 적어 주세요.")
    (message,) = mail.outbox
    assert message.subject == "“흉부 CT 폐결절 AI” 기술이 보완 요청과 함께 반려되었습니다"
    assert "인허가 현황(MFDS 등급)을 적어 주세요." in message.body
    home = browser(world.owner).get("/workspace/").content.decode()
    assert "<strong>심사자의 보완 요청:</strong> 인허가 현황(MFDS 등급)을 적어 주세요." in home


def test_the_api_actions_follow_the_same_rules(world):
    path = f"/api/v1/offers/{world.offer.public_id}"
    for outsider in (world.other_organizer, world.owner, world.bd):
        assert api(outsider).post(f"{path}/approve/").status_code == 404
        assert api(outsider).post(f"{path}/return/", {"comment": "x"}, format="json").status_code == 404
    missing = api(world.staff, "en").post(f"{path}/return/", {}, format="json")
    assert (missing.status_code, missing.json()) == (400, {"comment": ["This field is required."]})
    returned = api(world.staff, "en").post(f"{path}/return/", {"comment": "Add the CE class."}, format="json")
    assert returned.status_code == 200
    assert (returned.json()["status"], returned.json()["review_comment"]) == ("draft", "Add the CE class.")
    # The startup submits again; staff approve through the API.
    world.offer.status = "submitted"
    world.offer.save()
    approved = api(world.staff).post(f"/api/v1/offers/{world.elsewhere.public_id}/approve/")
    assert (approved.status_code, approved.json()["status"], approved.json()["review_comment"]) == (
        200,
        "approved",
        "",
    )
