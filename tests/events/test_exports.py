import zipfile
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from openpyxl import load_workbook

from events.exports import (
    Attendee,
    GridMeeting,
    SalonExport,
    SlotRow,
    TableCol,
    grid,
    meeting_text,
    schedule_workbook,
    sheet_name,
    time_label,
)

SEOUL = ZoneInfo("Asia/Seoul")


def slot(index: int, hour: int, minute: int) -> SlotRow:
    start = datetime(2026, 12, 10, hour, minute, tzinfo=SEOUL)
    return SlotRow(index=index, starts_at=start, ends_at=start + timedelta(minutes=20))


SLOTS = (slot(1, 14, 0), slot(2, 14, 20), slot(3, 14, 40))
TABLES = (
    TableCol(id=11, label="Table 1"),
    TableCol(id=12, label="Room A/B: 그랜드볼룸"),
    TableCol(id=13, label="Table 3"),
)
MEETINGS = (
    GridMeeting(slot_index=1, table_id=11, startup="메디랩", corporate="Medtronic", topic="TAVR delivery"),
    GridMeeting(slot_index=1, table_id=13, startup="CardioAI", corporate="Philips", topic="ECG AI", locked=True),
    GridMeeting(slot_index=2, table_id=12, startup="NeuroGate", corporate="Siemens Healthineers", topic=""),
    GridMeeting(slot_index=3, table_id=11, startup="OrthoFit", corporate="Stryker", topic="3D-printed implants"),
)
ATTENDEES = (
    Attendee(
        organization="메디랩",
        kind="startup",
        representatives=("김민지", "Lee Jun"),
        languages=("ko", "en"),
        fixed_table="",
        meetings=3,
    ),
    Attendee(
        organization="Medtronic",
        kind="corporate",
        representatives=("Jane Doe",),
        languages=("en",),
        fixed_table="Table 1",
        meetings=5,
    ),
)


def export(**changes) -> SalonExport:
    values = {
        "title": "2026 대구 메드텍 살롱",
        "date": date(2026, 12, 10),
        "venue": "EXCO",
        "slots": SLOTS,
        "tables": TABLES,
        "meetings": MEETINGS,
        "attendees": ATTENDEES,
    }
    values.update(changes)
    return SalonExport(**values)


def load(data: bytes):
    assert data[:2] == b"PK"
    return load_workbook(BytesIO(data))


def values(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# grid ------------------------------------------------------------------------------------------------


def test_grid_places_each_meeting_in_its_cell():
    cells = grid(export())

    assert len(cells) == 3 and all(len(row) == 3 for row in cells)
    assert cells == [
        [MEETINGS[0], None, MEETINGS[1]],
        [None, MEETINGS[2], None],
        [MEETINGS[3], None, None],
    ]


def test_grid_follows_the_given_order_of_slots_and_tables():
    cells = grid(export(slots=(SLOTS[2], SLOTS[0], SLOTS[1]), tables=(TABLES[2], TABLES[0], TABLES[1])))

    assert cells == [
        [None, MEETINGS[3], None],
        [MEETINGS[1], MEETINGS[0], None],
        [None, None, MEETINGS[2]],
    ]


def test_grid_refuses_two_meetings_in_the_same_cell():
    clash = GridMeeting(slot_index=1, table_id=11, startup="Other", corporate="GE HealthCare", topic="")

    with pytest.raises(ValueError, match="both claim slot 1, table 11"):
        grid(export(meetings=(*MEETINGS, clash)))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"meetings": (GridMeeting(9, 11, "A", "B", ""),)}, "unknown slot index 9"),
        ({"meetings": (GridMeeting(1, 99, "A", "B", ""),)}, "unknown table id 99"),
        ({"slots": (SLOTS[0], SLOTS[0])}, "slot index 1 is given twice"),
        ({"tables": (TABLES[0], TABLES[0])}, "table id 11 is given twice"),
    ],
)
def test_grid_refuses_inconsistent_input(changes, message):
    with pytest.raises(ValueError, match=message):
        grid(export(**changes))


