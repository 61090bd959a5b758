"""Meeting requests: transitions, quotas, expiry, disclosure of confidential needs, e-mails."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from accounts.models import OrganizationKind
from events import meeting_requests
from events.models import MeetingRequest
from matching import disclosure
from matching.models import Match
from matching.selectors import fit_warnings
from tests.factories import (
    DeviceAreaFactory,
    EventFactory,
    MembershipFactory,
    OrganizationFactory,
    PartneringNeedFactory,
    RegistrationFactory,
    StartupFactory,
    TechnologyOfferFactory,
    UserFactory,
)


def ask(**arguments):
    """A request whose fit is not what the test is about (``test_a_startup_sees_the_fit_warnings_first``
    covers the warnings)."""
    return meeting_requests.request_meeting(confirm_misfit=True, **arguments)


def messages_of(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


@pytest.fixture
def salon(db, settings):
    settings.REQUEST_EXPIRY_HOURS = 48
    settings.REQUEST_EXPIRY_WARNING_HOURS = 24
    event = EventFactory(status="open", meeting_quota=2)
    startup = StartupFactory(name_ko="메디비전", name_en="MediVision")
    corporate = OrganizationFactory(name_ko="글로벌메드", name_en="GlobalMed")
    offer = TechnologyOfferFactory(organization=startup)
    need = PartneringNeedFactory(organization=corporate)
    for organization in (startup, corporate):
        RegistrationFactory(event=event, organization=organization, status="approved", max_meetings=6)
    ko_user = UserFactory(email="ceo@medivision.kr", preferred_language="ko")
    en_user = UserFactory(email="bd@globalmed.com", preferred_language="en")
    MembershipFactory(user=ko_user, organization=startup)
    MembershipFactory(user=en_user, organization=corporate)
    return SimpleNamespace(
        event=event, startup=startup, corporate=corporate, offer=offer, need=need, ko_user=ko_user, en_user=en_user
    )


def test_a_startup_requests_and_the_bd_team_accepts(salon, django_capture_on_commit_callbacks):
    s = salon
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(
            event=s.event, requester=s.startup, offer=s.offer, need=s.need, user=s.ko_user, message="뵙고 싶습니다."
        )
    assert (request.status, request.origin, request.requester, request.recipient) == (
        "pending",
        "startup",
        s.startup,
        s.corporate,
    )
    assert request.expires_at - timezone.now() == pytest.approx(dt.timedelta(hours=48), abs=dt.timedelta(seconds=5))
    assert [m.to for m in mail.outbox] == [["bd@globalmed.com"]]
    assert mail.outbox[0].subject == "New meeting request from MediVision"
    assert "Message:\n뵙고 싶습니다." in mail.outbox[0].body

    with pytest.raises(ValidationError) as error:
        meeting_requests.accept(request, organization=s.startup)
    assert messages_of(error.value) == ["이 요청은 현재 상태(대기 중)에서 수락할 수 없습니다."]

    with django_capture_on_commit_callbacks(execute=True):
        meeting_requests.accept(request, organization=s.corporate, user=s.en_user)
    request.refresh_from_db()
    assert (request.status, request.responded_by) == ("accepted", s.en_user)
    assert [m.to for m in mail.outbox[1:]] == [["ceo@medivision.kr"]]
    assert mail.outbox[1].subject == "글로벌메드에서 미팅 요청을 수락했습니다"
    assert meeting_requests.commitments(s.event, s.startup) == 1
    assert disclosure.Disclosure.for_organization(s.startup).contacts(s.corporate.pk)


def test_a_second_live_request_for_the_same_pair_is_refused(salon):
    s = salon
    ask(event=s.event, requester=s.startup, offer=s.offer, need=s.need)
    with pytest.raises(ValidationError) as error:
        ask(event=s.event, requester=s.corporate, offer=s.offer, need=s.need)
    assert messages_of(error.value) == ["이 두 기관은 이 살롱에서 이미 요청을 주고받았습니다."]
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses it on its own
        MeetingRequest.objects.create(
            event=s.event,
            offer=s.offer,
            startup=s.startup,
            corporate=s.corporate,
            origin="organizer",
            status="accepted",
        )
    assert MeetingRequest.objects.count() == 1


def test_quota_counts_accepted_meetings_and_sent_pending_requests(salon):
    s = salon
    others = [OrganizationFactory() for _ in range(3)]
    for other in others:
        RegistrationFactory(event=s.event, organization=other, status="approved")
    ask(event=s.event, requester=s.startup, offer=s.offer, corporate=others[0])
    accepted = ask(event=s.event, requester=s.startup, offer=s.offer, corporate=others[1])
    meeting_requests.accept(accepted, organization=others[1])
    assert meeting_requests.commitments(s.event, s.startup) == 2
    with pytest.raises(ValidationError) as error:
        ask(event=s.event, requester=s.startup, offer=s.offer, corporate=others[2])
    assert messages_of(error.value) == ["메디비전은(는) 이 살롱의 미팅 한도(2건)에 도달했습니다."]
    assert MeetingRequest.objects.count() == 2


def test_requests_need_approved_registrations_and_an_open_salon(salon):
    s = salon
    outsider = OrganizationFactory(name_ko="미등록사", name_en="Unregistered Inc.")
    with pytest.raises(ValidationError) as error:
        ask(event=s.event, requester=s.startup, offer=s.offer, corporate=outsider)
    assert messages_of(error.value) == ["미등록사은(는) 이 살롱의 승인된 참가 기관이 아닙니다."]
    s.event.status = "published"
    s.event.save()
    with pytest.raises(ValidationError) as error:
        ask(event=s.event, requester=s.startup, offer=s.offer, need=s.need)
    assert messages_of(error.value) == ["이 살롱의 미팅 요청이 마감되었습니다."]
    assert MeetingRequest.objects.count() == 0


def test_one_cannot_request_for_another_organization(salon):
    s = salon
    third = StartupFactory()
    RegistrationFactory(event=s.event, organization=third, status="approved")
    with pytest.raises(ValidationError) as error:
        ask(event=s.event, requester=third, offer=s.offer, need=s.need)
    assert messages_of(error.value) == ["자기 기관의 미팅만 요청할 수 있습니다."]


def test_a_decline_needs_a_listed_reason_and_blocks_the_pair(salon, django_capture_on_commit_callbacks):
    s = salon
    request = ask(event=s.event, requester=s.startup, offer=s.offer, need=s.need)
    with pytest.raises(ValidationError) as error:
        meeting_requests.decline(request, organization=s.corporate, reason="boring")
    assert messages_of(error.value) == ["목록에서 사유를 선택하세요."]
    with django_capture_on_commit_callbacks(execute=True):
        meeting_requests.decline(request, organization=s.corporate, reason="too_early", user=s.en_user)
    request.refresh_from_db()
    assert (request.status, request.decline_reason) == ("declined", "too_early")
    assert mail.outbox[-1].to == ["ceo@medivision.kr"]
    assert mail.outbox[-1].subject == "글로벌메드에서 미팅 요청을 거절했습니다"
    assert "사유: 개발 단계가 너무 이름" in mail.outbox[-1].body
    with pytest.raises(ValidationError) as error:
        ask(event=s.event, requester=s.startup, offer=s.offer, need=s.need)
    assert messages_of(error.value) == ["이 살롱에서 거절된 미팅이므로 다시 요청할 수 없습니다."]


def test_a_proposal_is_taken_up_by_one_side_then_answered_by_the_other(salon):
    s = salon
    proposal = MeetingRequest.objects.create(
        event=s.event,
        offer=s.offer,
        need=s.need,
        startup=s.startup,
        corporate=s.corporate,
        origin="proposal",
        status="proposed",
        score=0.8,
    )
    meeting_requests.accept(proposal, organization=s.corporate)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.requester, proposal.recipient) == ("pending", s.corporate, s.startup)
    meeting_requests.accept(proposal, organization=s.startup)
    proposal.refresh_from_db()
    assert proposal.status == "accepted"
    meeting_requests.cancel(proposal, organization=s.startup)
    proposal.refresh_from_db()
    assert proposal.status == "cancelled"


def test_pending_requests_expire_and_recipients_are_warned_once(salon, django_capture_on_commit_callbacks):
    s = salon
    request = ask(event=s.event, requester=s.startup, offer=s.offer, need=s.need)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert meeting_requests.expire_due(now + dt.timedelta(hours=30)) == (0, 1)
    assert meeting_requests.expire_due(now + dt.timedelta(hours=31)) == (0, 0)
    assert mail.outbox[-1].subject == "A meeting request from MediVision expires soon"
    with django_capture_on_commit_callbacks(execute=True):
        assert meeting_requests.expire_due(now + dt.timedelta(hours=49)) == (1, 0)
    request.refresh_from_db()
    assert request.status == "expired"
    assert mail.outbox[-1].to == ["ceo@medivision.kr"]
    assert mail.outbox[-1].subject == "글로벌메드에 보낸 미팅 요청이 만료되었습니다"
    with pytest.raises(ValidationError):
        meeting_requests.accept(request, organization=s.corporate)


def test_a_confidential_need_stays_anonymous_until_the_team_engages(salon, django_capture_on_commit_callbacks):
    s = salon
    s.need.is_confidential = True
    s.need.save()
    s.need.areas.set([DeviceAreaFactory(code="cardiology", name_ko="심혈관", name_en="Cardiology")])
    assert not disclosure.Disclosure.for_organization(s.startup).need_identity(s.need)
    assert disclosure.Disclosure.for_organization(s.corporate).need_identity(s.need)
    assert disclosure.anonymous_label(s.need) == "글로벌 메드텍 BD팀 (심혈관)"
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(event=s.event, requester=s.startup, offer=s.offer, need=s.need)
        meeting_requests.decline(request, organization=s.corporate, reason="no_capacity")
    # The mail to the startup names neither the company nor the need.
    assert mail.outbox[-1].subject == "글로벌 메드텍 BD팀 (심혈관)에서 미팅 요청을 거절했습니다"
    assert s.need.title not in mail.outbox[-1].body
    assert "GlobalMed" not in mail.outbox[-1].body and "글로벌메드" not in mail.outbox[-1].body
    assert not disclosure.Disclosure.for_organization(s.startup).contacts(s.corporate.pk)

    other_offer = TechnologyOfferFactory(organization=s.startup)
    second = SimpleNamespace(event=EventFactory(status="open"))
    for organization in (s.startup, s.corporate):
        RegistrationFactory(event=second.event, organization=organization, status="approved")
    ask(event=second.event, requester=s.corporate, offer=other_offer, need=s.need)
    assert disclosure.Disclosure.for_organization(s.startup).need_identity(s.need)
    assert s.corporate.kind == OrganizationKind.CORPORATE


def _match(offer, need, score, misfits_ko=(), misfits_en=()):
    return Match.objects.create(
        offer=offer,
        need=need,
        score=score,
        components={"semantic": score},
        explanation={
            "ko": {"fits": ["공통 개념: 폐결절"], "misfits": list(misfits_ko)},
            "en": {"fits": ["Shared concepts: lung nodule"], "misfits": list(misfits_en)},
        },
        computed_at=timezone.now(),
    )


def test_a_startup_sees_the_fit_warnings_first(salon):
    s = salon
    _match(
        s.offer,
        s.need,
        0.41,
        ["너무 이름: 시제품 단계, 요구는 임상 이후"],
        ["too early: prototype, need asks for clinical or later"],
    )
    with pytest.raises(ValidationError) as error:
        meeting_requests.request_meeting(event=s.event, requester=s.startup, offer=s.offer, need=s.need)
    assert error.value.message_dict == {
        "confirm_misfit": ["요청을 보내기 전에 맞지 않는 점을 확인하세요:", "너무 이름: 시제품 단계, 요구는 임상 이후"]
    }
    with translation.override("en"), pytest.raises(ValidationError) as error:
        meeting_requests.request_meeting(event=s.event, requester=s.startup, offer=s.offer, need=s.need)
    assert error.value.message_dict == {
        "confirm_misfit": [
            "Before you send this request, note what does not fit:",
            "too early: prototype, need asks for clinical or later",
        ]
    }
    assert MeetingRequest.objects.count() == 0
    # Without a stored match for the pair (or for any need of the team) the startup is told so.
    other_need = PartneringNeedFactory(organization=s.corporate)
    assert fit_warnings(s.offer, other_need, s.corporate) == ["귀사의 기술은 이 수요의 매칭 결과에 없습니다."]
    third = OrganizationFactory()
    assert fit_warnings(s.offer, None, third) == ["귀사의 기술은 이 BD팀 수요들의 매칭 결과에 없습니다."]
    # Without a need the best match with any of the team's needs speaks.
    assert fit_warnings(s.offer, None, s.corporate) == ["너무 이름: 시제품 단계, 요구는 임상 이후"]
    # Confirmed, the request goes out; a BD team asking is never held back.
    sent = meeting_requests.request_meeting(
        event=s.event, requester=s.startup, offer=s.offer, need=s.need, confirm_misfit=True
    )
    assert (sent.status, sent.score) == ("pending", 0.41)
    assert fit_warnings(TechnologyOfferFactory(organization=s.startup), s.need, s.corporate) == [
        "귀사의 기술은 이 수요의 매칭 결과에 없습니다."
    ]


def test_a_fitting_request_needs_no_confirmation(salon):
    s = salon
    _match(s.offer, s.need, 0.8)
    request = meeting_requests.request_meeting(event=s.event, requester=s.startup, offer=s.offer, need=s.need)
    assert (request.status, request.origin, request.score) == ("pending", "startup", 0.8)


def test_the_organizer_arranges_a_meeting_both_sides_agreed_to(salon, django_capture_on_commit_callbacks):
    s = salon
    proposal = MeetingRequest.objects.create(
        event=s.event,
        offer=s.offer,
        need=s.need,
        startup=s.startup,
        corporate=s.corporate,
        origin="proposal",
        status="proposed",
        score=0.7,
    )
    stranger = OrganizationFactory(kind=OrganizationKind.ORGANIZER)
    with pytest.raises(ValidationError) as error:
        meeting_requests.arrange_meeting(event=s.event, organizer=stranger, offer=s.offer, need=s.need)
    assert messages_of(error.value) == ["이 살롱의 주최자만 미팅을 주선할 수 있습니다."]
    with django_capture_on_commit_callbacks(execute=True):
        arranged = meeting_requests.arrange_meeting(
            event=s.event, organizer=s.event.organizer, offer=s.offer, need=s.need, message="현장 합의"
        )
    assert arranged.pk == proposal.pk
    assert (arranged.status, arranged.origin, arranged.requester, arranged.recipient, arranged.score) == (
        "accepted",
        "organizer",
        None,
        None,
        0.7,
    )
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("bd@globalmed.com", "The organizer arranged a meeting with MediVision"),
        ("ceo@medivision.kr", "주최 측에서 글로벌메드와(과)의 미팅을 주선했습니다"),
    ]
    assert (meeting_requests.commitments(s.event, s.startup), meeting_requests.commitments(s.event, s.corporate)) == (
        1,
        1,
    )
    with pytest.raises(ValidationError) as error:
        meeting_requests.arrange_meeting(event=s.event, organizer=s.event.organizer, offer=s.offer, need=s.need)
    assert messages_of(error.value) == ["이 두 기관은 이 살롱에서 이미 미팅이 잡혀 있습니다."]
    # Quotas hold for arranged meetings too (the salon allows 2 per organization).
    others = [OrganizationFactory() for _ in range(2)]
    for other in others:
        RegistrationFactory(event=s.event, organization=other, status="approved")
    meeting_requests.arrange_meeting(event=s.event, organizer=s.event.organizer, offer=s.offer, corporate=others[0])
    with pytest.raises(ValidationError) as error:
        meeting_requests.arrange_meeting(event=s.event, organizer=s.event.organizer, offer=s.offer, corporate=others[1])
    assert messages_of(error.value) == ["메디비전은(는) 이 살롱의 미팅 한도(2건)에 도달했습니다."]
    s.event.status = "published"
    with pytest.raises(ValidationError) as error:
        meeting_requests.arrange_meeting(event=s.event, organizer=s.event.organizer, offer=s.offer, corporate=others[1])
    assert messages_of(error.value) == ["이 살롱에서는 더 이상 미팅을 주선할 수 없습니다."]
    assert MeetingRequest.objects.filter(status="accepted").count() == 2
