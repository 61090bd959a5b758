"""The review that puts a startup's technology offer live: the one place that decides who reviews,
what approving and returning do, and what the startup is told.

- Platform staff review any submitted offer; a salon organizer reviews the offers of startups that
  applied (in any status) to one of its salons. For everyone else the offer is not there (404).
- Approving makes the offer ``approved``: it is matched at once (the matches are recomputed after
  commit, so the first ones appear within seconds) and the startup is mailed.
- Returning sends it back to ``draft`` with the reviewer's comment (required), which the startup
  sees on its workspace and in the mail until it submits again.

Both are audited; the mails go out after commit through a worker (``matching.tasks``)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import audit
from accounts.models import AuditAction, User
from accounts.selectors import affiliation, salon_participants
from core.tasks import MAIL_HANDOVER_ERRORS, enqueue_on_commit
from core.validators import validate_text
from matching import tasks
from matching.enums import OfferStatus
from matching.models import TechnologyOffer

COMMENT_LIMIT = 2000


def reviewable_offers(user) -> QuerySet[TechnologyOffer]:
    """The offers ``user`` may review (in any status: the queue shows the submitted ones)."""
    offers = TechnologyOffer.objects.select_related("organization")
    if not getattr(user, "is_authenticated", False):
        return offers.none()
    if user.is_staff:
        return offers.all()
    organizers = affiliation(user).organizers
    if not organizers:
        return offers.none()
    return offers.filter(organization__in=salon_participants(organizers))


def may_review(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.is_staff or affiliation(user).organizers))


def review_queue(user) -> QuerySet[TechnologyOffer]:
    """Submitted offers waiting for ``user``'s review, oldest first."""
    return (
        reviewable_offers(user)
        .filter(status=OfferStatus.SUBMITTED)
        .prefetch_related("areas", "approvals")
        .order_by("updated_at", "pk")
    )


def _locked_submitted(offer: TechnologyOffer) -> TechnologyOffer:
    offer = TechnologyOffer.objects.select_for_update().select_related("organization").get(pk=offer.pk)
    if offer.status != OfferStatus.SUBMITTED:
        raise ValidationError(
            _("Only a submitted technology can be reviewed; this one is %(status)s."),
            code="state",
            params={"status": offer.get_status_display()},
        )
    return offer


def _record(offer: TechnologyOffer, user: User, outcome: str) -> None:
    organizer = min(affiliation(user).organizers, default=None)
    audit.record(AuditAction.OFFER_REVIEWED, actor=user, organization=organizer, target=offer, outcome=outcome)
    enqueue_on_commit(tasks.mail_offer_review, offer.pk, errors=MAIL_HANDOVER_ERRORS)


def offer_approve(*, offer: TechnologyOffer, user: User) -> TechnologyOffer:
    """Approve a submitted offer: it goes live and is matched at once."""
    with transaction.atomic():
        offer = _locked_submitted(offer)
        offer.status, offer.review_comment = OfferStatus.APPROVED, ""
        offer.reviewed_by, offer.reviewed_at = user, timezone.now()
        offer.save(update_fields=["status", "review_comment", "reviewed_by", "reviewed_at", "updated_at"])
        _record(offer, user, "approved")
        enqueue_on_commit(tasks.recompute_matches, "offer", [offer.pk])
    return offer


def offer_return(*, offer: TechnologyOffer, user: User, comment: str) -> TechnologyOffer:
    """Send a submitted offer back to its startup with what to change."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": [_("Say what the startup should change.")]}, code="required")
    if len(comment) > COMMENT_LIMIT:
        raise ValidationError({"comment": [_("The comment is too long (at most 2,000 characters).")]}, code="long")
    try:
        validate_text(comment)
    except ValidationError as error:
        raise ValidationError({"comment": error.messages}) from error
    with transaction.atomic():
        offer = _locked_submitted(offer)
        offer.status, offer.review_comment = OfferStatus.DRAFT, comment
        offer.reviewed_by, offer.reviewed_at = user, timezone.now()
        offer.save(update_fields=["status", "review_comment", "reviewed_by", "reviewed_at", "updated_at"])
        _record(offer, user, "returned")
    return offer


def review_mails(offer: TechnologyOffer) -> list[tuple[str, str, list[str]]]:
    """(subject, body, recipients) of the mail about ``offer``'s last review, one per language of
    the startup's members (each reads it in its own)."""
    by_language: dict[str, list[str]] = {}
    for email, language in User.objects.filter(
        memberships__organization_id=offer.organization_id, is_active=True
    ).values_list("email", "preferred_language"):
        by_language.setdefault(language or "ko", []).append(email)
    mails = []
    for language, recipients in sorted(by_language.items()):
        with translation.override(language):
            values = {"title": offer.title}
            if offer.status == OfferStatus.APPROVED:
                subject = _("Your technology “%(title)s” is approved") % values
                lines = [
                    subject,
                    "",
                    _("It is now shown to the BD teams it matches; its first matches appear within minutes."),
                ]
            else:
                subject = _("Your technology “%(title)s” was returned for changes") % values
                lines = [
                    subject,
                    "",
                    _("The reviewer's comment:"),
                    offer.review_comment,
                    "",
                    _("Change the technology and submit it again."),
                ]
            lines += ["", _("Your workspace: %(url)s") % {"url": f"{settings.SITE_URL.rstrip('/')}/workspace/"}]
        mails.append((subject, "\n".join(lines), sorted(recipients)))
    return mails
