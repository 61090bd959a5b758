"""The workspace of startups and BD teams: profiles, matches, shortlist and meeting requests.

Reads come from ``matching.selectors``, writes go through ``matching.services`` and
``events.requests``; another organization's private objects answer 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from accounts.models import Organization
from accounts.selectors import affiliation
from events import requests as meeting_requests
from events.models import Event, Registration, RegistrationStatus
from matching import selectors, services
from matching.api.views import MatchFilter
from matching.concepts import extract_concepts
from matching.disclosure import Disclosure, anonymous_label
from matching.documents import teaser_download
from matching.enums import RequestStatus
from matching.forms import COMPLETE_DESCRIPTION_CHARS, DeclineForm, MeetingRequestForm, NeedForm, OfferForm
from matching.models import Concept, DeviceArea, MeetingRequest, PartneringNeed, Shortlist, TechnologyOffer

MATCH_FILTERS = ("area", "stage", "approval", "region", "deal_type", "shortlisted")
MAX_SUGGEST_CHARS = 10_000


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
    context = {
        "organizations": organizations,
        "offers": offers.select_related("organization").order_by("organization_id", "-updated_at", "pk"),
        "needs": needs.select_related("organization").order_by("organization_id", "-updated_at", "pk"),
        "received": [_request_row(r, mine, disclosure) for r in received],
        "sent": [_request_row(r, mine, disclosure) for r in sent],
        "decline_form": DeclineForm(),
        "has_startup": bool(mine.startups),
        "has_corporate": bool(mine.corporates),
    }
    return render(request, "matching/home.html", context)


def _request_row(request_: MeetingRequest, mine, disclosure: Disclosure) -> dict:
    other = request_.corporate if request_.startup_id in mine.organizations else request_.startup
    need = request_.need
    if need is not None and not disclosure.need_identity(need):
        other_name, topic = anonymous_label(need), request_.offer.title
    else:
        other_name, topic = other.name, (need.title if need is not None else request_.offer.title)
    return {"request": request_, "other": other_name, "topic": topic}


def _my_request(request, pk) -> tuple[MeetingRequest, Organization]:
    mine = affiliation(request.user).organizations
    meeting = get_object_or_404(
        MeetingRequest.objects.select_related("startup", "corporate"),
        Q(startup_id__in=mine) | Q(corporate_id__in=mine),
        pk=pk,
    )
    side = meeting.startup if meeting.startup_id in mine else meeting.corporate
    return meeting, side


@login_required
@require_POST
def request_accept(request, pk):
    meeting, side = _my_request(request, pk)
    try:
        meeting_requests.accept(meeting, organization=side, user=request.user)
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
    else:
        messages.success(request, _("The request is accepted."))
    return redirect("workspace:home")


@login_required
@require_POST
def request_decline(request, pk):
    meeting, side = _my_request(request, pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a reason from the list."))
        return redirect("workspace:home")
    try:
        meeting_requests.decline(
            meeting,
            organization=side,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            user=request.user,
        )
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
    else:
        messages.success(request, _("The request is declined."))
    return redirect("workspace:home")


@login_required
@require_POST
def request_cancel(request, pk):
    meeting, side = _my_request(request, pk)
    try:
        meeting_requests.cancel(meeting, organization=side, user=request.user)
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
    else:
        messages.success(request, _("The request is cancelled."))
    return redirect("workspace:home")


# --- Offers and needs ----------------------------------------------------------------------


def _own(queryset, request, pk):
    """One of the user's own organizations' offers or needs; 404 for everyone else."""
    return get_object_or_404(
        queryset.filter(organization_id__in=affiliation(request.user).organizations).select_related("organization"),
        pk=pk,
    )


def _organization_for_new(request, kinds: frozenset[int]) -> Organization | None:
    chosen = request.GET.get("organization") or request.POST.get("organization")
    if chosen:
        if not chosen.isdigit() or int(chosen) not in kinds:
            raise Http404
        return Organization.objects.get(pk=int(chosen))
    if not kinds:
        return None
    return Organization.objects.get(pk=min(kinds))


def _profile_form(request, *, form_class, instance, create, update, template_title, cancel_url):
    form = form_class(request.POST or None, request.FILES or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            if instance.pk:
                update(instance, **form.service_fields())
            else:
                create(organization=instance.organization, **form.service_fields())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Saved."))
            return redirect("workspace:home")
    context = {
        "form": form,
        "title": template_title,
        "organization": instance.organization,
        "cancel_url": cancel_url,
        "suggest_url": reverse("workspace:concept-suggest"),
        "js_texts": {
            "done": _("done"),
            "missing": _("missing"),
            "suggested": _("Suggested from your description:"),
            "minChars": COMPLETE_DESCRIPTION_CHARS,
        },
    }
    return render(request, "matching/profile_form.html", context)


@login_required
def offer_new(request):
    organization = _organization_for_new(request, affiliation(request.user).startups)
    if organization is None:
        messages.info(request, _("Register your startup first."))
        return redirect("accounts:organization-new")
    return _profile_form(
        request,
        form_class=OfferForm,
        instance=TechnologyOffer(organization=organization),
        create=services.offer_create,
        update=services.offer_update,
        template_title=_("New technology offer"),
        cancel_url=reverse("workspace:home"),
    )


@login_required
def offer_edit(request, pk):
    offer = _own(selectors.visible_offers(request.user), request, pk)
    return _profile_form(
        request,
        form_class=OfferForm,
        instance=offer,
        create=services.offer_create,
        update=services.offer_update,
        template_title=_("Edit technology offer"),
        cancel_url=reverse("workspace:home"),
    )


@require_safe
def offer_teaser(request, pk):
    """The offer's teaser PDF, for those ``matching.disclosure`` allows; 404 for everyone else
    (anonymous users included), so that no one else learns whether the offer or its teaser exists."""
    return teaser_download(request.user, pk)


@login_required
def need_new(request):
    organization = _organization_for_new(request, affiliation(request.user).corporates)
    if organization is None:
        messages.info(request, _("Register your BD team first."))
        return redirect("accounts:organization-new")
    return _profile_form(
        request,
        form_class=NeedForm,
        instance=PartneringNeed(organization=organization),
        create=services.need_create,
        update=services.need_update,
        template_title=_("New partnering need"),
        cancel_url=reverse("workspace:home"),
    )


@login_required
def need_edit(request, pk):
    need = _own(selectors.visible_needs(request.user), request, pk)
    return _profile_form(
        request,
        form_class=NeedForm,
        instance=need,
        create=services.need_create,
        update=services.need_update,
        template_title=_("Edit partnering need"),
        cancel_url=reverse("workspace:home"),
    )


@login_required
@require_GET
def concept_suggest(request):
    """Taxonomy concepts a description mentions, for the profile forms' suggestions."""
    text = request.GET.get("text", "")[:MAX_SUGGEST_CHARS]
    codes = extract_concepts(text) if text.strip() else set()
    concepts = Concept.objects.filter(code__in=codes).order_by("code")
    return JsonResponse({"concepts": [{"code": c.code, "name": c.name} for c in concepts]})


