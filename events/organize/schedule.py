"""A salon's schedule grid (slots × tables) with the unplaced meetings, and the organizer's manual
moves and locks (``schedule_service``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from events import agenda, exports, schedule_service
from events.forms import MoveForm
from events.models import Event, Meeting, MeetingStatus
from events.organize.access import organized_salon


def _schedule_context(event: Event, *, failed: dict | None = None) -> dict:
    """The grid (slots × tables) and the unplaced meetings in a fixed number of queries. ``failed``:
    the refused move of one meeting (``pk``, ``errors``, the ``slot`` and ``table`` chosen)."""
    slots = list(event.slots.order_by("index"))
    tables = list(event.tables.order_by("number"))
    meetings = list(
        Meeting.objects.filter(event=event, status__in=(MeetingStatus.SCHEDULED, MeetingStatus.UNPLACED))
        .select_related("startup", "corporate", "request__offer", "request__need")
        .order_by("-score", "pk")
    )
    row_of = {slot.pk: row for row, slot in enumerate(slots)}
    column_of = {table.pk: column for column, table in enumerate(tables)}
    cells: list[list[Meeting | None]] = [[None] * len(tables) for _slot in slots]
    unplaced = []
    for meeting in meetings:
        meeting.topic = agenda.topic(meeting)
        if failed and meeting.pk == failed["pk"]:
            meeting.move_errors, meeting.chosen = failed["errors"], (failed["slot"], failed["table"])
        if meeting.status == MeetingStatus.SCHEDULED:
            cells[row_of[meeting.slot_id]][column_of[meeting.table_id]] = meeting
        else:
            unplaced.append(meeting)
    rows = [
        {
            "slot": slot,
            "time": exports.time_label(exports.SlotRow(slot.index, slot.starts_at, slot.ends_at), event.timezone),
            "cells": cells[row],
        }
        for row, slot in enumerate(slots)
    ]
    for row in rows:
        slot_time = row["time"]
        for meeting in row["cells"]:
            if meeting is not None:
                meeting.time = slot_time
    return {"event": event, "slots": slots, "tables": tables, "rows": rows, "unplaced": unplaced}


@login_required
@require_GET
def schedule(request, slug):
    event = organized_salon(request, slug)
    return render(request, "events/organize/schedule.html", _schedule_context(event))


def _meeting(request, slug, pk) -> Meeting:
    event = organized_salon(request, slug)
    return get_object_or_404(Meeting.objects.select_related("event__organizer"), pk=pk, event=event)


@login_required
@require_POST
def move_meeting(request, slug, pk):
    meeting = _meeting(request, slug, pk)
    event = meeting.event
    form = MoveForm(request.POST, event=event)
    if form.is_valid():
        try:
            schedule_service.meeting_move(
                meeting=meeting,
                slot=form.cleaned_data["slot"],
                table=form.cleaned_data["table"],
                organizer=event.organizer,
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The meeting is moved and locked there."))
            return redirect(reverse("organize:schedule", args=[event.slug]) + f"#meeting-{meeting.pk}")
    failed = {
        "pk": meeting.pk,
        "errors": [error for errors in form.errors.values() for error in errors],
        "slot": request.POST.get("slot", ""),
        "table": request.POST.get("table", ""),
    }
    return render(request, "events/organize/schedule.html", _schedule_context(event, failed=failed))


@login_required
@require_POST
def lock_meeting(request, slug, pk):
    meeting = _meeting(request, slug, pk)
    locked = request.POST.get("locked") == "1"
    try:
        schedule_service.meeting_set_locked(
            meeting=meeting, locked=locked, organizer=meeting.event.organizer, actor=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The meeting is locked.") if locked else _("The meeting is unlocked."))
    return redirect(reverse("organize:schedule", args=[meeting.event.slug]) + f"#meeting-{meeting.pk}")
