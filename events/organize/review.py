"""The review queue (``/organize/review/``): submitted technology offers with their company, to
approve or to return with a comment (``matching.review`` decides who may and what it does).
Platform staff and salon organizers only; everyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from matching import review


def _reviewer(request) -> None:
    if not review.may_review(request.user):
        raise Http404


@login_required
@require_GET
def review_queue(request):
    _reviewer(request)
    offers = list(review.review_queue(request.user))
    return render(request, "events/organize/review.html", {"offers": offers, "errors": {}})


def _offer(request, public_id):
    _reviewer(request)
    return get_object_or_404(review.reviewable_offers(request.user), public_id=public_id)


@login_required
@require_POST
def approve(request, public_id):
    offer = _offer(request, public_id)
    try:
        review.offer_approve(offer=offer, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(title)s is approved: it is matched now and %(company)s is told by e-mail.")
            % {"title": offer.title, "company": offer.organization.name},
        )
    return redirect("organize:review")


@login_required
@require_POST
def send_back(request, public_id):
    offer = _offer(request, public_id)
    try:
        review.offer_return(offer=offer, user=request.user, comment=request.POST.get("comment", ""))
    except ValidationError as error:
        if hasattr(error, "error_dict"):  # the comment is wrong: the queue again, with the error at it
            offers = list(review.review_queue(request.user))
            errors = {offer.pk: error.message_dict["comment"]}
            context = {"offers": offers, "errors": errors, "comments": {offer.pk: request.POST.get("comment", "")}}
            return render(request, "events/organize/review.html", context, status=400)
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(title)s went back to %(company)s with your comment.")
            % {"title": offer.title, "company": offer.organization.name},
        )
    return redirect("organize:review")
