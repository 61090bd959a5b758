"""The workspace pages of startups and BD teams about their profiles: offers and needs, their matches,
the shortlist, concept suggestions and teasers (the home page and meeting requests: ``events.workspace_views``).

Reads come from ``matching.selectors``, writes go through ``matching.services``; another
organization's private objects answer 404."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST, require_safe

from accounts.models import Organization
from accounts.selectors import affiliation
from matching import engagement, selectors, services
from matching.concepts import extract_concepts
from matching.disclosure import Disclosure
from matching.downloads import teaser_download
from matching.fact_sheet import fact_sheet, need_facts
from matching.filters import MatchFilter
from matching.forms import COMPLETE_DESCRIPTION_CHARS, NeedForm, OfferForm
from matching.models import Concept, DeviceArea, PartneringNeed, Shortlist, TechnologyOffer

MATCH_FILTERS = ("area", "stage", "approval", "region", "deal_type", "shortlisted")
MAX_SUGGEST_CHARS = 10_000


def _errors(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


# --- Offers and needs ----------------------------------------------------------------------


def _own(queryset, request, public_id):
    """One of the user's own organizations' offers or needs, by its public id; 404 for everyone else."""
    return get_object_or_404(
        queryset.filter(organization_id__in=affiliation(request.user).organizations).select_related("organization"),
        public_id=public_id,
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


def _profile_form(request, kind: str, *, instance, title):
    pages = PROFILES[kind]
    form = pages.form_class(request.POST or None, request.FILES or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            if instance.pk:
                pages.update(**{kind: instance}, **form.service_fields())
            else:
                pages.create(organization=instance.organization, **form.service_fields())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Saved."))
            return redirect("workspace:home")
    context = {
        "form": form,
        "title": title,
        "organization": instance.organization,
        "cancel_url": reverse("workspace:home"),
        "suggest_url": reverse("workspace:concept-suggest"),
        "js_texts": {
            "done": _("done"),
            "missing": _("missing"),
            "suggested": _("Suggested from your description:"),
            "minChars": COMPLETE_DESCRIPTION_CHARS,
        },
    }
    return render(request, "matching/profile_form.html", context)


@dataclass(frozen=True)
class ProfilePages:
    """What differs between the offer pages and the need pages; the views are one set."""

    model: type
    form_class: type
    create: Callable
    update: Callable
    visible: Callable  # the selector of what the user may see
    owners: Callable  # the user's organizations that may own one (from its affiliation)
    register_first: str
    new_title: str
    edit_title: str


# Keyed by kind, which is also the update services' keyword for the instance (offer=, need=).
PROFILES = {
    "offer": ProfilePages(
        model=TechnologyOffer,
        form_class=OfferForm,
        create=services.offer_create,
        update=services.offer_update,
        visible=selectors.visible_offers,
        owners=lambda mine: mine.startups,
        register_first=gettext_lazy("Register your startup first."),
        new_title=gettext_lazy("New technology offer"),
        edit_title=gettext_lazy("Edit technology offer"),
    ),
    "need": ProfilePages(
        model=PartneringNeed,
        form_class=NeedForm,
        create=services.need_create,
        update=services.need_update,
        visible=selectors.visible_needs,
        owners=lambda mine: mine.corporates,
        register_first=gettext_lazy("Register your BD team first."),
        new_title=gettext_lazy("New partnering need"),
        edit_title=gettext_lazy("Edit partnering need"),
    ),
}


@login_required
def profile_new(request, kind):
    pages = PROFILES[kind]
    organization = _organization_for_new(request, pages.owners(affiliation(request.user)))
    if organization is None:
        messages.info(request, pages.register_first)
        return redirect("accounts:organization-new")
    return _profile_form(request, kind, instance=pages.model(organization=organization), title=pages.new_title)


@login_required
def profile_edit(request, kind, public_id):
    pages = PROFILES[kind]
    instance = _own(pages.visible(request.user), request, public_id)
    return _profile_form(request, kind, instance=instance, title=pages.edit_title)


@require_safe
def offer_teaser(request, public_id):
    """The offer's teaser PDF, for those ``matching.disclosure`` allows; 404 for everyone else
    (anonymous users included), so that no one else learns whether the offer or its teaser exists."""
    return teaser_download(request.user, public_id)


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
def offer_matches(request, public_id):
    """A startup's view of one offer: the needs it matches, best first; confidential needs anonymised."""
    offer = _own(selectors.visible_offers(request.user), request, public_id)
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
        names = disclosure.need_names(match.need)
        rows.append(
            {
                "match": match,
                "need": match.need,
                "identified": names.identified,
                "label": names.label,
                "explanation": match.explanation_in(),
            }
        )
    return render(request, "matching/offer_matches.html", {"offer": offer, "rows": rows})


