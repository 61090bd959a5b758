from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts import audit, tokens
from accounts.models import AuditAction, Organization, OrganizationKind
from accounts.selectors import affiliation
from core.forms import add_service_error
from events import agenda, exports, follow_up, salon_service
from events.forms import ApplicationForm, OutcomeForm
from events.models import Event, EventStatus, Outcome, ProgramItem, ProgramItemKind, RegistrationStatus
from events.organize.access import organized_salon
from matching.enums import NeedStatus, OfferStatus
from matching.models import PartneringNeed, TechnologyOffer


def _public_events():
    return Event.objects.filter(status__in=EventStatus.having("public")).annotate(
        startups=Count(
            "registrations",
            distinct=True,
            filter=Q(
                registrations__status=RegistrationStatus.APPROVED,
                registrations__organization__kind=OrganizationKind.STARTUP,
            ),
        ),
        corporates=Count(
            "registrations",
            distinct=True,
            filter=Q(
                registrations__status=RegistrationStatus.APPROVED,
                registrations__organization__kind=OrganizationKind.CORPORATE,
            ),
        ),
    )


@require_safe
def home(request):
    today = timezone.localdate()
    events = list(_public_events().prefetch_related("theme_areas").order_by("date"))
    context = {
        "upcoming": [e for e in events if e.date >= today],
        "past": [e for e in events if e.date < today][::-1],
        "counts": {
            "startups": Organization.objects.filter(kind=OrganizationKind.STARTUP).count(),
            "corporates": Organization.objects.filter(kind=OrganizationKind.CORPORATE).count(),
            "offers": TechnologyOffer.objects.filter(status=OfferStatus.APPROVED).count(),
            "needs": PartneringNeed.objects.filter(status=NeedStatus.OPEN).count(),
        },
    }
    return render(request, "events/home.html", context)


@require_safe
def event_detail(request, slug):
    event = get_object_or_404(
        _public_events()
        .select_related("organizer")
        .prefetch_related(
            "theme_areas",
            Prefetch(
                "program",
                queryset=ProgramItem.objects.select_related(
                    "success_case__meeting__startup", "success_case__meeting__corporate", "success_case__meeting__event"
                ).order_by("starts_at"),
            ),
        )
        .annotate(slot_count=Count("slots", distinct=True), table_count=Count("tables", distinct=True)),
        slug=slug,
    )
    has_roundtables = any(item.kind == ProgramItemKind.ROUNDTABLE for item in event.program.all())
    tables = salon_service.roundtable_plan(event) if has_roundtables else []
    return render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "roundtables": tables,
            "registration_phase": event.registration_phase(),
            "registration_opens": salon_service.registration_opening_label(event),
        },
    )


@login_required
@require_safe
def agenda_page(request):
    """The signed-in participant's meetings, by salon and time, with the calendar links."""
    meetings = list(agenda.agenda_meetings(request.user).prefetch_related("outcomes"))
    mine = affiliation(request.user).organizations
    now = timezone.now()
    by_event: dict = {}
    for meeting in meetings:
        by_event.setdefault(meeting.event, []).append(
            {
                "meeting": meeting,
                "other": agenda.other_side(meeting, mine),
                "topic": agenda.topic(meeting),
                "outcome": next((o for o in meeting.outcomes.all() if o.organization_id in mine), None),
                "reportable": follow_up.reportable(meeting, now=now),
            }
        )
    feed = request.build_absolute_uri(reverse("calendar-feed", args=[tokens.feed_token(request.user)]))
    # The salons the user's organizations take part in whose schedule is not published yet.
    unpublished = (
        Event.objects.filter(
            status__in=EventStatus.having("public"),
            registrations__organization_id__in=mine,
            registrations__status=RegistrationStatus.APPROVED,
        )
        .exclude(status__in=EventStatus.having("agenda_visible"))
        .distinct()
        .order_by("date", "pk")
    )
    return render(
        request, "events/agenda.html", {"by_event": by_event, "feed_url": feed, "unpublished": list(unpublished)}
    )