def test_grid_without_meetings():
    assert grid(export(meetings=())) == [[None] * 3] * 3
    assert grid(export(slots=(), meetings=())) == []


# small helpers ---------------------------------------------------------------------------------------


def test_time_label_is_local_time_of_the_salon():
    utc = SlotRow(
        index=1, starts_at=datetime(2026, 12, 10, 5, 0, tzinfo=UTC), ends_at=datetime(2026, 12, 10, 5, 20, tzinfo=UTC)
    )

    assert time_label(utc, "Asia/Seoul") == "14:00–14:20"
    assert time_label(utc, "Europe/Berlin") == "06:00–06:20"
    with pytest.raises(ValueError, match="timezone-aware"):
        time_label(SlotRow(1, datetime(2026, 12, 10, 14, 0), datetime(2026, 12, 10, 14, 20)), "Asia/Seoul")  # noqa: DTZ001


def test_meeting_text():
    assert meeting_text(MEETINGS[0]) == "메디랩 ↔ Medtronic\nTAVR delivery"
    assert meeting_text(MEETINGS[1]) == "🔒 CardioAI ↔ Philips\nECG AI"
    assert meeting_text(MEETINGS[2]) == "NeuroGate ↔ Siemens Healthineers"


@pytest.mark.parametrize(
    ("label", "taken", "expected"),
    [
        ("Table 1", set(), "Table 1"),
        ("Room A/B: 그랜드볼룸", set(), "Room A-B- 그랜드볼룸"),
        ("[Hall]*?\\", set(), "-Hall----"),
        ("'Quoted'", set(), "Quoted"),
        ("   ", set(), "Fallback"),
        ("History", set(), "History (2)"),
        ("table 1", {"table 1"}, "table 1 (2)"),
        ("Table 1", {"table 1", "table 1 (2)"}, "Table 1 (3)"),
        ("A" * 40, set(), "A" * 31),
        ("A" * 40, {"a" * 31}, "A" * 27 + " (2)"),
        ("가나다라마바사아자차카타파하" * 3, set(), ("가나다라마바사아자차카타파하" * 3)[:31]),
        ("🩺" * 20, set(), "🩺" * 15),  # each emoji is two UTF-16 units for Excel
    ],
)
def test_sheet_name(label, taken, expected):
    name = sheet_name(label, taken=taken, fallback="Fallback")

    assert name == expected
    assert len(name.encode("utf-16-le")) // 2 <= 31


# workbook --------------------------------------------------------------------------------------------


def test_schedule_sheet_in_english():
    with translation.override("en"):
        workbook = load(schedule_workbook(export()))

    assert workbook.sheetnames == ["Schedule", "Table 1", "Room A-B- 그랜드볼룸", "Table 3", "Attendees"]
    sheet = workbook["Schedule"]
    assert values(sheet) == [
        ["2026 대구 메드텍 살롱 · 2026-12-10 · EXCO", None, None, None],
        ["Time (KST)", "Table 1", "Room A/B: 그랜드볼룸", "Table 3"],
        ["14:00–14:20", "메디랩 ↔ Medtronic\nTAVR delivery", None, "🔒 CardioAI ↔ Philips\nECG AI"],
        ["14:20–14:40", None, "NeuroGate ↔ Siemens Healthineers", None],
        ["14:40–15:00", "OrthoFit ↔ Stryker\n3D-printed implants", None, None],
    ]
    assert sheet["B3"].alignment.wrap_text
    assert sheet["A2"].font.bold
    assert sheet.freeze_panes == "B3"
    assert sheet.column_dimensions["A"].width == 14
    assert sheet.column_dimensions["B"].width == 30
    assert sheet.row_dimensions[3].height == 30


def test_time_labels_are_in_the_salon_time_zone():
    utc_slots = tuple(
        SlotRow(s.index, s.starts_at.astimezone(UTC), s.ends_at.astimezone(UTC)) for s in SLOTS
    )  # 05:00 UTC is 14:00 in Seoul
    with translation.override("en"):
        sheet = load(schedule_workbook(export(slots=utc_slots)))["Schedule"]

    assert [sheet.cell(row=row, column=1).value for row in (3, 4, 5)] == ["14:00–14:20", "14:20–14:40", "14:40–15:00"]


