"""Meeting requests: transitions, quotas, expiry, disclosure of confidential needs, e-mails."""

import datetime as dt
import threading
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
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
    OrganizationFactory,
    PartneringNeedFactory,
    RegistrationFactory,
    StartupFactory,
    TechnologyOfferFactory,
)


def ask(**arguments):
    """A request whose fit is not what the test is about (``test_a_startup_sees_the_fit_warnings_first``
    covers the warnings)."""
    return meeting_requests.meeting_request_create(confirm_misfit=True, **arguments)


def messages_of(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


@pytest.fixture(autouse=True)
def _expiry_windows(settings):
    settings.REQUEST_EXPIRY_HOURS = 48
    settings.REQUEST_EXPIRY_WARNING_HOURS = 24


def test_a_startup_requests_and_the_bd_team_accepts(
    salon, startup, offer, need, owner, corporate, bd, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(event=salon, requester=startup, offer=offer, need=need, user=owner, message="뵙고 싶습니다.")
    assert (request.status, request.origin, request.requester, request.recipient) == (
        "pending",
        "startup",
        startup,
        corporate,
    )
    assert request.expires_at - timezone.now() == pytest.approx(dt.timedelta(hours=48), abs=dt.timedelta(seconds=5))
    assert [m.to for m in mail.outbox] == [["bd@globalmed.com"]]
    assert mail.outbox[0].subject == "New meeting request from MediVision"
    assert "Message:\n뵙고 싶습니다." in mail.outbox[0].body

    with pytest.raises(ValidationError) as error:
        meeting_requests.meeting_request_accept(meeting_request=request, organization=startup)
    assert messages_of(error.value) == ["이 요청은 현재 상태(대기 중)에서 수락할 수 없습니다."]

    with django_capture_on_commit_callbacks(execute=True):
        meeting_requests.meeting_request_accept(meeting_request=request, organization=corporate, user=bd)
    request.refresh_from_db()
    assert (request.status, request.responded_by) == ("accepted", bd)
    assert [m.to for m in mail.outbox[1:]] == [["ceo@medivision.kr"]]
    assert mail.outbox[1].subject == "글로벌메드에서 미팅 요청을 수락했습니다"
    assert meeting_requests.commitments(salon, startup) == 1
    assert disclosure.Disclosure.for_organization(startup).contacts(corporate.pk)


def test_a_second_live_request_for_the_same_pair_is_refused(salon, startup, offer, need, corporate):
    ask(event=salon, requester=startup, offer=offer, need=need)
    with pytest.raises(ValidationError) as error:
        ask(event=salon, requester=corporate, offer=offer, need=need)
    assert messages_of(error.value) == ["이 두 기관은 이 살롱에서 이미 요청을 주고받았습니다."]
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses it on its own
        MeetingRequest.objects.create(
            event=salon,
            offer=offer,
            startup=startup,
            corporate=corporate,
            origin="organizer",
            status="accepted",
        )
    assert MeetingRequest.objects.count() == 1


def test_quota_counts_accepted_meetings_and_sent_pending_requests(salon, startup, offer):
    others = [OrganizationFactory() for _ in range(3)]
    for other in others:
        RegistrationFactory(event=salon, organization=other, status="approved")
    ask(event=salon, requester=startup, offer=offer, corporate=others[0])
    accepted = ask(event=salon, requester=startup, offer=offer, corporate=others[1])
    meeting_requests.meeting_request_accept(meeting_request=accepted, organization=others[1])
    assert meeting_requests.commitments(salon, startup) == 2
    with pytest.raises(ValidationError) as error:
        ask(event=salon, requester=startup, offer=offer, corporate=others[2])
    assert messages_of(error.value) == ["메디비전은(는) 이 살롱의 미팅 한도(2건)에 도달했습니다."]
    assert MeetingRequest.objects.count() == 2


def test_requests_need_approved_registrations_and_an_open_salon(salon, startup, offer, need):
    unregistered = OrganizationFactory(name_ko="미등록사", name_en="Unregistered Inc.")
    with pytest.raises(ValidationError) as error:
        ask(event=salon, requester=startup, offer=offer, corporate=unregistered)
    # The other side is not named (a confidential need's team must not be, and one wording keeps
    # every need alike); the requester's own registration is.
    assert messages_of(error.value) == ["이 BD팀은 이 살롱의 승인된 참가 기관이 아닙니다."]
    newcomer = StartupFactory(name_ko="새내기")
    with pytest.raises(ValidationError) as error:
        ask(event=salon, requester=newcomer, offer=TechnologyOfferFactory(organization=newcomer), need=need)
    assert messages_of(error.value) == ["새내기은(는) 이 살롱의 승인된 참가 기관이 아닙니다."]
    salon.status = "published"
    salon.save()
    with pytest.raises(ValidationError) as error:
        ask(event=salon, requester=startup, offer=offer, need=need)
    assert messages_of(error.value) == ["이 살롱의 미팅 요청이 마감되었습니다."]
    assert MeetingRequest.objects.count() == 0


def test_it_rejects_an_outsider_requesting_with_another_organizations_offer(salon, rival, offer, need):
    with pytest.raises(ValidationError) as error:
        ask(event=salon, requester=rival, offer=offer, need=need)
    assert messages_of(error.value) == ["자기 기관의 미팅만 요청할 수 있습니다."]


def test_a_decline_needs_a_listed_reason_and_blocks_the_pair(
    salon, startup, offer, need, corporate, bd, owner, django_capture_on_commit_callbacks
):
    request = ask(event=salon, requester=startup, offer=offer, need=need)
    with pytest.raises(ValidationError) as error:
        meeting_requests.meeting_request_decline(meeting_request=request, organization=corporate, reason="boring")
    assert messages_of(error.value) == ["목록에서 사유를 선택하세요."]
    with django_capture_on_commit_callbacks(execute=True):
        meeting_requests.meeting_request_decline(
            meeting_request=request, organization=corporate, reason="too_early", user=bd
        )
    request.refresh_from_db()
    assert (request.status, request.decline_reason) == ("declined", "too_early")
    assert mail.outbox[-1].to == ["ceo@medivision.kr"]
    assert mail.outbox[-1].subject == "글로벌메드에서 미팅 요청을 거절했습니다"
    assert "사유: 개발 단계가 너무 이름" in mail.outbox[-1].body
    with pytest.raises(ValidationError) as error:
        ask(event=salon, requester=startup, offer=offer, need=need)
    assert messages_of(error.value) == ["이 살롱에서 거절된 미팅이므로 다시 요청할 수 없습니다."]


def test_a_proposal_is_taken_up_by_one_side_then_answered_by_the_other(salon, offer, need, startup, corporate):
    proposal = MeetingRequest.objects.create(
        event=salon,
        offer=offer,
        need=need,
        startup=startup,
        corporate=corporate,
        origin="proposal",
        status="proposed",
        score=0.8,
    )
    meeting_requests.meeting_request_accept(meeting_request=proposal, organization=corporate)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.requester, proposal.recipient) == ("pending", corporate, startup)
    meeting_requests.meeting_request_accept(meeting_request=proposal, organization=startup)
    proposal.refresh_from_db()
    assert proposal.status == "accepted"
    meeting_requests.meeting_request_cancel(meeting_request=proposal, organization=startup)
    proposal.refresh_from_db()
    assert proposal.status == "cancelled"


def test_pending_requests_expire_and_recipients_are_warned_once(
    salon, startup, offer, need, corporate, owner, bd, django_capture_on_commit_callbacks
):
    request = ask(event=salon, requester=startup, offer=offer, need=need)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert meeting_requests.meeting_requests_expire_due(now=now + dt.timedelta(hours=30)) == (0, 1)
    assert meeting_requests.meeting_requests_expire_due(now=now + dt.timedelta(hours=31)) == (0, 0)
    assert mail.outbox[-1].subject == "A meeting request from MediVision expires soon"
    with django_capture_on_commit_callbacks(execute=True):
        assert meeting_requests.meeting_requests_expire_due(now=now + dt.timedelta(hours=49)) == (1, 0)
    request.refresh_from_db()
    assert request.status == "expired"
    assert mail.outbox[-1].to == ["ceo@medivision.kr"]
    assert mail.outbox[-1].subject == "글로벌메드에 보낸 미팅 요청이 만료되었습니다"
    with pytest.raises(ValidationError):
        meeting_requests.meeting_request_accept(meeting_request=request, organization=corporate)


def test_a_confidential_need_stays_anonymous_until_the_team_engages(
    salon, need, startup, corporate, offer, owner, bd, django_capture_on_commit_callbacks
):
    need.is_confidential = True
    need.save()
    need.areas.set([DeviceAreaFactory(code="cardiology", name_ko="심혈관", name_en="Cardiology")])
    assert not disclosure.Disclosure.for_organization(startup).need_identity(need)
    assert disclosure.Disclosure.for_organization(corporate).need_identity(need)
    assert disclosure.anonymous_label(need) == "글로벌 메드텍 BD팀 (심혈관)"
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(event=salon, requester=startup, offer=offer, need=need)
        meeting_requests.meeting_request_decline(meeting_request=request, organization=corporate, reason="no_capacity")
    # The mail to the startup names neither the company nor the need.
    assert mail.outbox[-1].subject == "글로벌 메드텍 BD팀 (심혈관)에서 미팅 요청을 거절했습니다"
    assert need.title not in mail.outbox[-1].body
    assert "GlobalMed" not in mail.outbox[-1].body and "글로벌메드" not in mail.outbox[-1].body
    assert not disclosure.Disclosure.for_organization(startup).contacts(corporate.pk)

    other_offer = TechnologyOfferFactory(organization=startup)
    second = SimpleNamespace(event=EventFactory(status="open"))
    for organization in (startup, corporate):
        RegistrationFactory(event=second.event, organization=organization, status="approved")
    ask(event=second.event, requester=corporate, offer=other_offer, need=need)
    assert disclosure.Disclosure.for_organization(startup).need_identity(need)
    assert corporate.kind == OrganizationKind.CORPORATE


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


def test_a_startup_sees_the_fit_warnings_first(salon, offer, need, startup, corporate, other_corporate):
    _match(
        offer,
        need,
        0.41,
        ["너무 이름: 시제품 단계, 요구는 임상 이후"],
        ["too early: prototype, need asks for clinical or later"],
    )
    with pytest.raises(ValidationError) as error:
        meeting_requests.meeting_request_create(event=salon, requester=startup, offer=offer, need=need)
    assert error.value.message_dict == {
        "confirm_misfit": ["요청을 보내기 전에 맞지 않는 점을 확인하세요:", "너무 이름: 시제품 단계, 요구는 임상 이후"]
    }
    with translation.override("en"), pytest.raises(ValidationError) as error:
        meeting_requests.meeting_request_create(event=salon, requester=startup, offer=offer, need=need)
    assert error.value.message_dict == {
        "confirm_misfit": [
            "Before you send this request, note what does not fit:",
            "too early: prototype, need asks for clinical or later",
        ]
    }
    assert MeetingRequest.objects.count() == 0
    # Without a stored match for the pair (or for any need of the team) the startup is told so.
    other_need = PartneringNeedFactory(organization=corporate)
    assert fit_warnings(offer, other_need, corporate) == ["귀사의 기술은 이 수요의 매칭 결과에 없습니다."]
    assert fit_warnings(offer, None, other_corporate) == ["귀사의 기술은 이 BD팀 수요들의 매칭 결과에 없습니다."]
    # Without a need the best match with any of the team's needs speaks.
    assert fit_warnings(offer, None, corporate) == ["너무 이름: 시제품 단계, 요구는 임상 이후"]
    # Confirmed, the request goes out; a BD team asking is never held back.
    sent = meeting_requests.meeting_request_create(
        event=salon, requester=startup, offer=offer, need=need, confirm_misfit=True
    )
    assert (sent.status, sent.score) == ("pending", 0.41)
    assert fit_warnings(TechnologyOfferFactory(organization=startup), need, corporate) == [
        "귀사의 기술은 이 수요의 매칭 결과에 없습니다."
    ]


def test_a_fitting_request_needs_no_confirmation(salon, offer, need, startup):
    _match(offer, need, 0.8)
    request = meeting_requests.meeting_request_create(event=salon, requester=startup, offer=offer, need=need)
    assert (request.status, request.origin, request.score) == ("pending", "startup", 0.8)


def test_the_organizer_arranges_a_meeting_both_sides_agreed_to(
    salon, offer, need, startup, corporate, owner, bd, other_organizer, django_capture_on_commit_callbacks
):
    proposal = MeetingRequest.objects.create(
        event=salon,
        offer=offer,
        need=need,
        startup=startup,
        corporate=corporate,
        origin="proposal",
        status="proposed",
        score=0.7,
    )
    with pytest.raises(ValidationError) as error:
        meeting_requests.meeting_request_arrange(
            event=salon, organizer=other_organizer.organization, offer=offer, need=need
        )
    assert messages_of(error.value) == ["이 살롱의 주최자만 미팅을 주선할 수 있습니다."]
    with django_capture_on_commit_callbacks(execute=True):
        arranged = meeting_requests.meeting_request_arrange(
            event=salon, organizer=salon.organizer, offer=offer, need=need, message="현장 합의"
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
    assert (meeting_requests.commitments(salon, startup), meeting_requests.commitments(salon, corporate)) == (1, 1)
    with pytest.raises(ValidationError) as error:
        meeting_requests.meeting_request_arrange(event=salon, organizer=salon.organizer, offer=offer, need=need)
    assert messages_of(error.value) == ["이 두 기관은 이 살롱에서 이미 미팅이 잡혀 있습니다."]
    # Quotas hold for arranged meetings too (the salon allows 2 per organization).
    others = [OrganizationFactory() for _ in range(2)]
    for other in others:
        RegistrationFactory(event=salon, organization=other, status="approved")
    meeting_requests.meeting_request_arrange(event=salon, organizer=salon.organizer, offer=offer, corporate=others[0])
    with pytest.raises(ValidationError) as error:
        meeting_requests.meeting_request_arrange(
            event=salon, organizer=salon.organizer, offer=offer, corporate=others[1]
        )
    assert messages_of(error.value) == ["메디비전은(는) 이 살롱의 미팅 한도(2건)에 도달했습니다."]
    salon.status = "published"
    with pytest.raises(ValidationError) as error:
        meeting_requests.meeting_request_arrange(
            event=salon, organizer=salon.organizer, offer=offer, corporate=others[1]
        )
    assert messages_of(error.value) == ["이 살롱에서는 더 이상 미팅을 주선할 수 없습니다."]
    assert MeetingRequest.objects.filter(status="accepted").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_cannot_exceed_the_quota(salon, startup, offer, corporate, other_corporate, monkeypatch):
    """The startup has one place left and asks two BD teams at the same moment: the first holds its
    transaction open after its quota check; the second waits for the registration's row lock, then
    finds the place taken (on PostgreSQL; SQLite serialises the two transactions anyway)."""
    salon.meeting_quota = 1
    salon.save(update_fields=["meeting_quota"])
    RegistrationFactory(event=salon, organization=other_corporate, status="approved")
    checked = threading.Event()
    original = meeting_requests._check_quota

    def slow_check(event, organization, **kwargs):
        original(event, organization, **kwargs)
        if threading.current_thread().name == "first":
            checked.set()
            threading.Event().wait(0.5)  # keep the transaction open while the second one tries

    monkeypatch.setattr(meeting_requests, "_check_quota", slow_check)
    outcomes = {}

    def ask_for(name, bd_team):
        try:
            if name == "second":
                checked.wait(5)
            ask(event=salon, requester=startup, offer=offer, corporate=bd_team)
            outcomes[name] = "sent"
        except ValidationError as error:
            outcomes[name] = error.code
        finally:
            connection.close()

    threads = [
        threading.Thread(target=ask_for, name="first", args=("first", corporate)),
        threading.Thread(target=ask_for, name="second", args=("second", other_corporate)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert outcomes == {"first": "sent", "second": "quota"}
    assert meeting_requests.commitments(salon, startup) == 1
