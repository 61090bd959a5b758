"""A salon's agenda: load what the scheduler needs, call ``events.scheduling.schedule`` (pure), save
the result in one transaction, and the organizer's manual edits (move, lock, cancel).

Scheduling reads the accepted meeting requests, the salon's slots and tables, each approved
registration's unavailable slots and fixed table, and the meetings placed so far (locked ones stay
where they are; the others are moved as little as possible). Every meeting whose place or status
changes gets ``sequence + 1`` (``events.agenda.calendar_sync``, the rule for every change of what a
calendar entry shows), so calendars replace their entry. Two organizers scheduling the same
salon at once are serialised by a row lock on the salon; the unique constraints on ``Meeting``
refuse double-booking even for writers that skip this service."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts import audit
from accounts.models import AuditAction, Organization, User
from events import agenda, scheduling
from events.models import (
    Event,
    EventStatus,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    Registration,
    RegistrationStatus,
    RequestStatus,
    Slot,
    Table,
    UnplacedReason,
)
from matching.models import Match


@dataclass
class ScheduleReport:
    requested: int
    placed: int
    slots_used: int
    max_degree: int
    moved: int
    method: str
    optimal: bool
    wall_s: float
    idle_gaps: int
    total_score: float
    unplaced: list[Meeting] = field(default_factory=list)  # each with its ``unplaced_reason``

    def summary(self) -> str:
        return _(
            "placed: %(placed)d/%(requested)d, slots used: %(slots)d, Δ (lower bound): %(delta)d, "
            "moved: %(moved)d, idle gaps: %(gaps)d, total score: %(score).3f, method: %(method)s%(optimal)s, "
            "%(seconds).2f s"
        ) % {
            "placed": self.placed,
            "requested": self.requested,
            "slots": self.slots_used,
            "delta": self.max_degree,
            "moved": self.moved,
            "gaps": self.idle_gaps,
            "score": self.total_score,
            "method": self.method,
            "optimal": _(" (optimal)") if self.optimal else "",
            "seconds": self.wall_s,
        }


def load_problem(event: Event, meetings: dict[int, Meeting], requests: list[MeetingRequest]) -> scheduling.Problem:
    """The pure scheduler's input; meeting ids are the requests' ids."""
    slots = list(event.slots.order_by("index").values_list("pk", flat=True))
    tables = list(event.tables.order_by("number").values_list("pk", flat=True))
    unavailable: dict[int, set[int]] = {}
    fixed: dict[int, int] = {}
    registrations = Registration.objects.filter(event=event, status=RegistrationStatus.APPROVED)
    for organization_id, slot_id in registrations.filter(unavailable_slots__isnull=False).values_list(
        "organization_id", "unavailable_slots"
    ):
        unavailable.setdefault(organization_id, set()).add(slot_id)
    for organization_id, table_id in registrations.filter(fixed_table__isnull=False).values_list(
        "organization_id", "fixed_table_id"
    ):
        fixed[organization_id] = table_id
    items = []
    for request in requests:
        meeting = meetings.get(request.pk)
        placed = meeting is not None and meeting.status == MeetingStatus.SCHEDULED
        position = (meeting.slot_id, meeting.table_id) if placed else None
        items.append(
            scheduling.Meeting(
                id=request.pk,
                startup=request.startup_id,
                corporate=request.corporate_id,
                score=float(request.score or 0.0),
                locked=position if placed and meeting.locked else None,
                current=position if placed and not meeting.locked else None,
            )
        )
    return scheduling.Problem(
        meetings=tuple(items),
        slots=tuple(slots),
        tables=tuple(tables),
        unavailable={key: frozenset(value) for key, value in unavailable.items()},
        fixed_tables=fixed,
    )


# What _write changes on a meeting (its place and state). The calendar sequence is not among
# them: ``_sync_calendars`` raises it after the save, with a conditional update of its own.
PLACE_FIELDS = ["status", "slot", "table", "unplaced_reason", "updated_at"]


def _write(meeting: Meeting, *, status: str, slot_id=None, table_id=None, reason: str = "") -> bool:
    """Set the new state; True when it changed (the caller saves, then ``_sync_calendars``)."""
    before = (meeting.status, meeting.slot_id, meeting.table_id, meeting.unplaced_reason)
    meeting.status, meeting.slot_id, meeting.table_id, meeting.unplaced_reason = status, slot_id, table_id, reason
    return before != (status, slot_id, table_id, reason)


def _sync_calendars(meetings: list[Meeting]) -> None:
    """Raise the calendar sequence of the saved ``meetings`` whose entry changed, and show it on them."""
    fresh = Meeting.objects.filter(pk__in=[meeting.pk for meeting in meetings]).select_related(*agenda.CALENDAR_RELATED)
    fresh = {meeting.pk: meeting for meeting in fresh}
    agenda.calendar_sync(fresh.values())
    for meeting in meetings:
        row = fresh[meeting.pk]
        meeting.sequence, meeting.calendar_fingerprint, meeting.updated_at = (
            row.sequence,
            row.calendar_fingerprint,
            row.updated_at,
        )


def event_schedule(
    *,
    event: Event,
    time_limit: float = 10.0,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    include_closed: bool = False,
    actor: User | None = None,
) -> ScheduleReport:
    """(Re-)schedule every accepted meeting of the salon; returns the figures for the summary.
    ``include_closed`` lets the seed loader place the meetings of a past salon's history."""
    if not event.schedulable and not (include_closed and event.status == EventStatus.CLOSED):
        raise ValidationError(
            _("The salon cannot be scheduled in its current state (%(status)s)."),
            code="state",
            params={"status": event.get_status_display()},
        )
    started = time.perf_counter()
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if not event.slots.exists() or not event.tables.exists():
            raise ValidationError(_("Generate the salon's slots and tables first."), code="no_slots")
        requests = list(
            MeetingRequest.objects.filter(event=event, status=RequestStatus.ACCEPTED).order_by("-score", "pk")
        )
        _fill_scores(requests)
        meetings = {meeting.request_id: meeting for meeting in Meeting.objects.filter(event=event)}
        try:
            problem = load_problem(event, meetings, requests)
        except ValueError as error:  # locks that contradict each other, availability or fixed tables
            raise ValidationError(
                _("The locked meetings cannot be kept as they are: %(detail)s. Unlock or move them first."),
                code="locks",
                params={"detail": str(error)},
            ) from error
        result = scheduling.schedule(problem, time_limit=time_limit, seed=seed, progress=progress)
        if problems := scheduling.validate(problem, result):
            raise RuntimeError("scheduler returned an invalid schedule: " + "; ".join(problems[:5]))
        accepted = {request.pk for request in requests}
        changed: list[Meeting] = []
        for request_id, meeting in meetings.items():
            if request_id not in accepted and meeting.status != MeetingStatus.CANCELLED:
                _write(meeting, status=MeetingStatus.CANCELLED, slot_id=meeting.slot_id, table_id=meeting.table_id)
                changed.append(meeting)
        for request in requests:
            meeting = meetings.get(request.pk) or Meeting(
                event=event, request=request, startup_id=request.startup_id, corporate_id=request.corporate_id
            )
            meeting.score = request.score
            if request.pk in result.placements:
                slot_id, table_id = result.placements[request.pk]
                dirty = _write(meeting, status=MeetingStatus.SCHEDULED, slot_id=slot_id, table_id=table_id)
            else:
                dirty = _write(meeting, status=MeetingStatus.UNPLACED, reason=result.unplaced[request.pk])
            if dirty or meeting.pk is None:
                changed.append(meeting)
            meetings[request.pk] = meeting
        _save_in_two_phases(changed)
        _sync_calendars(changed)
        audit.record(
            AuditAction.SCHEDULE_RUN,
            actor=actor,
            organization=event.organizer_id,
            target=event,
            requested=len(requests),
            placed=len(result.placements),
            changed=len(changed),
        )
    unplaced = [meetings[pk] for pk in sorted(result.unplaced)]
    return ScheduleReport(
        requested=len(requests),
        placed=len(result.placements),
        slots_used=result.slots_used,
        max_degree=result.delta,
        moved=result.moved,
        method=result.method,
        optimal=result.optimal,
        wall_s=time.perf_counter() - started,
        idle_gaps=result.idle_gaps,
        total_score=result.total_score,
        unplaced=unplaced,
    )


