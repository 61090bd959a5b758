from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from events.calendar import CalendarEntry, build_calendar

SEOUL = ZoneInfo("Asia/Seoul")
START = datetime(2026, 12, 10, 14, 20, tzinfo=SEOUL)
UID = "3f2b9c1e-0000-4000-8000-000000000001@partnering-salon"


def entry(**changes) -> CalendarEntry:
    values = {
        "uid": UID,
        "sequence": 0,
        "starts_at": START,
        "ends_at": START + timedelta(minutes=20),
        "summary": "메디랩 ↔ Medtronic",
        "location": "Table 3",
        "description": "",
        "updated_at": datetime(2026, 11, 1, 9, 0, tzinfo=UTC),
    }
    values.update(changes)
    return CalendarEntry(**values)


def parse(data: bytes) -> Calendar:
    assert isinstance(data, bytes)
    return Calendar.from_ical(data)


def only_event(calendar: Calendar):
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def test_calendar_properties():
    calendar = parse(build_calendar([entry()], name="2026 대구 메드텍 살롱"))

    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//Partnering Salon//Meeting agenda//EN"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "2026 대구 메드텍 살롱"
    assert str(calendar["NAME"]) == "2026 대구 메드텍 살롱"
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Seoul"


def test_event_identity_time_and_status():
    event = only_event(parse(build_calendar([entry(sequence=2)], name="Salon")))

    assert str(event["UID"]) == UID
    assert event.decoded("SEQUENCE") == 2
    start = event.decoded("DTSTART")
    assert start == datetime(2026, 12, 10, 14, 20, tzinfo=SEOUL)
    assert start == datetime(2026, 12, 10, 5, 20, tzinfo=UTC)
    assert start.utcoffset() == timedelta(hours=9)
    assert event["DTSTART"].params["TZID"] == "Asia/Seoul"
    assert event["DTEND"].params["TZID"] == "Asia/Seoul"
    assert event.decoded("DTEND") == datetime(2026, 12, 10, 5, 40, tzinfo=UTC)
    assert event.decoded("DTSTAMP") == datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    assert event.decoded("LAST-MODIFIED") == datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["LOCATION"]) == "Table 3"


def test_times_given_in_another_zone_are_written_in_the_salon_zone():
    utc_start = datetime(2026, 12, 10, 5, 20, tzinfo=UTC)
    data = build_calendar([entry(starts_at=utc_start, ends_at=utc_start + timedelta(minutes=20))], name="Salon")

    assert b"DTSTART;TZID=Asia/Seoul:20261210T142000\r\n" in data
    assert b"DTEND;TZID=Asia/Seoul:20261210T144000\r\n" in data


def test_vtimezone_is_korea_standard_time_without_daylight_saving():
    calendar = parse(build_calendar([entry()], name="Salon"))

    (timezone,) = calendar.walk("VTIMEZONE")
    assert str(timezone["TZID"]) == "Asia/Seoul"
    assert timezone.walk("DAYLIGHT") == []
    (standard,) = timezone.walk("STANDARD")
    assert standard.decoded("TZOFFSETFROM") == timedelta(hours=9)
    assert standard.decoded("TZOFFSETTO") == timedelta(hours=9)
    assert str(standard["TZNAME"]) == "KST"
    # Every TZID used by an event is defined in the calendar.
    assert calendar.get_missing_tzids() == set()


def test_korean_and_special_characters_round_trip():
    summary = "메디랩 ↔ 메드트로닉: 심혈관, 스텐트; 카테터"
    description = "주제: 경피적 심장판막\n둘째 줄, 쉼표; 세미콜론 \\ 역슬래시"
    location = "3번 테이블, 그랜드볼룸; B홀"
    data = build_calendar([entry(summary=summary, description=description, location=location)], name="살롱, 2026")
    event = only_event(parse(data))

    assert str(event["SUMMARY"]) == summary
    assert str(event["DESCRIPTION"]) == description
    assert str(event["LOCATION"]) == location
    # Escaped on the wire as RFC 5545 requires.
    assert "SUMMARY:메디랩 ↔ 메드트로닉: 심혈관\\, 스텐트\\; 카테터\r\n".encode() in data
    assert "X-WR-CALNAME:살롱\\, 2026\r\n".encode() in data
    assert "NAME:살롱\\, 2026\r\n".encode() in data
    assert b"\\n" in data


def test_calendar_name_cannot_inject_properties():
    data = build_calendar([], name="Salon\nMETHOD:CANCEL\nX-EVIL:1")
    calendar = parse(data)

    assert str(calendar["METHOD"]) == "PUBLISH"
    assert "X-EVIL" not in calendar
    assert b"\r\nX-WR-CALNAME:Salon\\nMETHOD:CANCEL\\nX-EVIL:1\r\n" in data