@login_required
@require_safe
def offer_detail(request, public_id):
    """An offer as a BD team reads it before a meeting: the company, the facts, the description,
    the teaser and (after an accepted meeting) the contacts. For the readers ``Disclosure.offer_page``
    allows; 404 for everyone else. An English reader of a Korean offer gets the facts in English."""
    offer = get_object_or_404(
        TechnologyOffer.objects.select_related("organization").prefetch_related("areas", "concepts", "approvals"),
        public_id=public_id,
    )
    disclosure = Disclosure.for_user(request.user)
    if not disclosure.offer_page(offer):
        raise Http404
    mine = affiliation(request.user).organizations
    # A BD team's best matched need, to ask for a meeting from here.
    match = (
        selectors.visible_matches(request.user)
        .filter(offer=offer, need__organization_id__in=mine)
        .select_related("need")
        .order_by("-score", "pk")
        .first()
    )
    context = {
        "offer": offer,
        "organization": offer.organization,
        "sheet": fact_sheet(offer),
        "other_language": offer.language != request.LANGUAGE_CODE,
        "contacts": disclosure.contacts(offer.organization_id),
        "teaser": bool(offer.teaser) and disclosure.teaser(offer),
        "match": match,
        "own": offer.organization_id in mine,
    }
    return render(request, "matching/offer_detail.html", context)


@login_required
@require_safe
def need_detail(request, public_id):
    """A partnering need as a startup reads it: what the BD team looks for, its facts, and — while a
    confidential need's team has not engaged — the anonymous label instead of its name, title and text."""
    need = selectors.readable_need(request.user, public_id)
    if need is None:
        raise Http404
    disclosure = Disclosure.for_user(request.user)
    names = disclosure.need_names(need)
    mine = affiliation(request.user)
    match = (
        selectors.visible_matches(request.user)
        .filter(need=need, offer__organization_id__in=mine.startups)
        .select_related("offer")
        .order_by("-score", "pk")
        .first()
    )
    context = {
        "need": need,
        "names": names,
        "facts": need_facts(need),
        "match": match,
        "own": need.organization_id in mine.organizations,
    }
    return render(request, "matching/need_detail.html", context)


@login_required
def need_matches(request, public_id):
    """A BD team's view of one need: matching startups, best first, with filters and a shortlist."""
    need = _own(selectors.visible_needs(request.user), request, public_id)
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
    # Startups the BD team can ask: approved with it at a salon that accepts requests (1 query).
    shared = engagement.source().requestable_counterparts(need.organization_id, {m.offer.organization_id for m in rows})
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
def shortlist_toggle(request, public_id, offer_public_id):
    need = _own(selectors.visible_needs(request.user), request, public_id)
    match = get_object_or_404(
        selectors.visible_matches(request.user).select_related("offer"), need=need, offer__public_id=offer_public_id
    )
    removed = services.shortlist_remove(organization=need.organization, offer=match.offer, need=need)
    if removed:
        messages.success(request, _("Removed from the shortlist."))
    else:
        services.shortlist_add(organization=need.organization, offer=match.offer, need=need, user=request.user)
        messages.success(request, _("Added to the shortlist."))
    url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        url = reverse("workspace:need-matches", args=[need.public_id])
    return redirect(url)
