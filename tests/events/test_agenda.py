"""Agendas after scheduling: who sees which meetings (API and pages), calendar files and feeds with
stable UIDs and SEQUENCE, organizer moves and exports, outcomes and the funnel, "met before"."""

import datetime as dt
import io
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import icalendar
import openpyxl
import pytest
from django.core import mail
from django.db.models import F
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import tokens
from accounts.models import Organization
from events import agenda, follow_up, salon_service, schedule_service
from events.models import Event, Meeting, MeetingRequest, Outcome, ProgramItem, Slot, Table
from matching.models import PartneringNeed, TechnologyOffer
from tests.factories import (
    EventFactory,
    MembershipFactory,
    OrganizationFactory,
    PartneringNeedFactory,
    RegistrationFactory,
    StartupFactory,
    TechnologyOfferFactory,
    UserFactory,
)

SEOUL = ZoneInfo("Asia/Seoul")


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SEOUL)


def make_salon(day: dt.date, slug: str, pairs, *, organizer=None):
    event = EventFactory(
        status="matching",
        slug=slug,
        date=day,
        slot_minutes=20,
        changeover_minutes=5,
        **({"organizer": organizer} if organizer else {}),
    )
    ProgramItem.objects.create(
        event=event,
        kind="partnering",
        title_ko="1:1 미팅",
        title_en="1:1 meetings",
        starts_at=at(day, 14),
        ends_at=at(day, 15, 10),
    )
    salon_service.slots_generate(event=event)
    salon_service.tables_generate(event=event, count=2)
    registered = set()
    for startup, corporate, offer, score in pairs:
        for organization in (startup, corporate):
            if organization.pk not in registered:
                RegistrationFactory(event=event, organization=organization, status="approved")
                registered.add(organization.pk)
        MeetingRequest.objects.create(
            event=event,
            offer=offer,
            startup=startup,
            corporate=corporate,
            origin="organizer",
            status="accepted",
            score=score,
        )
    schedule_service.event_schedule(event=event, time_limit=1)
    return event


@pytest.fixture
def world(db):
    startup = StartupFactory(name_ko="메디비전", name_en="MediVision")
    other_startup = StartupFactory(name_ko="카디오텍", name_en="CardioTech")
    corporate = OrganizationFactory(name_ko="글로벌메드", name_en="GlobalMed")
    offer = TechnologyOfferFactory(organization=startup, title="폐결절 AI")
    other_offer = TechnologyOfferFactory(organization=other_startup, title="심전도 패치")
    founder, rival, bd, organizer_user = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    MembershipFactory(user=founder, organization=startup)
    MembershipFactory(user=rival, organization=other_startup)
    MembershipFactory(user=bd, organization=corporate)
    past = make_salon(dt.date(2026, 6, 10), "past-salon", [(startup, corporate, offer, 0.9)])
    past.status = "closed"
    past.save()
    event = make_salon(
        dt.date(2026, 12, 10),
        "osong-12",
        [(startup, corporate, offer, 0.8), (other_startup, corporate, other_offer, 0.7)],
        organizer=past.organizer,
    )
    MembershipFactory(user=organizer_user, organization=event.organizer)
    mine = Meeting.objects.get(event=event, startup=startup)
    theirs = Meeting.objects.get(event=event, startup=other_startup)
    return SimpleNamespace(**locals())


def parse(body: bytes):
    return [component for component in icalendar.Calendar.from_ical(body).walk("VEVENT")]


