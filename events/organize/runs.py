"""A salon's proposal and scheduling runs: started from its control page, run by Celery
(``events.tasks``), their state polled by the page."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.tasks import enqueue_on_commit
from events import tasks
from events.models import Event
from events.organize.access import organized_salon
from events.proposal_service import ProposalReport
from events.schedule_service import ScheduleReport

logger = logging.getLogger(__name__)


RUN_TASKS = {"propose": tasks.propose_meetings_task, "schedule": tasks.schedule_event_task}


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


def salon_runs(event: Event) -> dict[str, dict]:
    """Each run of the salon (``propose``, ``schedule``) as the control page shows it."""
    return {kind: _run_view(kind, event, tasks.run_state(kind, event.pk)) for kind in tasks.RUN_KINDS}


def _run_not_started(kind: str, event_id: int):
    """A failure to start the run is shown on the page as the run's state, not as a server error:
    an eager run (development) records its own failure; a broker that is down leaves the run
    queued, marked failed here."""

    def record(error: Exception) -> None:
        logger.error("organizer run %s of salon %s failed", kind, event_id, exc_info=error)
        state = tasks.run_state(kind, event_id)
        if state is None or state["state"] == "queued":
            tasks.set_run_state(kind, event_id, "failed", errors=[_("The run could not be started; try again.")])

    return record


@login_required
@require_POST
def start_run(request, slug, kind):
    event = organized_salon(request, slug)
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
        # Eager runs raise whatever the run raised; any failure is the page's to show, hence Exception.
        enqueue_on_commit(
            RUN_TASKS[kind], event.pk, request.user.pk, on_error=_run_not_started(kind, event.pk), errors=(Exception,)
        )
    return redirect(reverse("organize:salon", args=[event.slug]) + "#runs")


@login_required
@require_GET
def run_status(request, slug):
    """``{"propose": {"state", "label", "summary", "errors"}, "schedule": {...}}`` for the page's poll."""
    event = organized_salon(request, slug)
    runs = {
        kind: {key: value for key, value in run.items() if key != "figures"} for kind, run in salon_runs(event).items()
    }
    return JsonResponse(runs)
