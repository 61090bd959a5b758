"""A salon's control page: its lifecycle steps, its registrations, the state of its proposal and
scheduling runs (``runs``) and the quality of the proposals."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from events import charts, meeting_requests, salon_service
from events.models import STEPS, MeetingRequest, Registration, RequestOrigin, RequestStatus
from events.organize.access import organized_salon
from events.organize.runs import salon_runs


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


@login_required
@require_GET
def salon_control(request, slug):
    event = organized_salon(request, slug)
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
    runs = salon_runs(event)
    context = {
        "event": event,
        "lifecycle": [
            {
                "action": action,
                "label": label,
                "enabled": event.status == source,
                "confirm": action in salon_service.IRREVERSIBLE_STEPS,
            }
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


_STEP_CONSEQUENCES = {
    "close_requests": gettext_lazy(
        "After this step nobody can request, accept or decline meetings at this salon; "
        "proposals nobody answered stay unanswered."
    ),
    "publish": gettext_lazy(
        "Every participant sees the agenda and is e-mailed; registrations and requests can no longer change."
    ),
    "close": gettext_lazy("The salon ends: its meetings can no longer be scheduled or moved."),
}


@login_required
@require_GET
def transition_confirm(request, slug):
    """Confirm an irreversible step (close requests, publish, close): what it does and what is
    still pending, with the button that takes the step. A page, not a script (the CSP allows none inline)."""
    event = organized_salon(request, slug)
    action = request.GET.get("action", "")
    if action not in salon_service.IRREVERSIBLE_STEPS:
        raise Http404
    source, _target = STEPS[action]
    if event.status != source:
        messages.error(
            request,
            _("This step is not possible while the salon is “%(status)s”.") % {"status": event.get_status_display()},
        )
        return redirect("organize:salon", event.slug)
    context = {
        "event": event,
        "action": action,
        "label": dict((a, label) for a, label, _source in _lifecycle_labels())[action],
        "consequence": _STEP_CONSEQUENCES[action],
        "pending": salon_service.transition_pending(event=event, action=action),
    }
    return render(request, "events/organize/transition_confirm.html", context)


@login_required
@require_POST
def salon_transition(request, slug):
    event = organized_salon(request, slug)
    action = request.POST.get("action", "")
    if action not in STEPS:
        messages.error(request, _("Unknown step."))
    elif action in salon_service.IRREVERSIBLE_STEPS and request.POST.get("confirm") != "yes":
        return redirect(reverse("organize:transition-confirm", args=[event.slug]) + f"?action={action}")
    else:
        try:
            event = salon_service.event_transition(event=event, action=action, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The salon is now “%(status)s”.") % {"status": event.get_status_display()})
    return redirect("organize:salon", event.slug)


@login_required
@require_POST
def registration_status(request, slug, pk):
    event = organized_salon(request, slug)
    registration = get_object_or_404(Registration.objects.select_related("event", "organization"), pk=pk, event=event)
    status = request.POST.get("status", "")
    try:
        salon_service.registration_set_status(registration=registration, status=status, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(organization)s: %(status)s.")
            % {"organization": registration.organization.name, "status": registration.get_status_display()},
        )
    return redirect(reverse("organize:salon", args=[event.slug]) + "#registrations")