def test_participants_see_their_meetings_once_published_and_organizers_always(world, django_assert_num_queries):
    w = world
    founder = client_for(w.founder)
    assert [m["id"] for m in founder.get("/api/v1/meetings/").json()["results"]] == [
        Meeting.objects.get(event=w.past).pk
    ]
    organizer = client_for(w.organizer_user)
    assert {m["id"] for m in organizer.get(f"/api/v1/meetings/?event={w.event.pk}").json()["results"]} == {
        w.mine.pk,
        w.theirs.pk,
    }
    salon_service.event_transition(event=w.event, action="close_requests")
    salon_service.event_transition(event=w.event, action="publish")
    rows = founder.get(f"/api/v1/meetings/?event={w.event.pk}").json()["results"]
    assert [(m["id"], m["corporate_name"], m["met_before"]) for m in rows] == [(w.mine.pk, "글로벌메드", True)]
    other = client_for(w.rival).get(f"/api/v1/meetings/?event={w.event.pk}").json()["results"]
    assert [(m["id"], m["met_before"]) for m in other] == [(w.theirs.pk, False)]
    # Another startup's meeting answers 404, and so do the organizer's actions to participants.
    assert client_for(w.rival).get(f"/api/v1/meetings/{w.mine.pk}/").status_code == 404
    assert founder.post(f"/api/v1/meetings/{w.mine.pk}/lock/", {"locked": True}).status_code == 404
    for _ in range(2):  # a constant number of queries, whatever the rows
        # count, rows (with salon, slot, table, sides, offer), "met before" (affiliation is cached)
        with django_assert_num_queries(3):
            assert organizer.get("/api/v1/meetings/").status_code == 200
        make_salon(
            dt.date(2027, 1, 5), f"more-{_}", [(w.startup, w.corporate, w.offer, 0.5)], organizer=w.event.organizer
        )


def test_the_calendar_replaces_a_moved_meeting_and_removes_a_cancelled_one(world):
    w = world
    salon_service.event_transition(event=w.event, action="close_requests")
    salon_service.event_transition(event=w.event, action="publish")
    download = client_for(w.founder).get("/api/v1/meetings/agenda.ics")
    assert (download.status_code, download["Content-Type"]) == (200, "text/calendar; charset=utf-8"), download.content
    first = parse(download.content)
    entries = {str(event["UID"]): event for event in first}
    uid = w.mine.calendar_uid
    assert entries[uid]["SEQUENCE"] == 0
    start = entries[uid].decoded("DTSTART")
    assert start == w.mine.slot.starts_at and str(start.tzinfo) == "Asia/Seoul"
    assert str(entries[uid]["SUMMARY"]) == "글로벌메드와(과)의 1:1 미팅"
    # The organizer moves it: same UID, SEQUENCE 1, the new time.
    free = next(slot for slot in w.event.slots.all() if slot.pk not in (w.mine.slot_id, w.theirs.slot_id))
    table = w.event.tables.get(number=2)
    moved = client_for(w.organizer_user).post(
        f"/api/v1/meetings/{w.mine.pk}/move/", {"slot": free.pk, "table": table.pk}
    )
    assert moved.status_code == 200, moved.json()
    assert (moved.json()["locked"], moved.json()["sequence"]) == (True, 1)
    browser = Client()
    browser.force_login(w.founder)
    again = {str(event["UID"]): event for event in parse(browser.get("/agenda.ics").content)}
    assert (again[uid]["SEQUENCE"], again[uid].decoded("DTSTART")) == (1, free.starts_at)
    # Cancelled: the entry stays in the feed as STATUS:CANCELLED with a higher SEQUENCE.
    cancelled = client_for(w.bd).post(f"/api/v1/meetings/{w.mine.pk}/cancel/")
    assert cancelled.json()["status"] == "cancelled"
    token = tokens.feed_token(w.founder)
    feed = {str(event["UID"]): event for event in parse(Client().get(f"/calendar/{token}.ics").content)}
    assert (str(feed[uid]["STATUS"]), feed[uid]["SEQUENCE"]) == ("CANCELLED", 2)
    # The feed token is the key: a forged one is refused; a password change leaves it alone (it
    # holds no password material), rotating the calendar key revokes it.
    assert APIClient().get(f"/calendar/{token}x.ics").status_code == 404
    w.founder.set_password("new-secret-123")
    w.founder.save()
    assert APIClient().get(f"/calendar/{token}.ics").status_code == 200
    tokens.rotate_calendar_key(w.founder)
    assert APIClient().get(f"/calendar/{token}.ics").status_code == 404
    assert APIClient().get(f"/calendar/{tokens.feed_token(w.founder)}.ics").status_code == 200


