"""Scheduling a salon from the database: slots from the program, the schedule service, re-scheduling
with few moves, manual moves and locks, the ``schedule`` command, and the database refusing
double-booking under concurrent transactions."""

import datetime as dt
import threading
from io import StringIO
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from events import meeting_requests, salon_service, schedule_service
from events.models import Meeting, MeetingRequest, ProgramItem, Slot, Table
from tests.factories import (
    EventFactory,
    OrganizationFactory,
    RegistrationFactory,
    StartupFactory,
    TechnologyOfferFactory,
)

SEOUL = ZoneInfo("Asia/Seoul")


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, 10, hour, minute, tzinfo=SEOUL)


def test_slots_are_cut_from_the_partnering_blocks_around_breaks():
    times = salon_service.slot_times([(at(14), at(16))], [(at(15), at(15, 15))], minutes=20, changeover=5)
    assert [(start.strftime("%H:%M"), end.strftime("%H:%M")) for start, end in times] == [
        ("14:00", "14:20"),
        ("14:25", "14:45"),
        ("15:15", "15:35"),
        ("15:40", "16:00"),
    ]


@pytest.fixture
def salon(db):
    event = EventFactory(status="matching", slot_minutes=20, changeover_minutes=5)
    ProgramItem.objects.create(
        event=event,
        kind="partnering",
        title_ko="1:1 미팅",
        title_en="1:1 meetings",
        starts_at=at(14),
        ends_at=at(15, 10),
    )
    slots = salon_service.slots_generate(event=event)
    tables = salon_service.tables_generate(event=event, count=2, labels=["A홀"])
    startups = [StartupFactory(name_en=f"S{i}", name_ko=f"스타트업{i}") for i in range(1, 4)]
    corporates = [OrganizationFactory(name_en=f"C{i}", name_ko=f"기업{i}") for i in range(1, 3)]
    offers = {startup.pk: TechnologyOfferFactory(organization=startup) for startup in startups}
    registrations = {
        organization.pk: RegistrationFactory(event=event, organization=organization, status="approved", max_meetings=6)
        for organization in startups + corporates
    }
    return SimpleNamespace(
        event=event, slots=slots, tables=tables, s=startups, c=corporates, offers=offers, registrations=registrations
    )


def accepted(salon, startup, corporate, score) -> MeetingRequest:
    return MeetingRequest.objects.create(
        event=salon.event,
        offer=salon.offers[startup.pk],
        startup=startup,
        corporate=corporate,
        origin="organizer",
        status="accepted",
        score=score,
    )


def grid(event) -> dict[tuple[str, str], tuple[int, int]]:
    return {
        (m.startup.name_en, m.corporate.name_en): (m.slot.index, m.table.number)
        for m in Meeting.objects.filter(event=event, status="scheduled").select_related(
            "slot", "table", "startup", "corporate"
        )
    }


def test_full_availability_uses_exactly_delta_slots_and_rescheduling_moves_nothing(salon):
    s, c = salon.s, salon.c
    assert [slot.starts_at.astimezone(SEOUL).strftime("%H:%M") for slot in salon.slots] == ["14:00", "14:25", "14:50"]
    assert [str(table) for table in salon.tables] == ["A홀", "2번 테이블"]
    first = accepted(salon, s[0], c[0], 0.9)
    accepted(salon, s[1], c[0], 0.8)
    accepted(salon, s[2], c[0], 0.7)
    accepted(salon, s[0], c[1], 0.6)
    accepted(salon, s[1], c[1], 0.5)
    report = schedule_service.event_schedule(event=salon.event, time_limit=2)
    assert (report.requested, report.placed, report.max_degree, report.slots_used, report.moved) == (5, 5, 3, 3, 0)
    assert report.method == "konig"
    before = grid(salon.event)
    assert len(before) == 5
    by_slot = {}
    for pair, (slot, _table) in before.items():
        by_slot.setdefault(slot, []).extend(pair)
    assert all(len(names) == len(set(names)) for names in by_slot.values())  # nobody twice in a slot
    assert Meeting.objects.filter(sequence=0).count() == 5

    # A cancellation takes the meeting off the agenda (its calendar entry is cancelled) ...
    meeting_requests.meeting_request_cancel(meeting_request=first, organization=c[0])
    cancelled = Meeting.objects.get(request=first)
    assert (cancelled.status, cancelled.slot.index, cancelled.sequence) == ("cancelled", before[("S1", "C1")][0], 1)
    # ... and re-scheduling moves none of the others, nor does a new acceptance that fits.
    accepted(salon, s[2], c[1], 0.4)
    again = schedule_service.event_schedule(event=salon.event, time_limit=2)
    assert (again.requested, again.placed, again.moved) == (5, 5, 0)
    after = grid(salon.event)
    del before[("S1", "C1")]
    assert {pair: after[pair] for pair in before} == before
    # Nothing moved: every placed meeting (the four kept and the new one) is at its first version.
    assert Meeting.objects.filter(status="scheduled", sequence=0).count() == 5


