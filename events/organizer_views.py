"""The organizer's pages (mounted at ``/organize/``): dashboard, salon settings and program, the
salon's control page (lifecycle, registrations, proposal and scheduling runs, proposal quality) and
the schedule grid with manual moves and locks.

Only members of a salon's organizer organization see it: everyone else gets 404, with no hint that
the salon exists. Every write goes through a service (``salon_service``, ``schedule_service``) or a
Celery task calling one (``events.tasks``); a refused step shows the service's message."""

from __future__ import annotations

import logging
from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import AuditAction, AuditEvent, Organization, OrganizationKind
from accounts.selectors import affiliation
from core import runs
from events import agenda, charts, exports, follow_up, meeting_requests, salon_service, schedule_service, tasks
from events.forms import EventForm, MoveForm, ProgramFormSet, TablesForm
from events.models import (
    STEPS,
    Event,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    NextStep,
    Registration,
    RequestOrigin,
    RequestStatus,
)
from events.proposal_service import ProposalReport
from events.schedule_service import ScheduleReport
from matching import embedding_service
from matching import tasks as matching_tasks

logger = logging.getLogger(__name__)


def _lifecycle_labels() -> list[tuple[str, str, str]]:
    """(action, button label, status it starts from), in lifecycle order."""
    labels = {
        "open": _("Open registration"),
        "start_matching": _("Start matching"),
        "close_requests": _("Close requests"),
        "publish": _("Publish the agenda"),
        "close": _("Close the salon"),
    }
    return [(action, labels[action], source) for action, (source, _target) in STEPS.items()]


def _organizer_ids(request) -> frozenset[int]:
    organizers = affiliation(request.user).organizers
    if not organizers:
        raise Http404
    return organizers


def _salon(request, slug: str) -> Event:
    """The salon, if the user organizes it; 404 for everyone else (no hint that it exists)."""
    return get_object_or_404(Event, slug=slug, organizer_id__in=_organizer_ids(request))


# --- Dashboard ------------------------------------------------------------------------------------


def _funnel_labels() -> dict[str, str]:
    return {"meetings": _("Meetings"), "held": _("Held"), **{step.value: step.label for step in NextStep}}


@login_required
@require_GET
def dashboard(request):
    events = list(Event.objects.filter(organizer_id__in=_organizer_ids(request)).order_by("-date", "pk"))
    ids = [event.pk for event in events]

    def counts(queryset) -> dict[int, int]:
        return dict(queryset.filter(event_id__in=ids).order_by().values_list("event_id").annotate(n=Count("pk")))

    registrations = counts(Registration.objects.all())
    meeting_requests = counts(MeetingRequest.objects.all())
    meetings = counts(Meeting.objects.filter(status=MeetingStatus.SCHEDULED))
    rows = [
        {
            "event": event,
            "registrations": registrations.get(event.pk, 0),
            "requests": meeting_requests.get(event.pk, 0),
            "meetings": meetings.get(event.pk, 0),
        }
        for event in events
    ]
    total: Counter = Counter()
    for funnel in follow_up.funnels(events):
        total.update(funnel.counts)
    labels = _funnel_labels()
    funnel_svg = charts.bar_chart(
        [(labels[step], total.get(step, 0)) for step in follow_up.FUNNEL],
        title=_("Follow-up funnel across your salons"),
        bar_width=88,
    )
    embed = _embed_view(runs.state(matching_tasks.EMBED_EVERYTHING_KEY))
    return render(
        request,
        "events/organize/dashboard.html",
        {
            "rows": rows,
            "funnel_svg": mark_safe(funnel_svg),  # noqa: S308
            "embed": embed,
            "models_in_use": embedding_service.models_in_use(),
        },
    )


# --- Embedding everything (platform-wide) ---------------------------------------------------------