def test_the_agenda_page_and_organizer_exports(world, client):
    w = world
    salon_service.event_transition(event=w.event, action="close_requests")
    salon_service.event_transition(event=w.event, action="publish")
    client.force_login(w.founder)
    page = client.get("/agenda/").content.decode()
    assert "글로벌메드" in page and "카디오텍" not in page and "/calendar/" in page
    assert client.get("/salons/osong-12/schedule.xlsx").status_code == 404  # not the organizer
    client.force_login(w.organizer_user)
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/salons/osong-12/schedule.xlsx").content))
    grid = workbook.worksheets[0]
    cells = [str(cell.value) for row in grid.iter_rows() for cell in row if cell.value]
    assert any(cell.startswith("메디비전 ↔ 글로벌메드") for cell in cells)
    assert any(cell.startswith("카디오텍 ↔ 글로벌메드") for cell in cells)
    printable = client.get("/salons/osong-12/schedule/").content.decode()
    # Two meetings in the grid; each startup again on its table's sheet and in the attendee list.
    assert (printable.count("↔"), printable.count("메디비전"), printable.count("카디오텍")) == (2, 3, 3)


def test_each_side_reports_its_outcome_and_the_funnel_counts_the_furthest_step(world, settings):
    w = world
    past_meeting = Meeting.objects.get(event=w.past)
    founder, bd = client_for(w.founder), client_for(w.bd)
    refused = founder.post(
        "/api/v1/outcomes/", {"meeting": past_meeting.pk, "took_place": False, "next_step": "nda_cda"}
    )
    assert refused.status_code == 400
    assert refused.json() == {"next_step": ["진행되지 않은 미팅에는 다음 단계가 없습니다."]}
    assert (
        founder.post(
            "/api/v1/outcomes/", {"meeting": past_meeting.pk, "took_place": True, "next_step": "follow_up_call"}
        ).status_code
        == 201
    )
    answer = bd.post("/api/v1/outcomes/", {"meeting": past_meeting.pk, "took_place": True, "next_step": "evaluation"})
    assert answer.status_code == 201
    # Another startup cannot report on it; the upcoming salon's meeting cannot be reported yet.
    assert (
        client_for(w.rival).post("/api/v1/outcomes/", {"meeting": past_meeting.pk, "took_place": True}).status_code
        == 404
    )
    salon_service.event_transition(event=w.event, action="close_requests")
    salon_service.event_transition(event=w.event, action="publish")
    early = founder.post("/api/v1/outcomes/", {"meeting": w.mine.pk, "took_place": True})
    assert early.json() == {"non_field_errors": ["아직 시작하지 않은 미팅입니다."]}
    (funnel, upcoming) = follow_up.funnels([w.past, w.event])
    assert funnel.ordered() == [
        ("meetings", 1),
        ("held", 1),
        ("follow_up_call", 1),
        ("nda_cda", 1),
        ("evaluation", 1),
        ("term_sheet", 0),
        ("deal", 0),
    ]
    assert upcoming.ordered()[:2] == [("meetings", 2), ("held", 0)]
    updated = founder.patch(f"/api/v1/outcomes/{answer.json()['id']}/", {"next_step": "deal"})
    assert updated.status_code == 404  # the BD team's report is not the startup's to change
    assert [o["next_step"] for o in client_for(w.organizer_user).get("/api/v1/outcomes/").json()["results"]] == [
        "evaluation",
        "follow_up_call",
    ]


def test_salons_are_listed_and_organizations_register(world):
    w = world
    draft = EventFactory(status="draft", slug="draft-salon", organizer=w.event.organizer)
    anonymous = APIClient().get("/api/v1/events/").json()["results"]
    assert "draft-salon" not in [e["slug"] for e in anonymous]
    assert "draft-salon" in [e["slug"] for e in client_for(w.organizer_user).get("/api/v1/events/").json()["results"]]
    detail = APIClient().get("/api/v1/events/osong-12/").json()
    assert [slot["index"] for slot in detail["slots"]] == [1, 2, 3]
    assert [table["name"] for table in detail["tables"]] == ["1번 테이블", "2번 테이블"]
    opening = EventFactory(
        status="open",
        slug="pangyo-open",
        registration_opens_at=timezone.now() - dt.timedelta(days=1),
        registration_closes_at=timezone.now() + dt.timedelta(days=5),
    )
    newcomer = StartupFactory()
    user = UserFactory()
    MembershipFactory(user=user, organization=newcomer)
    created = client_for(user).post(
        "/api/v1/events/pangyo-open/register/", {"organization": newcomer.pk, "max_meetings": 4, "languages": ["ko"]}
    )
    assert created.status_code == 201, created.json()
    assert (created.json()["status"], created.json()["max_meetings"]) == ("pending", 4)
    again = client_for(user).post("/api/v1/events/pangyo-open/register/", {"organization": newcomer.pk})
    assert again.json() == {"non_field_errors": ["이미 이 살롱에 참가 신청을 했습니다."]}
    foreign = client_for(user).post("/api/v1/events/pangyo-open/register/", {"organization": w.startup.pk})
    assert foreign.json() == {"organization": ["소속 기관 중에서 선택하세요."]}
    closed = client_for(w.founder).post("/api/v1/events/osong-12/register/", {"organization": w.startup.pk})
    assert closed.json() == {"non_field_errors": ["이 살롱의 참가 신청이 마감되었습니다."]}
    assert (draft.registrations.count(), opening.registrations.get().organization) == (0, newcomer)


