"""The workspace home of startups and BD teams (their profiles and meeting requests) and the
meeting-request pages: ask, accept, decline, cancel.

Reads come from ``events.selectors`` and ``matching.selectors``, writes go through
``events.meeting_requests``; a request that is not the user's answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Organization
from accounts.selectors import affiliation
from core.forms import add_service_error
from events import meeting_requests
from events.forms import DeclineForm, MeetingRequestForm
from events.models import MeetingRequest, Registration, RequestStatus
from events.selectors import salons_open_for_requests, visible_requests
from matching import public_ids, selectors
from matching.disclosure import Disclosure


def _errors(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


# --- Home ----------------------------------------------------------------------------------


@login_required
def home(request):
    mine = affiliation(request.user)
    organizations = list(Organization.objects.filter(pk__in=mine.organizations).order_by("name_en", "pk"))
    offers = selectors.visible_offers(request.user).filter(organization_id__in=mine.startups)
    needs = selectors.visible_needs(request.user).filter(organization_id__in=mine.corporates)
    requests = MeetingRequest.objects.filter(
        Q(startup_id__in=mine.organizations) | Q(corporate_id__in=mine.organizations)
    ).select_related("event", "offer", "need", "startup", "corporate")
    received = requests.filter(
        Q(status=RequestStatus.PENDING, recipient_id__in=mine.organizations) | Q(status=RequestStatus.PROPOSED)
    )
    sent = requests.filter(
        Q(status=RequestStatus.PENDING, requester_id__in=mine.organizations) | Q(status=RequestStatus.ACCEPTED)
    )
    disclosure = Disclosure.for_user(request.user)
    registrations = (
        Registration.objects.filter(organization_id__in=mine.startups | mine.corporates)
        .select_related("event", "organization")
        .order_by("-event__date", "organization__name_en", "pk")
    )
    context = {
        "registrations": registrations,
        "organizations": organizations,
        "offers": offers.select_related("organization").order_by("organization_id", "-updated_at", "pk"),
        "needs": needs.select_related("organization").order_by("organization_id", "-updated_at", "pk"),
        "received": [_request_row(r, mine, disclosure) for r in received],
        "sent": [_request_row(r, mine, disclosure) for r in sent],
        "decline_form": DeclineForm(),
        "has_startup": bool(mine.startups),
        "admin_of": mine.admin_of,
        "has_corporate": bool(mine.corporates),
    }
    return render(request, "events/workspace_home.html", context)


def _request_row(request_: MeetingRequest, mine, disclosure: Disclosure) -> dict:
    other = request_.corporate if request_.startup_id in mine.organizations else request_.startup
    need = request_.need
    if need is not None and not (names := disclosure.need_names(need)).identified:
        other_name, topic = names.organization, request_.offer.title
    else:
        other_name, topic = other.name, (need.title if need is not None else request_.offer.title)
    return {"request": request_, "other": other_name, "topic": topic}


# --- Answering a request -------------------------------------------------------------------


def _my_request(request, pk) -> tuple[MeetingRequest, Organization]:
    """One of the requests the user's organizations take part in, and the user's side of it; 404 else."""
    mine = affiliation(request.user).organizations
    meeting = get_object_or_404(
        visible_requests(request.user).select_related("startup", "corporate"),
        Q(startup_id__in=mine) | Q(corporate_id__in=mine),
        pk=pk,
    )
    return meeting, meeting_requests.party(meeting, request.user)


def _answer(request, pk, service, done: str, **arguments):
    """Apply an answer (accept, decline, cancel) to one of the user's requests and say how it went."""
    meeting, side = _my_request(request, pk)
    try:
        answered = service(meeting_request=meeting, organization=side, user=request.user, **arguments)
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
    else:
        messages.success(request, done(answered, side) if callable(done) else done)
    return redirect("workspace:home")


def _accepted_message(answered: MeetingRequest, side: Organization) -> str:
    """Accepting a proposal sends a request to the other side; accepting a request sets the meeting."""
    if answered.status == RequestStatus.PENDING:
        if side.pk == answered.startup_id:
            return _("Your request went to the BD team; the meeting is set once they accept it.")
        return _("Your request went to the startup; the meeting is set once they accept it.")
    return _("The request is accepted: the meeting is set and goes on the agenda once the organizer schedules it.")


@login_required
@require_POST
def request_accept(request, pk):
    return _answer(request, pk, meeting_requests.meeting_request_accept, _accepted_message)


@login_required
@require_POST
def request_decline(request, pk):
    form = DeclineForm(request.POST)
    if not form.is_valid():
        _my_request(request, pk)  # someone else's request answers 404, whatever the form says
        messages.error(request, _("Choose a reason from the list."))
        return redirect("workspace:home")
    return _answer(
        request,
        pk,
        meeting_requests.meeting_request_decline,
        _("The request is declined."),
        reason=form.cleaned_data["reason"],
        note=form.cleaned_data["note"],
    )


@login_required
@require_POST
def request_cancel(request, pk):
    return _answer(request, pk, meeting_requests.meeting_request_cancel, _("The request is cancelled."))


# --- Asking for a meeting ------------------------------------------------------------------


def _request_pair(request):
    """The offer and the need of a new request (``?offer=<public id>&need=<public id>``), as the user
    may see them; 404 otherwise."""
    offer_id, need_id = public_ids.parse(request.GET.get("offer", "")), public_ids.parse(request.GET.get("need", ""))
    if offer_id is None or need_id is None:
        raise Http404
    offer = get_object_or_404(selectors.visible_offers(request.user).select_related("organization"), public_id=offer_id)
    need = selectors.reachable_need(request.user, offer=offer, public_id=need_id)
    if need is None:
        raise Http404
    return offer, need


@login_required
def request_new(request):
    offer, need = _request_pair(request)
    requester = meeting_requests.requesting_organization(request.user, offer=offer, corporate_id=need.organization_id)
    if requester is None:
        raise Http404
    startup_side = requester.pk == offer.organization_id
    # A startup is offered its own salons, whoever owns the need: the salons the BD team attends
    # would tell it whose a confidential need is (the service says when the team is not there).
    sides = (offer.organization_id,) if startup_side else (offer.organization_id, need.organization_id)
    events = salons_open_for_requests(*sides).order_by("date", "pk")
    warnings = selectors.fit_warnings(offer, need, need.organization) if startup_side else []
    form = MeetingRequestForm(request.POST or None, events=events, show_confirm=bool(warnings))
    if request.method == "POST" and form.is_valid():
        try:
            meeting_requests.meeting_request_send(
                user=request.user,
                event=form.cleaned_data["event"],
                offer=offer,
                need=need,
                message=form.cleaned_data["message"],
                confirm_misfit=form.cleaned_data.get("confirm_misfit", False),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Your meeting request is sent."))
            return redirect("workspace:home")
    context = {
        "form": form,
        "offer": offer,
        "need": need,
        "need_label": Disclosure.for_user(request.user).need_names(need).label,
        "warnings": warnings,
        "has_events": events.exists(),
    }
    return render(request, "events/request_form.html", context)