def _fill_scores(requests: list[MeetingRequest]) -> None:
    """Requests arranged without a score (by the organizer, before matching ran) take their pair's
    current match score, so that higher-scored meetings still win the scarce places."""
    missing = [request for request in requests if request.score is None and request.need_id is not None]
    if not missing:
        return
    scores = {
        (offer, need): score
        for offer, need, score in Match.objects.filter(
            offer_id__in={r.offer_id for r in missing}, need_id__in={r.need_id for r in missing}
        ).values_list("offer_id", "need_id", "score")
    }
    for request in missing:
        request.score = scores.get((request.offer_id, request.need_id))


def _save_in_two_phases(changed: list[Meeting]) -> None:
    """Meetings swap places in a re-schedule; the unique constraints are checked per statement, so
    first take every changing meeting off the grid, then put each in its new place."""
    existing = [meeting.pk for meeting in changed if meeting.pk is not None]
    Meeting.objects.filter(pk__in=existing).update(
        status=MeetingStatus.UNPLACED, unplaced_reason=UnplacedReason.NO_CAPACITY, slot=None, table=None
    )
    for meeting in changed:
        if meeting.pk is None:
            meeting.save()
        else:
            meeting.save(update_fields=[*PLACE_FIELDS, "score"])


def _check_organizer(event: Event, organizer: Organization) -> None:
    if event.organizer_id != organizer.pk:
        raise ValidationError(_("Only the organizer of this salon can change its agenda."), code="not_organizer")