def test_publishing_mails_each_representative_its_agenda_with_a_calendar(world, django_capture_on_commit_callbacks):
    w = world
    w.bd.preferred_language = "en"
    w.bd.save()
    salon_service.event_transition(event=w.event, action="close_requests")
    with django_capture_on_commit_callbacks(execute=True):
        salon_service.event_transition(event=w.event, action="publish")
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_recipient) == sorted([w.founder.email, w.rival.email, w.bd.email])
    founder_mail, bd_mail = by_recipient[w.founder.email], by_recipient[w.bd.email]
    assert founder_mail.subject == f"{w.event.title_ko} 일정이 공개되었습니다"
    start = timezone.localtime(w.mine.slot.starts_at)
    assert f"{start:%H:%M}" in founder_mail.body and "글로벌메드" in founder_mail.body
    assert bd_mail.subject == f"Your agenda for {w.event.title_en} is published"
    assert bd_mail.body.count(" · with ") == 2  # the BD team meets both startups
    name, content, mimetype = founder_mail.attachments[0]
    assert (name, mimetype) == ("osong-12.ics", "text/calendar")
    assert [str(event["UID"]) for event in parse(content)] == [w.mine.calendar_uid]


def test_organizers_see_the_funnel_of_their_salons(world):
    w = world
    past_meeting = Meeting.objects.get(event=w.past)
    client_for(w.founder).post(
        "/api/v1/outcomes/", {"meeting": past_meeting.pk, "took_place": True, "next_step": "nda_cda"}
    )
    rows = client_for(w.organizer_user).get("/api/v1/events/funnel/").json()
    assert [
        (row["event"], row["steps"]["meetings"], row["steps"]["held"], row["steps"]["nda_cda"]) for row in rows
    ] == [
        ("past-salon", 1, 1, 1),
        ("osong-12", 2, 0, 0),
    ]
    assert client_for(w.founder).get("/api/v1/events/funnel/").json() == []  # not an organizer


def test_participants_record_outcomes_from_their_agenda(world, client):
    w = world
    past_meeting = Meeting.objects.get(event=w.past)
    client.force_login(w.founder)
    agenda_page = client.get("/agenda/").content.decode()
    assert f"/agenda/meetings/{past_meeting.pk}/outcome/" in agenda_page
    assert f"/agenda/meetings/{w.mine.pk}/outcome/" not in agenda_page  # not published, not started
    refused = client.post(
        f"/agenda/meetings/{past_meeting.pk}/outcome/", {"took_place": "no", "next_step": "nda_cda", "note": ""}
    )
    assert "진행되지 않은 미팅에는 다음 단계가 없습니다." in refused.content.decode()
    saved = client.post(
        f"/agenda/meetings/{past_meeting.pk}/outcome/",
        {"took_place": "yes", "next_step": "nda_cda", "note": "NDA 체결"},
    )
    assert saved.status_code == 302
    outcome = Outcome.objects.get(meeting=past_meeting)
    assert (outcome.organization, outcome.took_place, outcome.next_step, outcome.note) == (
        w.startup,
        True,
        "nda_cda",
        "NDA 체결",
    )
    assert "NDA/CDA 체결" in client.get("/agenda/").content.decode()
    client.force_login(w.rival)
    assert client.get(f"/agenda/meetings/{past_meeting.pk}/outcome/").status_code == 404