def test_other_time_zone():
    with translation.override("en"):
        sheet = load(schedule_workbook(export(tz="Europe/Berlin")))["Schedule"]

    assert sheet["A2"].value == "Time (CET)"
    assert sheet["A3"].value == "06:00–06:20"


def test_table_sheets():
    with translation.override("en"):
        workbook = load(schedule_workbook(export()))

    assert values(workbook["Table 1"]) == [
        ["Table 1 · 2026 대구 메드텍 살롱 · 2026-12-10 · EXCO", None, None, None],
        ["Time (KST)", "Startup", "Corporate BD team", "Topic"],
        ["14:00–14:20", "메디랩", "Medtronic", "TAVR delivery"],
        ["14:20–14:40", None, None, None],
        ["14:40–15:00", "OrthoFit", "Stryker", "3D-printed implants"],
    ]
    assert values(workbook["Room A-B- 그랜드볼룸"])[2:] == [
        ["14:00–14:20", None, None, None],
        ["14:20–14:40", "NeuroGate", "Siemens Healthineers", None],
        ["14:40–15:00", None, None, None],
    ]
    assert workbook["Room A-B- 그랜드볼룸"]["A1"].value.startswith("Room A/B: 그랜드볼룸 · ")
    assert values(workbook["Table 3"])[2] == ["14:00–14:20", "CardioAI", "Philips", "ECG AI"]


def test_attendees_sheet():
    with translation.override("en"):
        sheet = load(schedule_workbook(export()))["Attendees"]

    assert values(sheet) == [
        ["2026 대구 메드텍 살롱 · 2026-12-10 · EXCO", None, None, None, None, None],
        ["Organization", "Kind", "Representatives", "Languages spoken", "Fixed table", "Meetings"],
        ["메디랩", "Startup", "김민지\nLee Jun", "Korean, English", None, 3],
        ["Medtronic", "Corporate BD team", "Jane Doe", "English", "Table 1", 5],
    ]
    assert sheet.freeze_panes == "B3"


def test_unknown_kind_and_language_are_shown_as_given():
    attendee = Attendee(organization="X", kind="Sponsor", representatives=(), languages=("ja",))
    with translation.override("en"):
        sheet = load(schedule_workbook(export(attendees=(attendee,))))["Attendees"]

    assert values(sheet)[2] == ["X", "Sponsor", None, "ja", None, 0]


def test_print_settings_on_every_sheet():
    with translation.override("en"):
        workbook = load(schedule_workbook(export()))

    for sheet in workbook.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.page_setup.fitToWidth == 1
        assert sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$1:$2"
        assert sheet.freeze_panes == "B3"