def test_unavailable_sides_are_reported_with_the_reason(salon):
    s, c = salon.s, salon.c
    accepted(salon, s[0], c[0], 0.9)
    accepted(salon, s[2], c[1], 0.3)
    salon.registrations[s[2].pk].unavailable_slots.set(salon.slots)
    out = StringIO()
    call_command("schedule", "--event", salon.event.slug, "--time-limit", "2", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[-1] == "  unplaced: 스타트업3 ↔ 기업2: 두 기관이 함께 참석할 수 있는 슬롯이 없습니다"
    assert any(line.startswith(f"{salon.event.slug}: 배정: 1/2, 사용한 슬롯: 1, Δ(하한): 1, 이동: 0") for line in lines)
    meeting = Meeting.objects.get(startup=s[2])
    assert (meeting.status, meeting.unplaced_reason, meeting.slot) == ("unplaced", "unavailable", None)


def test_the_command_names_a_missing_salon(db):
    with pytest.raises(CommandError) as error:
        call_command("schedule", "--event", "nowhere")
    assert (str(error.value), error.value.returncode) == ("No salon with id or slug 'nowhere'.", 2)


def test_a_manual_move_is_checked_then_locked_and_kept(salon):
    s, c = salon.s, salon.c
    accepted(salon, s[0], c[0], 0.9)
    accepted(salon, s[1], c[0], 0.8)
    schedule_service.event_schedule(event=salon.event, time_limit=1)
    first, second = Meeting.objects.order_by("-score")
    organizer = salon.event.organizer
    with pytest.raises(ValidationError) as error:  # C1 already meets S1 in that slot
        schedule_service.meeting_move(meeting=second, slot=first.slot, table=salon.tables[1], organizer=organizer)
    assert error.value.messages == ["이 슬롯은 비어 있지 않습니다: 테이블이나 두 기관 중 한 곳에 이미 미팅이 있습니다."]
    with pytest.raises(ValidationError) as error:
        schedule_service.meeting_move(meeting=second, slot=first.slot, table=salon.tables[1], organizer=s[0])
    assert error.value.messages == ["이 살롱의 주최자만 일정을 바꿀 수 있습니다."]
    free = next(slot for slot in salon.slots if slot.pk not in (first.slot_id, second.slot_id))
    moved = schedule_service.meeting_move(meeting=second, slot=free, table=salon.tables[1], organizer=organizer)
    assert (moved.slot, moved.table, moved.locked, moved.sequence) == (free, salon.tables[1], True, 1)
    report = schedule_service.event_schedule(event=salon.event, time_limit=1)
    second.refresh_from_db()
    assert (second.slot, second.table, report.moved) == (free, salon.tables[1], 0)


def test_slots_and_tables_cannot_be_regenerated_under_placed_meetings(salon):
    accepted(salon, salon.s[0], salon.c[0], 0.9)
    schedule_service.event_schedule(event=salon.event, time_limit=1)
    with pytest.raises(ValidationError):
        salon_service.slots_generate(event=salon.event)
    with pytest.raises(ValidationError):
        salon_service.tables_generate(event=salon.event, count=3)
    assert (Slot.objects.filter(event=salon.event).count(), Table.objects.filter(event=salon.event).count()) == (3, 2)


def test_the_lifecycle_moves_one_step_at_a_time(db):
    event = EventFactory(status="draft")
    event = salon_service.event_transition(event=event, action="open")
    assert event.status == "open"
    with pytest.raises(ValidationError) as error:
        salon_service.event_transition(event=event, action="publish")
    assert error.value.messages == ["살롱이 “참가 신청 중” 상태일 때는 할 수 없는 단계입니다."]
    salon_service.event_transition(event=event, action="start_matching")
    event = salon_service.event_transition(event=event, action="close_requests")
    with pytest.raises(ValidationError) as error:
        salon_service.event_transition(event=event, action="publish")
    assert error.value.messages == ["일정을 배정한 뒤에 공개하세요."]


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_double_booking_from_two_concurrent_transactions():
    """Two organizers' transactions place different meetings at the same table and slot at once:
    the unique constraint lets exactly one commit (on PostgreSQL the second insert waits for the
    first transaction, then fails)."""
    event = EventFactory(status="scheduling")
    slot = Slot.objects.create(event=event, index=1, starts_at=at(14), ends_at=at(14, 20))
    table = Table.objects.create(event=event, number=1)
    pairs = []
    for _ in range(2):
        startup = StartupFactory()
        request = MeetingRequest.objects.create(
            event=event,
            offer=TechnologyOfferFactory(organization=startup),
            startup=startup,
            corporate=OrganizationFactory(),
            origin="organizer",
            status="accepted",
        )
        pairs.append(request)
    first_inserted = threading.Event()
    outcomes = {}

    def place(name: str, request: MeetingRequest, wait: bool) -> None:
        try:
            if wait:
                first_inserted.wait(5)
            with transaction.atomic():
                Meeting.objects.create(
                    event=event,
                    request=request,
                    startup=request.startup,
                    corporate=request.corporate,
                    slot=slot,
                    table=table,
                )
                if not wait:
                    first_inserted.set()
                    threading.Event().wait(0.5)  # hold the transaction open while the other one tries
            outcomes[name] = "committed"
        except IntegrityError:
            outcomes[name] = "refused"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=place, args=("first", pairs[0], False)),
        threading.Thread(target=place, args=("second", pairs[1], True)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert outcomes == {"first": "committed", "second": "refused"}
    assert Meeting.objects.filter(event=event).count() == 1


def test_a_lock_that_became_impossible_is_reported_not_crashed(salon):
    s, c = salon.s, salon.c
    accepted(salon, s[0], c[0], 0.9)
    schedule_service.event_schedule(event=salon.event, time_limit=1)
    meeting = Meeting.objects.get()
    schedule_service.meeting_set_locked(meeting=meeting, locked=True, organizer=salon.event.organizer)
    salon.registrations[s[0].pk].unavailable_slots.add(meeting.slot)
    with pytest.raises(ValidationError) as error:
        schedule_service.event_schedule(event=salon.event, time_limit=1)
    assert error.value.code == "locks"
    assert error.value.messages[0].startswith("고정된 미팅을 그대로 둘 수 없습니다:")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.locked, meeting.sequence) == ("scheduled", True, 0)


def test_organizers_run_the_salon_from_the_admin(salon, client):
    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    pending = RegistrationFactory(event=salon.event, organization=StartupFactory(), status="pending")
    answer = client.post(
        "/admin/events/registration/",
        {"action": "approve", "_selected_action": [pending.pk]},
        follow=True,
    )
    assert answer.status_code == 200
    pending.refresh_from_db()
    assert pending.status == "approved"
    # 4 approved startups and 2 BD teams: at most 2 meetings at once, so 2 tables.
    client.post("/admin/events/event/", {"action": "generate_tables", "_selected_action": [salon.event.pk]})
    assert [table.number for table in Table.objects.filter(event=salon.event)] == [1, 2]
    client.post("/admin/events/event/", {"action": "close_requests", "_selected_action": [salon.event.pk]})
    salon.event.refresh_from_db()
    assert salon.event.status == "scheduling"
    answer = client.post(
        "/admin/events/event/", {"action": "publish_agenda", "_selected_action": [salon.event.pk]}, follow=True
    )
    assert "일정을 배정한 뒤에 공개하세요." in answer.content.decode()
    salon.event.refresh_from_db()
    assert salon.event.status == "scheduling"
