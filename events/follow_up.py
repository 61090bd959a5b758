"""After the salon: each side records whether its meeting took place and the next step agreed; the
organizer sees the funnel (meetings → held → follow-up call → NDA/CDA → evaluation/PoC → term
sheet → deal) per salon and across salons. A pair that held a meeting has "met before" at every
later salon (and is not proposed again: ``events.proposal_service``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from events.models import Event, Meeting, MeetingStatus, NextStep, Outcome

FUNNEL = ("meetings", "held", *NextStep.values[1:])  # the steps after "none", in order


def reportable(meeting: Meeting, *, now: dt.datetime) -> bool:
    """May the outcome of ``meeting`` be recorded now? (the rule ``outcome_record`` enforces)"""
    return _why_not_reportable(meeting, now) is None


def _why_not_reportable(meeting: Meeting, now: dt.datetime) -> str | None:
    if meeting.status != MeetingStatus.SCHEDULED or not meeting.event.reportable:
        return "state"
    if meeting.slot.starts_at > now:
        return "future"
    return None


def outcome_record(
    *,
    meeting: Meeting,
    organization: Organization,
    took_place: bool,
    next_step: str = NextStep.NONE,
    note: str = "",
    featured: bool = False,
    user: User | None = None,
) -> Outcome:
    """Create or update one side's report on a meeting."""
    errors = {}
    if organization.pk not in meeting.participants():
        raise ValidationError(_("Only the two sides of a meeting can report its outcome."), code="not_party")
    blocker = _why_not_reportable(meeting, timezone.now())
    if blocker == "state":
        raise ValidationError(_("Outcomes are recorded for meetings of a published salon."), code="state")
    if blocker == "future":
        raise ValidationError(_("The meeting has not started yet."), code="future")
    if next_step not in NextStep.values:
        errors["next_step"] = [_("Choose a step from the list.")]
    elif not took_place and next_step != NextStep.NONE:
        errors["next_step"] = [_("A meeting that did not take place has no next step.")]
    if len(note) > 2000:
        errors["note"] = [_("The note is too long (at most 2,000 characters).")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        outcome, _created = Outcome.objects.update_or_create(
            meeting=meeting,
            organization=organization,
            defaults={
                "took_place": took_place,
                "next_step": next_step,
                "note": note,
                "featured": featured,
                "recorded_by": user,
            },
        )
    return outcome


@dataclass(frozen=True)
class Funnel:
    event_id: int
    counts: dict[str, int]  # FUNNEL step -> meetings that reached it
    no_shows: int  # meetings a side reported as not held (and none as held)

    def ordered(self) -> list[tuple[str, int]]:
        return [(step, self.counts.get(step, 0)) for step in FUNNEL]


def funnels(events: list[Event]) -> list[Funnel]:
    """The funnel of each salon, in three queries whatever the number of meetings. A meeting is
    held when a side says so; its step is the furthest either side reported."""
    ids = [event.pk for event in events]
    meetings = dict(
        Meeting.objects.filter(event_id__in=ids, status=MeetingStatus.SCHEDULED).values_list("pk", "event_id")
    )
    reports = defaultdict(list)
    for meeting_id, took_place, step in Outcome.objects.filter(meeting_id__in=meetings).values_list(
        "meeting_id", "took_place", "next_step"
    ):
        reports[meeting_id].append((took_place, step))
    counts = {pk: defaultdict(int) for pk in ids}
    no_shows = defaultdict(int)
    for meeting_id, event_id in meetings.items():
        counts[event_id]["meetings"] += 1
        said = reports.get(meeting_id, [])
        if any(took_place for took_place, _step in said):
            furthest = max(NextStep.rank(step) for took_place, step in said if took_place)
            counts[event_id]["held"] += 1
            for step in NextStep.values[1 : furthest + 1]:
                counts[event_id][step] += 1
        elif said:
            no_shows[event_id] += 1
    return [Funnel(event_id=pk, counts=dict(counts[pk]), no_shows=no_shows[pk]) for pk in ids]


def met_before(pairs_by_event: dict[Event, set[tuple[int, int]]]) -> dict[int, set[tuple[int, int]]]:
    """For each salon, the (startup, corporate) pairs among its ``pairs`` that held a meeting at an
    earlier salon (or had one scheduled there that no side reported as missed): one query in all."""
    startups = {startup for pairs in pairs_by_event.values() for startup, _corporate in pairs}
    if not startups:
        return {event.pk: set() for event in pairs_by_event}
    latest = max(event.date for event in pairs_by_event)
    said: dict[int, list[bool | None]] = defaultdict(list)
    facts = {}
    rows = Meeting.objects.filter(
        status=MeetingStatus.SCHEDULED, event__date__lt=latest, startup_id__in=startups
    ).values_list("pk", "startup_id", "corporate_id", "event__date", "outcomes__took_place")
    for meeting_id, startup, corporate, date, took_place in rows:
        facts[meeting_id] = ((startup, corporate), date)
        said[meeting_id].append(took_place)
    first_met: dict[tuple[int, int], object] = {}
    for meeting_id, answers in said.items():
        reported = [answer for answer in answers if answer is not None]
        if not reported or any(reported):
            pair, date = facts[meeting_id]
            first_met[pair] = min(date, first_met.get(pair, date))
    return {
        event.pk: {pair for pair in pairs if pair in first_met and first_met[pair] < event.date}
        for event, pairs in pairs_by_event.items()
    }
