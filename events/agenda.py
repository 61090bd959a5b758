"""Who sees which meetings, and a participant's agenda as a page and as a calendar.

- Participants see the meetings of their organizations once the salon's agenda is published
  (before that the organizer is still moving things); organizers see every meeting of their salons.
- The calendar holds every meeting the viewer can see that was placed at some point: scheduled ones
  (``STATUS:CONFIRMED``) and cancelled ones (``STATUS:CANCELLED``, same UID, higher SEQUENCE), so a
  subscribed calendar updates and removes entries by itself.
- A subscription URL carries a signed token of the user (``accounts.tokens.feed_token``): calendar
  apps cannot log in, and the token reveals nothing but that user's own agenda; the user rotates it
  on the tokens page, and the earlier URL stops working."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.mail_delivery import MailDeliveryTask
from accounts.models import MailKind, User
from accounts.selectors import affiliation
from core.tasks import MAIL_TASK
from events import exports
from events.calendar import CalendarEntry, build_calendar
from events.models import Event, EventStatus, Meeting, MeetingStatus, Registration, RegistrationStatus

# What a calendar entry shows besides the meeting's own row (see ``calendar_fingerprint``).
CALENDAR_RELATED = ("event", "slot", "table", "startup", "corporate", "request__offer", "request__need")


def visible_meetings(user) -> QuerySet[Meeting]:
    mine = affiliation(user)
    own = Q(startup_id__in=mine.organizations) | Q(corporate_id__in=mine.organizations)
    return Meeting.objects.filter(
        (own & Q(event__status__in=EventStatus.having("agenda_visible"))) | Q(event__organizer_id__in=mine.organizers)
    )


def agenda_meetings(user) -> QuerySet[Meeting]:
    """The meetings on the user's own agenda (as a participant), in time order, ready to render."""
    mine = affiliation(user).organizations
    return (
        visible_meetings(user)
        .filter(Q(startup_id__in=mine) | Q(corporate_id__in=mine), slot__isnull=False)
        .select_related(*CALENDAR_RELATED)
        .order_by("slot__starts_at", "pk")
    )


def other_side(meeting: Meeting, organizations) -> str:
    return meeting.corporate.name if meeting.startup_id in organizations else meeting.startup.name


def topic(meeting: Meeting) -> str:
    request = meeting.request
    if request.need is not None:
        return f"{request.offer.title} ↔ {request.need.title}"
    return request.offer.title


def calendar_fingerprint(meeting: Meeting) -> str:
    """A hash of every fact a calendar entry of the meeting shows, in both languages (the entry's
    text depends on the reader's language; these facts do not): its state, time, venue, table,
    salon title, the two organizations' names and the offer's and need's titles. Reads fields only,
    so that the migration can run it on historical models."""
    request, slot, table, event = meeting.request, meeting.slot, meeting.table, meeting.event
    facts = [
        meeting.status,
        slot.starts_at.isoformat() if slot else None,
        slot.ends_at.isoformat() if slot else None,
        event.venue,
        event.title_ko,
        event.title_en,
        [table.number, table.label] if table else None,
        [meeting.startup.name_ko, meeting.startup.name_en],
        [meeting.corporate.name_ko, meeting.corporate.name_en],
        request.offer.title,
        request.need.title if request.need_id else None,
    ]
    return hashlib.sha256(json.dumps(facts, ensure_ascii=False).encode()).hexdigest()


def calendar_sync(meetings: Iterable[Meeting]) -> None:
    """Raise the ``sequence`` of every meeting whose calendar entry would now show something else
    than when it was last built (the one rule for SEQUENCE: whatever changed it — a move, a renamed
    organization, a retitled offer — the entry a client holds is replaced). A meeting never built
    before (empty fingerprint) only records its fingerprint: no client holds an older entry.

    Called wherever an entry or a sequence is shown (feeds, downloads, e-mails, the API) and by the
    services that move or cancel meetings; ``meetings`` come with ``CALENDAR_RELATED`` loaded.
    Two readers of the same change race on a conditional UPDATE: only the one that still sees the
    old fingerprint raises the sequence, the other reloads it, so a change counts once."""
    stale = {}
    for meeting in meetings:
        fingerprint = calendar_fingerprint(meeting)
        if fingerprint == meeting.calendar_fingerprint:
            continue
        changes = {"calendar_fingerprint": fingerprint}
        if meeting.calendar_fingerprint:
            changes |= {"sequence": F("sequence") + 1, "updated_at": timezone.now()}
        Meeting.objects.filter(pk=meeting.pk, calendar_fingerprint=meeting.calendar_fingerprint).update(**changes)
        stale[meeting.pk] = meeting
    if not stale:
        return
    rows = Meeting.objects.filter(pk__in=stale).values_list("pk", "sequence", "calendar_fingerprint", "updated_at")
    for pk, sequence, fingerprint, updated_at in rows:
        meeting = stale[pk]
        meeting.sequence, meeting.calendar_fingerprint, meeting.updated_at = sequence, fingerprint, updated_at