def _embed_view(state: dict | None) -> dict:
    """The "embed everything" run as the dashboard and its status endpoint show it."""
    if state is None:
        return {"state": "none", "label": _("Not run yet"), "summary": "", "errors": []}
    current = state["state"]
    summary = ""
    if current == "running" and state.get("total"):
        summary = _("%(done)d of %(total)d profiles") % {"done": state["done"], "total": state["total"]}
    elif current == "done":
        figures = state["figures"]
        summary = (
            _(
                "embedded: %(embedded)d, skipped unchanged: %(unchanged)d, failed: %(failed)d, matches stored: "
                "%(matches)d (%(model)s)"
            )
            % figures
        )
    if current in ("queued", "running") and not runs.is_busy(state):
        current, label = "failed", _("Interrupted: run it again")
    else:
        label = {"queued": _("running…"), "running": _("running…"), "done": _("Finished"), "failed": _("Failed")}[
            current
        ]
    return {
        "state": current,
        "label": label,
        "summary": summary,
        "errors": state.get("errors", []) if current == "failed" else [],
    }


def _start_embedding() -> None:
    try:
        matching_tasks.embed_everything_task.delay()
    except Exception:
        logger.exception("embedding everything failed")
        state = runs.state(matching_tasks.EMBED_EVERYTHING_KEY)
        if state is None or state["state"] == "queued":
            runs.set_state(
                matching_tasks.EMBED_EVERYTHING_KEY, "failed", errors=[_("The run could not be started; try again.")]
            )


@login_required
@require_POST
def embed_everything(request):
    """Organizers: embed every offer and need again and re-score everything (after a model change)."""
    _organizer_ids(request)
    if runs.is_busy(runs.state(matching_tasks.EMBED_EVERYTHING_KEY)):
        messages.error(request, _("This run is already under way."))
    else:
        runs.set_state(matching_tasks.EMBED_EVERYTHING_KEY, "queued")
        transaction.on_commit(_start_embedding)
    return redirect(reverse("organize:dashboard") + "#runs")


@login_required
@require_GET
def embed_status(request):
    """``{"embed": {"state", "label", "summary", "errors"}}`` for the dashboard's poll."""
    _organizer_ids(request)
    return JsonResponse({"embed": _embed_view(runs.state(matching_tasks.EMBED_EVERYTHING_KEY))})


# --- Salon settings and program -------------------------------------------------------------------


def _render_settings(request, event, *, form, formset, tables_form=None, status=200):
    context = {
        "event": event,
        "form": form,
        "formset": formset,
        "tables_form": tables_form,
        "slots": list(event.slots.order_by("index")) if event.pk else [],
        "tables": list(event.tables.order_by("number")) if event.pk else [],
    }
    if event.pk and tables_form is None:
        context["tables_form"] = TablesForm(initial={"count": salon_service.tables_needed(event)})
    return render(request, "events/organize/salon_form.html", context, status=status)


def _save_salon(request, event: Event | None):
    organizers = Organization.objects.filter(pk__in=_organizer_ids(request), kind=OrganizationKind.ORGANIZER)
    instance = event or Event()
    if request.method == "POST":
        form = EventForm(request.POST, instance=instance, organizers=organizers.order_by("pk"))
        formset = ProgramFormSet(request.POST, instance=instance, prefix="program")
        if form.is_valid() and formset.is_valid():
            with transaction.atomic():
                saved = form.save()
                formset.instance = saved
                formset.save()
            messages.success(request, _("The salon is saved."))
            return redirect("organize:salon-edit", saved.slug)
        return _render_settings(request, event or Event(), form=form, formset=formset)
    form = EventForm(instance=instance, organizers=organizers.order_by("pk"))
    formset = ProgramFormSet(instance=instance, prefix="program")
    return _render_settings(request, instance, form=form, formset=formset)


@login_required
def salon_create(request):
    return _save_salon(request, None)


@login_required
def salon_edit(request, slug):
    return _save_salon(request, _salon(request, slug))


@login_required
@require_POST
def generate_slots(request, slug):
    event = _salon(request, slug)
    try:
        slots = salon_service.generate_slots(event)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(count)d slots generated from the program.") % {"count": len(slots)})
    return redirect(reverse("organize:salon-edit", args=[event.slug]) + "#slots")


