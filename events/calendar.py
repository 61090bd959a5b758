"""Meeting agendas as iCalendar (RFC 5545) files: pure Python + the ``icalendar`` library.

A thin view or task turns a participant's meetings into :class:`CalendarEntry` values and serves the
bytes of :func:`build_calendar` as ``text/calendar``; nothing here touches Django models or the database.

Rules:

- one VEVENT per entry. Its ``UID`` stays the same for the meeting's whole life and its ``SEQUENCE``
  grows with every change, so a calendar client that already has the meeting replaces it (a new time,
  table or topic) or, once ``STATUS:CANCELLED``, removes it. A calendar holds each UID once.
- ``DTSTART``/``DTEND`` are local times with ``TZID`` (``Asia/Seoul`` by default), and the calendar
  carries the matching VTIMEZONE, built from the IANA zone for the days the entries cover only (Korea
  has had no daylight saving time since 1988, so for a salon it is a single STANDARD +0900 block).
- ``DTSTAMP`` and ``LAST-MODIFIED`` are the entry's ``updated_at`` in UTC (the time of the last change,
  so the same agenda gives the same bytes); without it, ``DTSTAMP`` is the time of the export.
- ``METHOD:PUBLISH`` for feeds and downloads (cancelled meetings may be among them, with
  ``STATUS:CANCELLED``); ``METHOD:CANCEL`` only when every entry is cancelled, otherwise ``ValueError``.
- text (Korean, commas, semicolons, newlines) is escaped and long lines are folded at 75 octets by the
  library, never by hand.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vText

PRODID = "-//Partnering Salon//Meeting agenda//EN"
METHODS = ("PUBLISH", "CANCEL")


@dataclass(frozen=True)
class CalendarEntry:
    """One meeting as a calendar client sees it. ``starts_at``/``ends_at`` are timezone-aware."""

    uid: str  # stable per meeting across re-schedules, e.g. "3f2b…@partnering-salon"
    sequence: int  # increases with every change of that meeting
    starts_at: datetime
    ends_at: datetime
    summary: str
    location: str
    description: str = ""
    cancelled: bool = False
    updated_at: datetime | None = None  # LAST-MODIFIED / DTSTAMP


def build_calendar(
    entries: Iterable[CalendarEntry], *, name: str, method: str = "PUBLISH", tz: str = "Asia/Seoul"
) -> bytes:
    """The iCalendar file of ``entries``, in the order given, named ``name`` (``NAME``/``X-WR-CALNAME``).

    Raises ``ValueError`` for an unknown method, a ``CANCEL`` with an entry that is not cancelled (or
    with no entry at all), naive or reversed times, a negative sequence or a UID given twice."""
    entries = list(entries)
    method = method.upper()
    _check(entries, method)
    zone = ZoneInfo(tz)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    # Calendar-level TEXT properties the library does not type itself: vText escapes them.
    calendar.add("name", vText(str(name)))
    calendar.add("x-wr-calname", vText(str(name)))
    calendar.add("x-wr-timezone", tz)
    calendar.add_component(_timezone(zone, tz, entries))
    now = datetime.now(UTC)
    for entry in entries:
        calendar.add_component(_event(entry, zone, now))
    return calendar.to_ical()


def _check(entries: list[CalendarEntry], method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if method == "CANCEL":
        if not entries:
            raise ValueError("a CANCEL calendar needs at least one cancelled entry")
        if not all(entry.cancelled for entry in entries):
            raise ValueError("a CANCEL calendar may only hold cancelled entries")
    seen: set[str] = set()
    for entry in entries:
        if entry.uid in seen:
            raise ValueError(f"UID {entry.uid!r} appears more than once")
        seen.add(entry.uid)
        if entry.sequence < 0:
            raise ValueError(f"{entry.uid}: SEQUENCE must be >= 0, got {entry.sequence}")
        for label, moment in (("starts_at", entry.starts_at), ("ends_at", entry.ends_at)):
            _require_aware(entry.uid, label, moment)
        if entry.updated_at is not None:
            _require_aware(entry.uid, "updated_at", entry.updated_at)
        if entry.ends_at <= entry.starts_at:
            raise ValueError(f"{entry.uid}: ends_at must be after starts_at")


def _require_aware(uid: str, label: str, moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{uid}: {label} must be timezone-aware, got {moment.isoformat()}")


def _timezone(zone: ZoneInfo, tzid: str, entries: list[CalendarEntry]) -> Timezone:
    """The VTIMEZONE of ``zone`` for the days the entries cover, with a day to spare on each side."""
    if entries:
        first = min(entry.starts_at.astimezone(zone).date() for entry in entries)
        last = max(entry.ends_at.astimezone(zone).date() for entry in entries)
    else:
        first = last = datetime.now(zone).date()
    return _vtimezone(tzid, first - timedelta(days=1), last + timedelta(days=1))


@functools.lru_cache(maxsize=512)
def _vtimezone(tzid: str, first_date: date, last_date: date) -> Timezone:
    # Building it walks the zone's transitions (about half of an agenda download's time), and a
    # salon's agendas all cover the same days: one shared component, never changed once built.
    timezone = Timezone.from_tzinfo(ZoneInfo(tzid), tzid=tzid, first_date=first_date, last_date=last_date)
    timezone.pop("COMMENT", None)  # the library's note on the covered dates, not for people
    return timezone


def _event(entry: CalendarEntry, zone: ZoneInfo, now: datetime) -> Event:
    event = Event()
    event.add("uid", entry.uid)
    event.add("sequence", entry.sequence)
    event.add("dtstamp", _utc(entry.updated_at) if entry.updated_at else now)
    if entry.updated_at:
        event.add("last-modified", _utc(entry.updated_at))
    event.add("dtstart", entry.starts_at.astimezone(zone))
    event.add("dtend", entry.ends_at.astimezone(zone))
    event.add("summary", str(entry.summary))
    if entry.location:
        event.add("location", str(entry.location))
    if entry.description:
        event.add("description", str(entry.description))
    event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