# --- Matches -------------------------------------------------------------------------------


@login_required
def offer_matches(request, pk):
    """A startup's view of one offer: the needs it matches, best first; confidential needs anonymised."""
    offer = _own(selectors.visible_offers(request.user), request, pk)
    matches = (
        selectors.visible_matches(request.user)
        .filter(offer=offer)
        .select_related("need__organization")
        .prefetch_related("need__areas")
        .order_by("-score", "pk")
    )
    disclosure = Disclosure.for_user(request.user)
    rows = []
    for match in matches:
        need = match.need
        shown = disclosure.need_identity(need)
        rows.append(
            {
                "match": match,
                "need": need,
                "identified": shown,
                "label": f"{need.organization.name}: {need.title}" if shown else anonymous_label(need),
                "explanation": match.explanation_in(),
            }
        )
    return render(request, "matching/offer_matches.html", {"offer": offer, "rows": rows})


@login_required
def need_matches(request, pk):
    """A BD team's view of one need: matching startups, best first, with filters and a shortlist."""
    need = _own(selectors.visible_needs(request.user), request, pk)
    on_shortlist = Shortlist.objects.filter(
        organization_id=need.organization_id, offer_id=OuterRef("offer_id"), need_id=OuterRef("need_id")
    )
    matches = (
        selectors.visible_matches(request.user)
        .filter(need=need)
        .annotate(shortlisted=Exists(on_shortlist))
        .select_related("offer__organization")
        .prefetch_related("offer__areas", "offer__approvals")
        .order_by("-score", "pk")
    )
    data = {key: request.GET[key] for key in MATCH_FILTERS if request.GET.get(key)}
    filterset = MatchFilter(data or None, queryset=matches, request=request)
    rows = list(filterset.qs)
    # Salons where the BD team and each startup are both approved and requests are open: 2 queries.
    open_events = Event.objects.filter(
        status__in=meeting_requests.REQUESTS_OPEN,
        registrations__organization_id=need.organization_id,
        registrations__status=RegistrationStatus.APPROVED,
    )
    shared = set()
    if rows:
        shared = set(
            Registration.objects.filter(
                event__in=open_events,
                status=RegistrationStatus.APPROVED,
                organization_id__in={m.offer.organization_id for m in rows},
            ).values_list("organization_id", flat=True)
        )
    context = {
        "need": need,
        "rows": [
            {"match": m, "explanation": m.explanation_in(), "can_request": m.offer.organization_id in shared}
            for m in rows
        ],
        "filter_form": filterset.form,
        "areas": DeviceArea.objects.order_by("code"),
        "selected": data,
        "querystring": request.GET.urlencode(),
    }
    return render(request, "matching/need_matches.html", context)