@login_required
@require_POST
def generate_tables(request, slug):
    event = _salon(request, slug)
    form = TablesForm(request.POST)
    if form.is_valid():
        try:
            tables = salon_service.generate_tables(event, form.cleaned_data["count"], form.cleaned_data["labels"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(count)d tables generated.") % {"count": len(tables)})
            return redirect(reverse("organize:salon-edit", args=[event.slug]) + "#tables")
    return _render_settings(
        request,
        event,
        form=EventForm(instance=event),
        formset=ProgramFormSet(instance=event, prefix="program"),
        tables_form=form,
    )


# --- Control page ---------------------------------------------------------------------------------


def _run_view(kind: str, event: Event, state: dict | None) -> dict:
    """What the page and the status endpoint show of a run, in the request's language."""
    if state is None:
        return {"state": "none", "label": _("Not run yet"), "summary": "", "errors": []}
    labels = {
        "queued": _("running…"),
        "running": _("running…"),
        "done": _("Finished"),
        "failed": _("Failed"),
    }
    summary = ""
    if state["state"] == "done":
        figures = state.get("figures", {})
        if kind == "propose":
            summary = ProposalReport(**figures).summary()
        else:
            summary = ScheduleReport(**{**figures, "unplaced": []}).summary()
            summary += " · " + _("not placed: %(count)d") % {"count": figures.get("unplaced", 0)}
    current = state["state"]
    if current in ("queued", "running") and not tasks.is_busy(state):  # its worker is gone
        current, label = "failed", _("Interrupted: run it again")
    else:
        label = labels.get(current, "")
    return {
        "state": current,
        "label": label,
        "summary": summary,
        "errors": state.get("errors", []) if state["state"] == "failed" else [],
        "figures": state.get("figures", {}),
    }


def _runs(event: Event) -> dict[str, dict]:
    return {kind: _run_view(kind, event, tasks.run_state(kind, event.pk)) for kind in tasks.RUN_KINDS}


@login_required
@require_GET
def salon_control(request, slug):
    event = _salon(request, slug)
    registrations = list(
        Registration.objects.filter(event=event).select_related("organization").order_by("status", "organization__pk")
    )
    by_status = meeting_requests.counts_by_status(event)
    proposal_scores = list(
        MeetingRequest.objects.filter(event=event, origin=RequestOrigin.PROPOSAL, score__isnull=False).values_list(
            "score", flat=True
        )
    )
    high = max([1.0, *proposal_scores])
    runs = _runs(event)
    context = {
        "event": event,
        "lifecycle": [
            {"action": action, "label": label, "enabled": event.status == source}
            for action, label, source in _lifecycle_labels()
        ],
        "registrations": registrations,
        "runs": runs,
        "can_propose": event.proposable,
        "can_schedule": event.schedulable,
        "requests_by_status": [(status.label, by_status.get(status.value, 0)) for status in RequestStatus],
        "proposals": len(proposal_scores),
        "coverage": runs["propose"].get("figures") or None,
        "histogram_svg": mark_safe(  # noqa: S308 - built by events.charts, every text escaped
            charts.histogram(proposal_scores, title=_("Scores of the proposed meetings"), high=high)
        ),
        "busy": any(run["state"] in ("queued", "running") for run in runs.values()),
    }
    return render(request, "events/organize/salon_control.html", context)


@login_required
@require_POST
def salon_transition(request, slug):
    event = _salon(request, slug)
    action = request.POST.get("action", "")
    if action not in STEPS:
        messages.error(request, _("Unknown step."))
    else:
        try:
            event = salon_service.transition(event, action, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The salon is now “%(status)s”.") % {"status": event.get_status_display()})
    return redirect("organize:salon", event.slug)


@login_required
@require_POST
def registration_status(request, slug, pk):
    event = _salon(request, slug)
    registration = get_object_or_404(Registration.objects.select_related("event", "organization"), pk=pk, event=event)
    status = request.POST.get("status", "")
    try:
        salon_service.set_registration_status(registration, status, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(organization)s: %(status)s.")
            % {"organization": registration.organization.name, "status": registration.get_status_display()},
        )
    return redirect(reverse("organize:salon", args=[event.slug]) + "#registrations")


RUN_TASKS = {"propose": tasks.propose_meetings_task, "schedule": tasks.schedule_event_task}


def _enqueue(kind: str, event_id: int, actor_id: int) -> None:
    """After the commit: hand the run to Celery (eager in development: it runs here and now). A
    failure is shown on the page as the run's state, not as a server error: an eager run records
    its own failure; a broker that is down leaves the run queued, marked failed here."""
    try:
        RUN_TASKS[kind].delay(event_id, actor_id)
    except Exception:
        logger.exception("organizer run %s of salon %s failed", kind, event_id)
        state = tasks.run_state(kind, event_id)
        if state is None or state["state"] == "queued":
            tasks.set_run_state(kind, event_id, "failed", errors=[_("The run could not be started; try again.")])


@login_required
@require_POST
def start_run(request, slug, kind):
    event = _salon(request, slug)
    if kind not in RUN_TASKS:
        raise Http404
    allowed = event.proposable if kind == "propose" else event.schedulable
    if not allowed:
        messages.error(
            request,
            _("This step is not possible while the salon is “%(status)s”.") % {"status": event.get_status_display()},
        )
    elif tasks.is_busy(tasks.run_state(kind, event.pk)):
        messages.error(request, _("This run is already under way."))
    else:
        tasks.set_run_state(kind, event.pk, "queued")
        transaction.on_commit(lambda: _enqueue(kind, event.pk, request.user.pk))
    return redirect(reverse("organize:salon", args=[event.slug]) + "#runs")


@login_required
@require_GET
def run_status(request, slug):
    """``{"propose": {"state", "label", "summary", "errors"}, "schedule": {...}}`` for the page's poll."""
    event = _salon(request, slug)
    runs = {kind: {key: value for key, value in run.items() if key != "figures"} for kind, run in _runs(event).items()}
    return JsonResponse(runs)


# --- Audit log ------------------------------------------------------------------------------------


@login_required
@require_GET
def audit_log(request):
    """What happened in the organizer's salons and what its members did: approvals, lifecycle steps,
    runs, moves, disclosures and exports, newest first, with the actor and the time."""
    organizers = _organizer_ids(request)
    salons = dict(Event.objects.filter(organizer_id__in=organizers).values_list("pk", "slug"))
    rows = AuditEvent.objects.filter(Q(organization_id__in=organizers) | Q(details__salon__in=list(salons)))
    action = request.GET.get("action", "")
    if action in AuditAction.values:
        rows = rows.filter(action=action)
    page = Paginator(rows.select_related("organization").order_by("-created_at", "-pk"), 50).get_page(
        request.GET.get("page")
    )
    for row in page:
        row.salon_slug = salons.get(row.details.get("salon"))
    return render(
        request,
        "events/organize/audit.html",
        {"page": page, "actions": AuditAction.choices, "action": action},
    )


# --- Schedule grid --------------------------------------------------------------------------------


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
    event = _salon(request, slug)
    return render(request, "events/organize/schedule.html", _schedule_context(event))


def _meeting(request, slug, pk) -> Meeting:
    event = _salon(request, slug)
    return get_object_or_404(Meeting.objects.select_related("event__organizer"), pk=pk, event=event)


@login_required
@require_POST
def move_meeting(request, slug, pk):
    meeting = _meeting(request, slug, pk)
    event = meeting.event
    form = MoveForm(request.POST, event=event)
    if form.is_valid():
        try:
            schedule_service.move_meeting(
                meeting,
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
        schedule_service.set_locked(meeting, locked=locked, organizer=meeting.event.organizer, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The meeting is locked.") if locked else _("The meeting is unlocked."))
    return redirect(reverse("organize:schedule", args=[meeting.event.slug]) + f"#meeting-{meeting.pk}")