def test_formula_injection_is_written_as_text():
    evil = (
        GridMeeting(1, 11, '=HYPERLINK("http://evil","x")', "+cmd|' /C calc'!A0", "-2+3"),
        GridMeeting(2, 11, "@SUM(1)", "Normal", "=1+1"),
    )
    table = TableCol(id=11, label="=Table")
    attendee = Attendee(organization="=2*3", kind="startup", representatives=("-Eve",), languages=())
    data = schedule_workbook(export(tables=(table,), meetings=evil, attendees=(attendee,), title="=cmd()"))

    workbook = load(data)
    table_sheet = workbook.worksheets[1]
    assert table_sheet.title == "=Table"
    expected = {
        (workbook.worksheets[0], "A1"): "=cmd() · 2026-12-10 · EXCO",
        (workbook.worksheets[0], "B2"): "=Table",
        (workbook.worksheets[0], "B3"): '=HYPERLINK("http://evil","x") ↔ +cmd|\' /C calc\'!A0\n-2+3',
        (workbook.worksheets[0], "B4"): "@SUM(1) ↔ Normal\n=1+1",
        (table_sheet, "B3"): '=HYPERLINK("http://evil","x")',
        (table_sheet, "C3"): "+cmd|' /C calc'!A0",
        (table_sheet, "D3"): "-2+3",
        (table_sheet, "B4"): "@SUM(1)",
        (table_sheet, "D4"): "=1+1",
        (workbook.worksheets[-1], "A3"): "=2*3",
        (workbook.worksheets[-1], "C3"): "-Eve",
    }
    for (sheet, coordinate), text in expected.items():
        cell = sheet[coordinate]
        assert cell.value == text, (sheet.title, coordinate)
        assert cell.data_type == "s", (sheet.title, coordinate)
        assert cell.quotePrefix, (sheet.title, coordinate)
    # No formula element anywhere in the file.
    with zipfile.ZipFile(BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name


def test_plain_text_has_no_quote_prefix():
    with translation.override("en"):
        sheet = load(schedule_workbook(export()))["Schedule"]

    assert sheet["B3"].data_type == "s"
    assert not sheet["B3"].quotePrefix


def test_characters_xml_cannot_hold_are_dropped():
    meeting = GridMeeting(1, 11, "Bad\x00Name\x07", "Corp", "")
    with translation.override("en"):
        sheet = load(schedule_workbook(export(meetings=(meeting,))))["Schedule"]

    assert sheet["B3"].value == "BadName ↔ Corp"


def test_colliding_table_labels_get_unique_sheet_names():
    tables = (
        TableCol(1, "Schedule"),
        TableCol(2, "Room 1/2"),
        TableCol(3, "Room 1:2"),
        TableCol(4, ""),
        TableCol(5, "Attendees"),
        TableCol(6, "A very long room label that goes on and on"),
        TableCol(7, "A very long room label that goes on and on, again"),
    )
    with translation.override("en"):
        workbook = load(schedule_workbook(export(tables=tables, meetings=())))

    assert workbook.sheetnames == [
        "Schedule",
        "Schedule (2)",
        "Room 1-2",
        "Room 1-2 (2)",
        "Table 4",
        "Attendees (2)",
        "A very long room label that goe",
        "A very long room label that (2)",
        "Attendees",
    ]
    header = [cell.value for cell in workbook["Schedule"][2]]
    assert header[1:] == [
        "Schedule",
        "Room 1/2",
        "Room 1:2",
        None,
        "Attendees",
        "A very long room label that goes on and on",
        "A very long room label that goes on and on, again",
    ]


def test_korean_workbook_has_the_same_structure():
    with translation.override("ko"):
        workbook = load(schedule_workbook(export()))
        schedule_name = translation.gettext("Schedule")
        attendees_name = translation.gettext("Attendees")
        time_header = translation.gettext("Time (%(zone)s)") % {"zone": "KST"}

    assert workbook.sheetnames == [schedule_name, "Table 1", "Room A-B- 그랜드볼룸", "Table 3", attendees_name]
    sheet = workbook[schedule_name]
    assert sheet["A2"].value == time_header
    assert [row[1:] for row in values(sheet)[2:]] == [
        ["메디랩 ↔ Medtronic\nTAVR delivery", None, "🔒 CardioAI ↔ Philips\nECG AI"],
        [None, "NeuroGate ↔ Siemens Healthineers", None],
        ["OrthoFit ↔ Stryker\n3D-printed implants", None, None],
    ]
    # Labels the catalog already translates.
    assert values(workbook["Table 1"])[1][1:3] == ["스타트업", "글로벌 기업 BD팀"]
    people = values(workbook[attendees_name])
    assert people[2][1] == "스타트업"
    assert people[3][1] == "글로벌 기업 BD팀"
    assert len(people[1]) == 6 and all(people[1])


def test_korean_default_language_and_english_differ_only_in_labels():
    korean = load(schedule_workbook(export()))  # the tests' default language is Korean
    with translation.override("en"):
        english = load(schedule_workbook(export()))

    assert len(korean.sheetnames) == len(english.sheetnames) == 5
    assert values(korean.worksheets[0])[2:] == values(english.worksheets[0])[2:]