@login_required
@require_safe
def agenda_download(request):
    return _calendar_response(agenda.agenda_calendar(request.user, language=request.LANGUAGE_CODE))


@require_safe
def calendar_feed(request, token):
    """The subscription URL of one user's agenda (calendar apps cannot log in; the token is the key)."""
    user = tokens.user_for_feed(token)
    if user is None:
        raise Http404
    return _calendar_response(agenda.agenda_calendar(user), attachment=False)


def _calendar_response(body: bytes, *, attachment: bool = True) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    if attachment:
        response["Content-Disposition"] = 'attachment; filename="partnering-salon-agenda.ics"'
    return response


@login_required
@require_safe
def schedule_xlsx(request, slug):
    event = organized_salon(request, slug)
    body = exports.schedule_workbook(agenda.salon_export(event))
    audit.record(AuditAction.EXPORTED, actor=request.user, organization=event.organizer_id, target=event, format="xlsx")
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-schedule.xlsx"'
    return response


@login_required
@require_safe
def schedule_print(request, slug):
    """The schedule grid (slots × tables) as a printable page, then one section per table."""
    event = organized_salon(request, slug)
    export = agenda.salon_export(event)
    audit.record(
        AuditAction.EXPORTED, actor=request.user, organization=event.organizer_id, target=event, format="print"
    )
    cells = exports.grid(export)
    rows = [
        {"time": exports.time_label(slot, export.tz), "cells": row}
        for slot, row in zip(export.slots, cells, strict=True)
    ]
    per_table = [
        {"table": table, "rows": [(row["time"], row["cells"][column]) for row in rows if row["cells"][column]]}
        for column, table in enumerate(export.tables)
    ]
    return render(
        request, "events/schedule_print.html", {"event": event, "export": export, "rows": rows, "per_table": per_table}
    )


@login_required
@require_http_methods(["GET", "POST"])
def apply(request, slug):
    """A startup or BD team applies to a salon; the organizer approves it."""
    event = get_object_or_404(_public_events(), slug=slug)
    mine = affiliation(request.user)
    organizations = list(Organization.objects.filter(pk__in=mine.startups | mine.corporates).order_by("name_en"))
    if not organizations:
        messages.info(request, _("Register your organization first."))
        return redirect("accounts:organization-new")
    form = ApplicationForm(request.POST or None, organizations=organizations, slots=event.slots.order_by("index"))
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            salon_service.registration_create(
                event=event,
                organization=next(o for o in organizations if str(o.pk) == values["organization"]),
                user=request.user,
                max_meetings=values["max_meetings"],
                unavailable_slots=[int(pk) for pk in values["unavailable_slots"]],
                languages=values["languages"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Your application is in; the organizer will review it."))
            return redirect("event-detail", slug=event.slug)
    return render(
        request,
        "events/apply.html",
        {
            "event": event,
            "form": form,
            "registration_phase": event.registration_phase(),
            "registration_opens": salon_service.registration_opening_label(event),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_outcome(request, pk):
    """One side reports after a meeting: did it take place, and the next step."""
    mine = affiliation(request.user).organizations
    meeting = get_object_or_404(
        agenda.agenda_meetings(request.user).filter(Q(startup_id__in=mine) | Q(corporate_id__in=mine)), pk=pk
    )
    side = meeting.startup if meeting.startup_id in mine else meeting.corporate
    saved = Outcome.objects.filter(meeting=meeting, organization=side).first()
    initial = (
        {"took_place": "yes" if saved.took_place else "no", "next_step": saved.next_step, "note": saved.note}
        if saved is not None
        else {}
    )
    form = OutcomeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            follow_up.outcome_record(meeting=meeting, organization=side, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Thank you: the outcome is recorded."))
            return redirect("agenda")
    return render(
        request, "events/outcome.html", {"meeting": meeting, "form": form, "other": agenda.other_side(meeting, mine)}
    )
