"""A salon's set-up and lifecycle, for the organizer:

    draft ──open──▶ open (registration) ──start matching──▶ matching (proposals, requests)
          ──close requests──▶ scheduling ──publish──▶ published (agendas, calendars) ──close──▶ closed

Slots are generated from the program: every ``partnering`` item is cut into meetings of
``slot_minutes`` with ``changeover_minutes`` between them, skipping ``break`` items that overlap.
Tables are numbered 1..N, optionally named (rooms). Neither can be regenerated once meetings are
placed on them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import audit
from accounts.models import AuditAction, Organization, OrganizationKind, User
from core.tasks import MAIL_HANDOVER_ERRORS, enqueue_on_commit
from events import agenda, roundtables
from events.models import (
    STEPS,
    Event,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    ProgramItemKind,
    Registration,
    RegistrationStatus,
    RequestStatus,
    Slot,
    Table,
)
from matching.enums import NeedStatus, OfferStatus
from matching.models import Concept, DeviceArea, PartneringNeed, TechnologyOffer


def slot_times(
    blocks: list[tuple[dt.datetime, dt.datetime]],
    breaks: list[tuple[dt.datetime, dt.datetime]],
    *,
    minutes: int,
    changeover: int,
) -> list[tuple[dt.datetime, dt.datetime]]:
    """(start, end) of each meeting slot: consecutive meetings inside each partnering block, each
    followed by the changeover, a meeting never overlapping a break (it starts after the break)."""
    length, step = dt.timedelta(minutes=minutes), dt.timedelta(minutes=minutes + changeover)
    slots = []
    for block_start, block_end in sorted(blocks):
        start = block_start
        while start + length <= block_end:
            clash = [end for b_start, end in breaks if b_start < start + length and start < end]
            if clash:
                start = max(clash)
                continue
            slots.append((start, start + length))
            start += step
    return slots


def _no_placed_meetings(event: Event) -> None:
    if Meeting.objects.filter(event=event, slot__isnull=False).exists():
        raise ValidationError(
            _("Meetings are already placed; cancel or re-schedule them before changing slots and tables."),
            code="meetings_placed",
        )


def slots_generate(*, event: Event) -> list[Slot]:
    """Replace the salon's slots by those its program allows."""
    items = list(event.program.all())
    blocks = [(item.starts_at, item.ends_at) for item in items if item.kind == ProgramItemKind.PARTNERING]
    if not blocks:
        raise ValidationError(_("Add a partnering block to the program first."), code="no_partnering")
    breaks = [(item.starts_at, item.ends_at) for item in items if item.kind == ProgramItemKind.BREAK]
    times = slot_times(blocks, breaks, minutes=event.slot_minutes, changeover=event.changeover_minutes)
    if not times:
        raise ValidationError(_("The partnering blocks are shorter than one meeting."), code="too_short")
    with transaction.atomic():
        _no_placed_meetings(event)
        event.slots.all().delete()
        return Slot.objects.bulk_create(
            Slot(event=event, index=index, starts_at=start, ends_at=end)
            for index, (start, end) in enumerate(times, start=1)
        )


def tables_generate(*, event: Event, count: int, labels: list[str] | None = None) -> list[Table]:
    """Tables 1..count, named by ``labels`` where given (rooms)."""
    labels = list(labels or [])
    if not 1 <= count <= 500:
        raise ValidationError(_("A salon has between 1 and 500 tables."), code="table_count")
    if len(labels) > count or any(len(label) > 60 for label in labels):
        raise ValidationError(_("Give at most one name of up to 60 characters per table."), code="labels")
    labels += [""] * (count - len(labels))
    with transaction.atomic():
        _no_placed_meetings(event)
        Registration.objects.filter(event=event).update(fixed_table=None)
        event.tables.all().delete()
        return Table.objects.bulk_create(
            Table(event=event, number=number, label=label) for number, label in enumerate(labels, start=1)
        )


def tables_needed(event: Event) -> int:
    """Tables for every meeting that can run at once: one per approved startup or BD team, whichever
    side is smaller (each organization meets once per slot), at least one."""
    approved = Registration.objects.filter(event=event, status=RegistrationStatus.APPROVED)
    startups = approved.filter(organization__kind=OrganizationKind.STARTUP).count()
    corporates = approved.filter(organization__kind=OrganizationKind.CORPORATE).count()
    return max(1, min(startups, corporates))


