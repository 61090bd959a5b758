import datetime as dt

import pytest

from tests.factories import SEOUL, EventFactory, RegistrationFactory, SlotFactory, TableFactory


@pytest.fixture
def salon():
    event = EventFactory(
        title_ko="오송 디지털헬스 파트너링 살롱",
        title_en="Osong Digital Health Partnering Salon",
        slug="osong",
        city="osong",
        venue="오송 C&V센터",
        date=dt.date(2026, 12, 10),
        slot_minutes=20,
    )
    event.program.create(
        kind="bd_expert_talk",
        title_ko="글로벌 BD 강연",
        title_en="Global BD talk",
        speaker="Jane Doe",
        starts_at=dt.datetime(2026, 12, 10, 14, 10, tzinfo=SEOUL),
        ends_at=dt.datetime(2026, 12, 10, 14, 40, tzinfo=SEOUL),
    )
    for index in (1, 2, 3):
        SlotFactory(event=event, index=index)
    TableFactory(event=event, number=1)
    TableFactory(event=event, number=2)
    RegistrationFactory(event=event, status="approved")
    RegistrationFactory(event=event, status="pending")
    return event


@pytest.mark.django_db
def test_the_home_page_lists_upcoming_salons_in_korean_by_default(client, salon):
    EventFactory(status="draft", title_ko="비공개 초안 살롱")
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ko">' in html
    assert "오송 디지털헬스 파트너링 살롱" in html
    assert "스타트업 1곳, BD팀 0곳 참가" in html
    assert "비공개 초안 살롱" not in html  # drafts are not public


@pytest.mark.django_db
def test_the_home_page_switches_to_english(client, salon):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Osong Digital Health Partnering Salon" in html
    assert "1 startups and 0 BD teams registered" in html


@pytest.mark.django_db
def test_a_salon_page_shows_its_program_in_seoul_time(client, salon):
    html = client.get("/salons/osong/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "14:10–14:40" in html
    assert "Global BD talk" in html and "Jane Doe" in html
    assert "<dt>Meeting slots</dt><dd>3</dd>" in html
    assert "<dt>Tables</dt><dd>2</dd>" in html
    assert "20 minutes" in html


@pytest.mark.django_db
def test_a_draft_salon_is_not_found(client):
    EventFactory(slug="hidden", status="draft")
    assert client.get("/salons/hidden/").status_code == 404


@pytest.mark.django_db
def test_the_health_endpoint_checks_database_and_cache(client):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "cache": True,
        "broker": True,
    }


@pytest.mark.django_db
def test_the_login_page_and_api_docs_render(client):
    assert "로그인" in client.get("/accounts/login/").content.decode()
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/").content.decode()
    assert "cdn" not in docs.lower()  # served by the app itself


@pytest.mark.django_db
def test_the_program_shows_subfield_roundtables_with_their_hosts(client):
    from tests.factories import (
        ConceptFactory,
        DeviceAreaFactory,
        OrganizationFactory,
        PartneringNeedFactory,
        StartupFactory,
        TechnologyOfferFactory,
    )

    event = EventFactory(slug="daegu-rt", status="open")
    event.program.create(
        kind="roundtable",
        title_ko="분과 라운드테이블",
        title_en="Subfield roundtables",
        starts_at=dt.datetime(2026, 12, 10, 15, tzinfo=SEOUL),
        ends_at=dt.datetime(2026, 12, 10, 15, 40, tzinfo=SEOUL),
    )
    cardio = DeviceAreaFactory(code="cardiology", name_ko="심혈관", name_en="Cardiology")
    ecg = ConceptFactory(code="ecg", name_ko="심전도", name_en="ECG", area=cardio)
    for i in range(4):
        startup = StartupFactory(name_ko=f"심장스타트업{i}", name_en=f"Heart{i}")
        offer = TechnologyOfferFactory(organization=startup)
        offer.areas.set([cardio])
        offer.concepts.set([ecg])
        RegistrationFactory(event=event, organization=startup, status="approved")
    host = OrganizationFactory(name_ko="글로벌메드", name_en="GlobalMed")
    PartneringNeedFactory(organization=host).areas.set([cardio])
    RegistrationFactory(event=event, organization=host, status="approved")
    secret_host = OrganizationFactory(name_ko="비밀기업", name_en="SecretCo")
    PartneringNeedFactory(organization=secret_host, is_confidential=True).areas.set([cardio])
    RegistrationFactory(event=event, organization=secret_host, status="approved")
    html = client.get("/salons/daegu-rt/").content.decode()
    assert "분과 라운드테이블" in html
    assert "<strong>심혈관</strong> · 글로벌메드 진행" in html
    assert "심장스타트업0, 심장스타트업1, 심장스타트업2, 심장스타트업3" in html
    assert "공통 주제: 심전도" in html
    assert "비밀기업" not in html  # a confidential need does not make its team a public host


@pytest.mark.django_db
def test_a_success_case_from_an_earlier_salon_is_featured_in_the_program(client, salon):
    from events.models import Meeting, MeetingRequest, Outcome
    from tests.factories import OrganizationFactory, StartupFactory, TechnologyOfferFactory

    earlier = EventFactory(slug="pangyo-old", title_ko="제1회 판교 살롱", title_en="1st Pangyo Salon", status="closed")
    startup = StartupFactory(name_ko="하트라인", name_en="Heartline")
    corporate = OrganizationFactory(name_ko="노스브리지", name_en="Northbridge")
    request = MeetingRequest.objects.create(
        event=earlier,
        offer=TechnologyOfferFactory(organization=startup),
        startup=startup,
        corporate=corporate,
        origin="organizer",
        status="accepted",
    )
    slot = SlotFactory(event=earlier, index=1)
    meeting = Meeting.objects.create(
        event=earlier,
        request=request,
        startup=startup,
        corporate=corporate,
        slot=slot,
        table=TableFactory(event=earlier),
    )
    case = Outcome.objects.create(meeting=meeting, organization=startup, took_place=True, next_step="term_sheet")
    item = salon.program.get()
    item.success_case = case
    item.save()
    html = client.get("/salons/osong/").content.decode()
    assert "하트라인 ↔ 노스브리지, 제1회 판교 살롱에서 만남: 텀시트" in html


@pytest.mark.django_db
def test_a_startup_applies_to_an_open_salon_and_errors_stay_next_to_the_form(client, startup, owner):
    from django.utils import timezone

    from events.models import Registration

    now = timezone.now()
    event = EventFactory(
        slug="apply-here",
        status="open",
        registration_opens_at=now - dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(days=3),
    )
    slot = SlotFactory(event=event, index=1)
    client.force_login(owner)
    page = client.get("/salons/apply-here/apply/").content.decode()
    assert 'name="organization"' in page and 'name="unavailable_slots"' in page
    answer = client.post(
        "/salons/apply-here/apply/",
        {"organization": startup.pk, "max_meetings": 4, "unavailable_slots": [slot.pk], "languages": ["ko", "en"]},
    )
    assert answer.status_code == 302, answer.content.decode()[-2000:]
    registration = Registration.objects.get(event=event)
    assert (registration.status, registration.max_meetings, registration.languages) == ("pending", 4, ["ko", "en"])
    assert list(registration.unavailable_slots.all()) == [slot]
    assert list(registration.representatives.all()) == [owner]
    again = client.post("/salons/apply-here/apply/", {"organization": startup.pk, "max_meetings": 4})
    assert "이미 이 살롱에 참가 신청을 했습니다." in again.content.decode()
    assert Registration.objects.count() == 1