def meeting_move(
    *, meeting: Meeting, slot: Slot, table: Table, organizer: Organization, actor: User | None = None
) -> Meeting:
    """Put a meeting at another (slot, table) by hand; it is locked there afterwards."""
    _check_organizer(meeting.event, organizer)
    if slot.event_id != meeting.event_id or table.event_id != meeting.event_id:
        raise ValidationError(_("The slot and table must belong to this salon."), code="other_event")
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("A cancelled meeting cannot be moved."), code="cancelled")
    registrations = Registration.objects.filter(
        event=meeting.event, organization_id__in=meeting.participants()
    ).select_related("organization")
    for registration in registrations:
        if registration.unavailable_slots.filter(pk=slot.pk).exists():
            raise ValidationError(
                _("%(organization)s is not available in this slot."),
                code="unavailable",
                params={"organization": registration.organization.name},
            )
        if registration.fixed_table_id and registration.fixed_table_id != table.pk:
            raise ValidationError(
                _("%(organization)s keeps a fixed table (%(table)s)."),
                code="fixed_table",
                params={"organization": registration.organization.name, "table": registration.fixed_table},
            )
    owner = Registration.objects.filter(event=meeting.event, fixed_table=table).exclude(
        organization_id__in=meeting.participants()
    )
    if owner.exists():
        raise ValidationError(_("This table is kept by another organization."), code="kept_table")
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().order_by().get(pk=meeting.pk)
        _write(meeting, status=MeetingStatus.SCHEDULED, slot_id=slot.pk, table_id=table.pk)
        meeting.locked = True
        try:
            with transaction.atomic():
                meeting.save(update_fields=[*PLACE_FIELDS, "locked"])
        except IntegrityError as error:
            raise ValidationError(
                _("This slot is taken: the table or one of the two sides already has a meeting then."),
                code="conflict",
            ) from error
        _sync_calendars([meeting])
        audit.record(
            AuditAction.MEETING_MOVED, actor=actor, organization=organizer, target=meeting, slot=slot.pk, table=table.pk
        )
    return meeting


def meeting_set_locked(
    *, meeting: Meeting, locked: bool, organizer: Organization, actor: User | None = None
) -> Meeting:
    _check_organizer(meeting.event, organizer)
    if locked and meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(_("Only a placed meeting can be locked."), code="not_placed")
    with transaction.atomic():
        Meeting.objects.filter(pk=meeting.pk).update(locked=locked)
        meeting.locked = locked
        audit.record(AuditAction.MEETING_LOCKED, actor=actor, organization=organizer, target=meeting, locked=locked)
    return meeting


def meetings_cancel_for_request(*, meeting_request: MeetingRequest) -> None:
    """Called by ``events.meeting_requests.meeting_request_cancel`` inside its transaction."""
    meeting = Meeting.objects.select_for_update().filter(request=meeting_request).order_by().first()
    if meeting is not None and meeting.status != MeetingStatus.CANCELLED:
        _write(meeting, status=MeetingStatus.CANCELLED, slot_id=meeting.slot_id, table_id=meeting.table_id)
        meeting.save(update_fields=PLACE_FIELDS)
        _sync_calendars([meeting])
