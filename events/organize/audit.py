"""The audit log of the organizer's salons and members (``/organize/audit/``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import AuditAction, AuditEvent
from events.organize.access import organizer_ids
from events.selectors import organized_salons


@login_required
@require_GET
def audit_log(request):
    """What happened in the organizer's salons and what its members did: approvals, lifecycle steps,
    runs, moves, disclosures and exports, newest first, with the actor and the time."""
    organizers = organizer_ids(request)
    salons = dict(organized_salons(request.user).values_list("pk", "slug"))
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