@login_required
@require_POST
def shortlist_toggle(request, pk, offer_pk):
    need = _own(selectors.visible_needs(request.user), request, pk)
    match = get_object_or_404(
        selectors.visible_matches(request.user).select_related("offer"), need=need, offer_id=offer_pk
    )
    removed = services.shortlist_remove(organization=need.organization, offer=match.offer, need=need)
    if removed:
        messages.success(request, _("Removed from the shortlist."))
    else:
        services.shortlist_add(organization=need.organization, offer=match.offer, need=need, user=request.user)
        messages.success(request, _("Added to the shortlist."))
    url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        url = reverse("workspace:need-matches", args=[need.pk])
    return redirect(url)


# --- Meeting requests ----------------------------------------------------------------------


def _request_pair(request):
    """The offer and the need of a new request, as the user may see them; 404 otherwise."""
    offer_id, need_id = request.GET.get("offer", ""), request.GET.get("need", "")
    if not (offer_id.isdigit() and need_id.isdigit()):
        raise Http404
    offer = get_object_or_404(selectors.visible_offers(request.user).select_related("organization"), pk=offer_id)
    need = selectors.visible_needs(request.user).select_related("organization").filter(pk=need_id).first()
    if need is None:  # a confidential need reaches the startup through its match only
        match = (
            selectors.visible_matches(request.user)
            .select_related("need__organization")
            .filter(offer=offer, need_id=need_id)
            .first()
        )
        if match is None:
            raise Http404
        need = match.need
    return offer, need


@login_required
def request_new(request):
    offer, need = _request_pair(request)
    mine = affiliation(request.user).organizations
    if offer.organization_id in mine:
        requester, startup_side = offer.organization, True
    elif need.organization_id in mine:
        requester, startup_side = need.organization, False
    else:
        raise Http404
    events = (
        Event.objects.filter(status__in=meeting_requests.REQUESTS_OPEN)
        .filter(registrations__organization=offer.organization, registrations__status=RegistrationStatus.APPROVED)
        .filter(registrations__organization=need.organization, registrations__status=RegistrationStatus.APPROVED)
        .distinct()
        .order_by("date", "pk")
    )
    warnings = meeting_requests.fit_warnings(offer, need, need.organization) if startup_side else []
    form = MeetingRequestForm(request.POST or None, events=events, show_confirm=bool(warnings))
    if request.method == "POST" and form.is_valid():
        try:
            meeting_requests.request_meeting(
                event=form.cleaned_data["event"],
                requester=requester,
                offer=offer,
                need=need,
                user=request.user,
                message=form.cleaned_data["message"],
                confirm_misfit=form.cleaned_data.get("confirm_misfit", False),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("Your meeting request is sent."))
            return redirect("workspace:home")
    disclosure = Disclosure.for_user(request.user)
    need_label = f"{need.organization.name}: {need.title}" if disclosure.need_identity(need) else anonymous_label(need)
    context = {
        "form": form,
        "offer": offer,
        "need": need,
        "need_label": need_label,
        "warnings": warnings,
        "has_events": events.exists(),
    }
    return render(request, "matching/request_form.html", context)