def event_transition(*, event: Event, action: str, actor: User | None = None) -> Event:
    """Move the salon one step along its lifecycle (``events.models.STEPS``)."""
    source, target = STEPS[action]
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if event.status != source:
            raise ValidationError(
                _("This step is not possible while the salon is “%(status)s”."),
                code="state",
                params={"status": event.get_status_display()},
            )
        if action == "publish" and not event.meetings.filter(slot__isnull=False).exists():
            raise ValidationError(_("Schedule the meetings before publishing the agenda."), code="empty")
        event.status = target
        event.save(update_fields=["status", "updated_at"])
        audit.record(
            AuditAction.SALON_STEP,
            actor=actor,
            organization=event.organizer_id,
            target=event,
            step=action,
            status=target,
        )
        if action == "publish":
            enqueue_on_commit(agenda.mail_published_agendas, event.pk, errors=MAIL_HANDOVER_ERRORS)
    return event


# Steps that cannot be undone: the control page asks for a confirmation that lists what is pending.
IRREVERSIBLE_STEPS = ("close_requests", "publish", "close")


def transition_pending(*, event: Event, action: str) -> list[str]:
    """What is still pending before ``action``, one localised sentence each (empty: nothing)."""
    pending = []
    registrations = Registration.objects.filter(event=event, status=RegistrationStatus.PENDING).count()
    if action == "close_requests":
        proposed = MeetingRequest.objects.filter(event=event, status=RequestStatus.PROPOSED).count()
        waiting = MeetingRequest.objects.filter(event=event, status=RequestStatus.PENDING).count()
        if proposed:
            pending.append(
                ngettext(
                    "%(count)d proposed meeting that neither side has answered",
                    "%(count)d proposed meetings that neither side has answered",
                    proposed,
                )
                % {"count": proposed}
            )
        if waiting:
            pending.append(
                ngettext(
                    "%(count)d meeting request still waiting for an answer",
                    "%(count)d meeting requests still waiting for an answer",
                    waiting,
                )
                % {"count": waiting}
            )
    if action in ("close_requests", "publish") and registrations:
        pending.append(
            ngettext(
                "%(count)d registration still pending approval",
                "%(count)d registrations still pending approval",
                registrations,
            )
            % {"count": registrations}
        )
    if action in ("publish", "close"):
        accepted = MeetingRequest.objects.filter(event=event, status=RequestStatus.ACCEPTED)
        unplaced = accepted.exclude(meeting__status=MeetingStatus.SCHEDULED).count()
        if unplaced:
            pending.append(
                ngettext(
                    "%(count)d accepted meeting not placed in the schedule",
                    "%(count)d accepted meetings not placed in the schedule",
                    unplaced,
                )
                % {"count": unplaced}
            )
    if action == "close" and event.date >= timezone.localdate():
        pending.append(_("The salon's day has not passed yet."))
    return pending


def registration_set_status(*, registration: Registration, status: str, user: User | None = None) -> Registration:
    """Approve or reject an application (organizer)."""
    if status not in (RegistrationStatus.APPROVED, RegistrationStatus.REJECTED):
        raise ValidationError(_("Choose approve or reject."), code="status")
    if not registration.event.registrations_editable:
        raise ValidationError(_("Registrations of a published salon can no longer change."), code="closed")
    with transaction.atomic():
        Registration.objects.filter(pk=registration.pk).update(status=status, updated_at=timezone.now())
        registration.status = status
        audit.record(
            AuditAction.REGISTRATION_REVIEWED,
            actor=user,
            organization=registration.event.organizer_id,
            target=registration,
            status=status,
        )
    return registration


def registration_opening_label(event: Event) -> str:
    """When the salon's registration opens, as a date and time of the salon's time zone."""
    opens = timezone.localtime(event.registration_opens_at, ZoneInfo(event.timezone))
    return f"{formats.date_format(opens, 'DATE_FORMAT')} {formats.time_format(opens, 'H:i')}"