def calendar_entries(meetings, organizations) -> list[CalendarEntry]:
    meetings = list(meetings)
    calendar_sync(meetings)
    entries = []
    for meeting in meetings:
        other = other_side(meeting, organizations)
        location = f"{meeting.event.venue} · {meeting.table}"
        description = "\n".join(
            [
                _("Salon: %(salon)s") % {"salon": meeting.event.title},
                _("Topic: %(topic)s") % {"topic": topic(meeting)},
                _("Table: %(table)s") % {"table": meeting.table},
            ]
        )
        entries.append(
            CalendarEntry(
                uid=meeting.calendar_uid,
                sequence=meeting.sequence,
                starts_at=meeting.slot.starts_at,
                ends_at=meeting.slot.ends_at,
                summary=_("1:1 meeting with %(other)s") % {"other": other},
                location=location,
                description=description,
                cancelled=meeting.status == MeetingStatus.CANCELLED,
                updated_at=meeting.updated_at,
            )
        )
    return entries


def agenda_calendar(user: User, *, language: str | None = None) -> bytes:
    """The user's agenda as an iCalendar file, in the user's language."""
    with translation.override(language or user.preferred_language or "ko"):
        meetings = list(agenda_meetings(user))
        entries = calendar_entries(meetings, affiliation(user).organizations)
        return build_calendar(entries, name=_("Partnering Salon — my meetings"))


def salon_export(event) -> exports.SalonExport:
    """The organizer's exports of a salon (grid, per-table sheets, attendees) from the database, in
    a fixed number of queries."""
    slots = list(event.slots.order_by("index"))
    tables = list(event.tables.order_by("number"))
    meetings = list(
        Meeting.objects.filter(event=event, status=MeetingStatus.SCHEDULED)
        .select_related("slot", "startup", "corporate", "request__offer", "request__need")
        .order_by("slot__index", "table_id")
    )
    counts: dict[int, int] = {}
    for meeting in meetings:
        for pk in meeting.participants():
            counts[pk] = counts.get(pk, 0) + 1
    registrations = (
        Registration.objects.filter(event=event, status=RegistrationStatus.APPROVED)
        .select_related("organization", "fixed_table")
        .prefetch_related("representatives")
        .order_by("organization__kind", "organization__name_en")
    )
    return exports.SalonExport(
        title=event.title,
        date=event.date,
        venue=event.venue,
        slots=tuple(exports.SlotRow(slot.index, slot.starts_at, slot.ends_at) for slot in slots),
        tables=tuple(exports.TableCol(table.pk, str(table)) for table in tables),
        meetings=tuple(
            exports.GridMeeting(
                slot_index=meeting.slot.index,
                table_id=meeting.table_id,
                startup=meeting.startup.name,
                corporate=meeting.corporate.name,
                topic=topic(meeting),
                locked=meeting.locked,
            )
            for meeting in meetings
        ),
        attendees=tuple(
            exports.Attendee(
                organization=registration.organization.name,
                kind=registration.organization.kind,
                representatives=tuple(user.full_name or user.email for user in registration.representatives.all()),
                languages=tuple(registration.languages),
                fixed_table=str(registration.fixed_table) if registration.fixed_table else "",
                meetings=counts.get(registration.organization_id, 0),
            )
            for registration in registrations
        ),
        tz=event.timezone,
    )


@shared_task(bind=True, base=MailDeliveryTask, **MAIL_TASK)
def mail_published_agendas(self, event_id: int) -> int:
    """``send_published`` by a worker, after the publishing committed."""
    return send_published(event_id, describe=self.describe)


def send_published(event_id: int, *, describe=None) -> int:
    """E-mail every representative of an organization with meetings at the salon its agenda, in the
    representative's language, with the meetings as an .ics attachment. Returns the mails sent.
    ``describe`` (kind, recipients, salon) is told what is about to be sent."""
    event = Event.objects.get(pk=event_id)
    meetings = list(
        Meeting.objects.filter(event=event, status=MeetingStatus.SCHEDULED)
        .select_related(*CALENDAR_RELATED)
        .order_by("slot__starts_at", "pk")
    )
    by_organization: dict[int, list[Meeting]] = {}
    for meeting in meetings:
        for pk in meeting.participants():
            by_organization.setdefault(pk, []).append(meeting)
    members = User.objects.filter(memberships__organization_id__in=by_organization, is_active=True).values_list(
        "pk", "memberships__organization_id"
    )
    users = User.objects.in_bulk([pk for pk, _org in members])
    messages = []
    for user_pk, organization_id in members:
        user = users[user_pk]
        own = by_organization[organization_id]
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            subject = _("Your agenda for %(salon)s is published") % {"salon": event.title}
            lines = [subject, "", f"{event.date:%Y-%m-%d} · {event.venue}", ""]
            for meeting in own:
                start = timezone.localtime(meeting.slot.starts_at)
                end = timezone.localtime(meeting.slot.ends_at)
                lines.append(
                    _("%(start)s–%(end)s · %(table)s · with %(other)s — %(topic)s")
                    % {
                        "start": f"{start:%H:%M}",
                        "end": f"{end:%H:%M}",
                        "table": meeting.table,
                        "other": other_side(meeting, {organization_id}),
                        "topic": topic(meeting),
                    }
                )
            lines += ["", _("Times are Korea Standard Time. Your agenda: %(url)s") % {"url": settings.SITE_URL}]
            ics = build_calendar(calendar_entries(own, {organization_id}), name=event.title)
        message = EmailMessage(subject, "\n".join(lines), to=[user.email])
        message.attach(f"{event.slug}.ics", ics, "text/calendar")
        messages.append(message)
    if describe is not None:
        describe(kind=MailKind.AGENDA_PUBLISHED, recipients=[m.to[0] for m in messages], salon_id=event.pk)
    if messages:
        get_connection().send_messages(messages)
    return len(messages)