def test_long_lines_are_folded_at_75_octets():
    summary = "경피적 대동맥판막 치환술(TAVR) 전달 시스템, 카테터; 영상 유도 " * 6
    data = build_calendar([entry(summary=summary, description="Long English text, " * 20)], name="Salon")

    lines = data.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # continuation lines exist
    for line in lines:
        line.decode("utf-8")  # no line is cut inside a multi-byte character
    assert str(only_event(parse(data))["SUMMARY"]) == summary


def test_rescheduled_meeting_keeps_uid_and_raises_sequence():
    first = only_event(parse(build_calendar([entry()], name="Salon")))
    moved = entry(
        sequence=1,
        starts_at=START + timedelta(minutes=40),
        ends_at=START + timedelta(minutes=60),
        location="Table 5",
        updated_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
    )
    second = only_event(parse(build_calendar([moved], name="Salon")))

    assert str(second["UID"]) == str(first["UID"]) == UID
    assert second.decoded("SEQUENCE") == first.decoded("SEQUENCE") + 1
    assert second.decoded("DTSTART") == datetime(2026, 12, 10, 15, 0, tzinfo=SEOUL)
    assert str(second["LOCATION"]) == "Table 5"
    assert str(second["STATUS"]) == "CONFIRMED"
    assert second.decoded("DTSTAMP") > first.decoded("DTSTAMP")


def test_cancellation():
    cancelled = entry(sequence=3, cancelled=True, updated_at=datetime(2026, 11, 3, 9, 0, tzinfo=UTC))
    calendar = parse(build_calendar([cancelled], name="Salon", method="CANCEL"))
    event = only_event(calendar)

    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == UID
    assert event.decoded("SEQUENCE") == 3


def test_cancelled_meeting_in_a_published_feed():
    data = build_calendar([entry(), entry(uid="other@partnering-salon", cancelled=True)], name="Salon")
    calendar = parse(data)

    assert str(calendar["METHOD"]) == "PUBLISH"
    statuses = {str(event["UID"]): str(event["STATUS"]) for event in calendar.walk("VEVENT")}
    assert statuses == {UID: "CONFIRMED", "other@partnering-salon": "CANCELLED"}


def test_cancel_method_needs_every_entry_cancelled():
    with pytest.raises(ValueError, match="only hold cancelled"):
        build_calendar([entry(cancelled=True), entry(uid="x@partnering-salon")], name="Salon", method="CANCEL")
    with pytest.raises(ValueError, match="at least one"):
        build_calendar([], name="Salon", method="CANCEL")


def test_several_entries_in_order_and_optional_fields():
    second = entry(
        uid="b@partnering-salon", starts_at=START + timedelta(days=1), ends_at=START + timedelta(days=1, minutes=20)
    )
    no_stamp = entry(uid="c@partnering-salon", location="", description="", updated_at=None)
    before = datetime.now(UTC).replace(microsecond=0)
    calendar = parse(build_calendar([entry(), second, no_stamp], name="Salon"))

    events = calendar.walk("VEVENT")
    assert [str(event["UID"]) for event in events] == [UID, "b@partnering-salon", "c@partnering-salon"]
    assert "LOCATION" not in events[2] and "DESCRIPTION" not in events[2] and "LAST-MODIFIED" not in events[2]
    assert events[2].decoded("DTSTAMP") >= before
    assert len(calendar.walk("VTIMEZONE")) == 1


def test_empty_feed_is_still_a_valid_calendar():
    calendar = parse(build_calendar([], name="Salon"))

    assert calendar.walk("VEVENT") == []
    assert str(calendar["METHOD"]) == "PUBLISH"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"starts_at": datetime(2026, 12, 10, 14, 20)}, "timezone-aware"),  # noqa: DTZ001
        ({"updated_at": datetime(2026, 12, 1)}, "timezone-aware"),  # noqa: DTZ001
        ({"ends_at": START}, "after starts_at"),
        ({"sequence": -1}, "SEQUENCE"),
    ],
)
def test_invalid_entries(changes, message):
    with pytest.raises(ValueError, match=message):
        build_calendar([entry(**changes)], name="Salon")


def test_duplicate_uid_and_unknown_method():
    with pytest.raises(ValueError, match="more than once"):
        build_calendar([entry(), entry(sequence=1)], name="Salon")
    with pytest.raises(ValueError, match="method"):
        build_calendar([entry()], name="Salon", method="REQUEST")