def registration_create(
    *,
    event: Event,
    organization,
    user: User | None = None,
    max_meetings: int = 6,
    unavailable_slots=(),
    languages=(),
) -> Registration:
    """A startup or BD team applies to a salon (pending until the organizer approves)."""
    phase = event.registration_phase()
    if phase == "upcoming":
        raise ValidationError(
            _("Registration for this salon opens on %(date)s."),
            code="not_yet_open",
            params={"date": registration_opening_label(event)},
        )
    if phase == "closed":
        raise ValidationError(_("Registration for this salon is closed."), code="closed")
    if organization.kind not in (OrganizationKind.STARTUP, OrganizationKind.CORPORATE):
        raise ValidationError(_("Startups and BD teams register for salons."), code="kind")
    slots = list(Slot.objects.filter(event=event, pk__in=list(unavailable_slots)))
    if len(slots) != len(set(unavailable_slots)):
        raise ValidationError({"unavailable_slots": [_("Choose slots of this salon.")]}, code="slots")
    if not 1 <= max_meetings <= 50:
        raise ValidationError({"max_meetings": [_("Between 1 and 50 meetings.")]}, code="max_meetings")
    with transaction.atomic():
        if Registration.objects.filter(event=event, organization=organization).exists():
            raise ValidationError(_("Your organization has already registered for this salon."), code="duplicate")
        registration = Registration(
            event=event, organization=organization, max_meetings=max_meetings, languages=list(languages)
        )
        registration.full_clean(exclude=["event", "organization"])
        registration.save()
        registration.unavailable_slots.set(slots)
        if user is not None:
            registration.representatives.add(user)
    return registration


@dataclass(frozen=True)
class RoundtableView:
    area: str
    host: str
    members: tuple[str, ...]
    shared_concepts: tuple[str, ...]


def roundtable_plan(event: Event) -> list[RoundtableView]:
    """Subfield roundtables of the salon (``events.roundtables``): the approved startups grouped by
    the areas and concepts of their published offers, each table hosted by an approved BD team whose
    public open needs ask for that area. Four queries; names in the active language."""
    approved = Registration.objects.filter(event=event, status=RegistrationStatus.APPROVED)
    startup_ids = set(
        approved.filter(organization__kind=OrganizationKind.STARTUP).values_list("organization_id", flat=True)
    )
    corporate_ids = set(
        approved.filter(organization__kind=OrganizationKind.CORPORATE).values_list("organization_id", flat=True)
    )
    areas: dict[int, set[str]] = {pk: set() for pk in startup_ids}
    concepts: dict[int, set[str]] = {pk: set() for pk in startup_ids}
    offers = TechnologyOffer.objects.filter(organization_id__in=startup_ids, status=OfferStatus.APPROVED)
    for organization_id, area in offers.filter(areas__isnull=False).values_list("organization_id", "areas__code"):
        areas[organization_id].add(area)
    for organization_id, concept in offers.filter(concepts__isnull=False).values_list(
        "organization_id", "concepts__code"
    ):
        concepts[organization_id].add(concept)
    host_areas: dict[int, set[str]] = {}
    needs = PartneringNeed.objects.filter(
        organization_id__in=corporate_ids, status=NeedStatus.OPEN, is_confidential=False, areas__isnull=False
    )
    for organization_id, area in needs.values_list("organization_id", "areas__code"):
        host_areas.setdefault(organization_id, set()).add(area)
    plan = roundtables.plan_roundtables(
        [roundtables.Participant(pk, frozenset(areas[pk]), frozenset(concepts[pk])) for pk in sorted(startup_ids)],
        [roundtables.Host(pk, frozenset(codes)) for pk, codes in sorted(host_areas.items())],
    )
    names = {o.pk: o.name for o in Organization.objects.filter(pk__in=startup_ids | set(host_areas))}
    area_names = {a.code: a.name for a in DeviceArea.objects.all()}
    concept_names = {c.code: c.name for c in Concept.objects.filter(code__in={c for s in concepts.values() for c in s})}
    return [
        RoundtableView(
            area=area_names.get(table.area, table.area),
            host=names[table.host] if table.host is not None else "",
            members=tuple(names[pk] for pk in table.members),
            shared_concepts=tuple(concept_names.get(code, code) for code in table.shared_concepts),
        )
        for table in plan.tables
    ]
