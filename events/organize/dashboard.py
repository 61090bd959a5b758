"""The organizer's dashboard (``/organize/``): their salons with their figures, the follow-up funnel
across them, and the platform-wide run that embeds every offer and need again."""

from __future__ import annotations

import logging
from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import runs
from core.tasks import enqueue_on_commit
from events import charts, follow_up
from events.models import Meeting, MeetingRequest, MeetingStatus, NextStep, Registration
from events.organize.access import organizer_ids
from events.selectors import organized_salons
from matching import embedding_service
from matching import tasks as matching_tasks

logger = logging.getLogger(__name__)


def _funnel_labels() -> dict[str, str]:
    return {"meetings": _("Meetings"), "held": _("Held"), **{step.value: step.label for step in NextStep}}


@login_required
@require_GET
def dashboard(request):
    organizer_ids(request)
    events = list(organized_salons(request.user).order_by("-date", "pk"))
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


def _embedding_not_started(error: Exception) -> None:
    logger.error("embedding everything failed", exc_info=error)
    state = runs.state(matching_tasks.EMBED_EVERYTHING_KEY)
    if state is None or state["state"] == "queued":
        runs.set_state(
            matching_tasks.EMBED_EVERYTHING_KEY, "failed", errors=[_("The run could not be started; try again.")]
        )


@login_required
@require_POST
def embed_everything(request):
    """Organizers: embed every offer and need again and re-score everything (after a model change)."""
    organizer_ids(request)
    if runs.is_busy(runs.state(matching_tasks.EMBED_EVERYTHING_KEY)):
        messages.error(request, _("This run is already under way."))
    else:
        runs.set_state(matching_tasks.EMBED_EVERYTHING_KEY, "queued")
        # As for a salon's runs (events.organize.runs): any failure to start is shown on the page.
        enqueue_on_commit(matching_tasks.embed_everything_task, on_error=_embedding_not_started, errors=(Exception,))
    return redirect(reverse("organize:dashboard") + "#runs")


@login_required
@require_GET
def embed_status(request):
    """``{"embed": {"state", "label", "summary", "errors"}}`` for the dashboard's poll."""
    organizer_ids(request)
    return JsonResponse({"embed": _embed_view(runs.state(matching_tasks.EMBED_EVERYTHING_KEY))})