def _change_time(w):
    Slot.objects.filter(pk=w.mine.slot_id).update(
        starts_at=F("starts_at") - dt.timedelta(minutes=5), ends_at=F("ends_at") - dt.timedelta(minutes=5)
    )


CALENDAR_CHANGES = {
    "time": _change_time,
    "venue": lambda w: Event.objects.filter(pk=w.event.pk).update(venue="오송 C&V센터 2층"),
    "table": lambda w: Table.objects.filter(pk=w.mine.table_id).update(label="회의실 A"),
    "salon title": lambda w: Event.objects.filter(pk=w.event.pk).update(title_en="Osong MedTech Salon"),
    "organization name": lambda w: Organization.objects.filter(pk=w.corporate.pk).update(name_ko="글로벌메드코리아"),
    "offer title": lambda w: TechnologyOffer.objects.filter(pk=w.offer.pk).update(title="폐결절 AI 2.0"),
    "need title": lambda w: PartneringNeed.objects.filter(pk=w.need.pk).update(title="Lung nodule triage v2"),
}


@pytest.mark.parametrize("change", CALENDAR_CHANGES)
def test_the_calendar_sequence_grows_by_one_with_every_change_the_entry_shows(world, change):
    w = world
    w.need = PartneringNeedFactory(organization=w.corporate, title="Lung nodule triage")
    MeetingRequest.objects.filter(pk=w.mine.request_id).update(need=w.need)
    salon_service.event_transition(event=w.event, action="close_requests")
    salon_service.event_transition(event=w.event, action="publish")
    feed_url = f"/calendar/{tokens.feed_token(w.founder)}.ics"

    def read():
        body = Client().get(feed_url).content
        return body, {str(event["UID"]): event["SEQUENCE"] for event in parse(body)}

    first, sequences = read()
    uid = w.mine.calendar_uid
    assert read() == (first, sequences)  # an unchanged feed read twice: the same bytes and SEQUENCE
    CALENDAR_CHANGES[change](w)
    changed, after = read()
    assert after[uid] == sequences[uid] + 1
    assert read() == (changed, after)
    # The API shows the sequence the calendar carries, in either language.
    api = client_for(w.founder).get(f"/api/v1/meetings/{w.mine.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert api.json()["sequence"] == sequences[uid] + 1


def test_two_readers_of_the_same_change_raise_the_sequence_once(world):
    w = world
    first, second = (Meeting.objects.select_related(*agenda.CALENDAR_RELATED).get(pk=w.mine.pk) for _ in range(2))
    before = first.sequence
    Organization.objects.filter(pk=w.startup.pk).update(name_en="MediVision Health")
    first.startup.name_en = second.startup.name_en = "MediVision Health"
    agenda.calendar_sync([first])
    agenda.calendar_sync([second])  # read before the first reader wrote: its old fingerprint no longer matches
    assert (first.sequence, second.sequence, Meeting.objects.get(pk=w.mine.pk).sequence) == (before + 1,) * 3


def test_a_cancelled_meeting_renamed_afterwards_stays_cancelled_with_a_higher_sequence(world):
    w = world
    salon_service.event_transition(event=w.event, action="close_requests")
    salon_service.event_transition(event=w.event, action="publish")
    assert client_for(w.bd).post(f"/api/v1/meetings/{w.mine.pk}/cancel/").status_code == 200
    feed_url = f"/calendar/{tokens.feed_token(w.founder)}.ics"
    cancelled = {str(e["UID"]): e for e in parse(Client().get(feed_url).content)}[w.mine.calendar_uid]
    Organization.objects.filter(pk=w.corporate.pk).update(name_ko="글로벌메드코리아")
    renamed = {str(e["UID"]): e for e in parse(Client().get(feed_url).content)}[w.mine.calendar_uid]
    assert (str(renamed["STATUS"]), renamed["SEQUENCE"]) == ("CANCELLED", cancelled["SEQUENCE"] + 1)
    assert str(renamed["SUMMARY"]) == "글로벌메드코리아와(과)의 1:1 미팅"
