"""Meeting requests at a salon: who may ask whom, quotas, and the transitions

    proposed ──take up──▶ pending ──accept──▶ accepted ──cancel──▶ cancelled
        │                    │ ╲──decline──▶ declined
        └──decline──▶ declined  ╲──(expiry, beat)──▶ expired;  pending ──cancel (requester)──▶ cancelled

Every function validates first and raises ``ValidationError`` with a localised message, then
writes in one transaction (the request row is locked, so two clicks cannot both win), and queues
e-mails and the re-scoring that a decline implies once the transaction commits."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.models import AuditAction, Organization, OrganizationKind, User
from accounts.selectors import affiliation
from core.tasks import MAIL_HANDOVER_ERRORS, enqueue_on_commit
from core.validators import validate_text
from events import notifications, schedule_service
from events.models import (
    Event,
    MeetingRequest,
    Registration,
    RegistrationStatus,
    RequestOrigin,
    RequestStatus,
)
from matching.disclosure import Disclosure
from matching.enums import DeclineReason, NeedStatus, OfferStatus
from matching.models import Match, PartneringNeed, TechnologyOffer
from matching.selectors import fit_warnings, reachable_need, visible_offers
from matching.tasks import recompute_matches


def _registration(event: Event, organization: Organization) -> Registration | None:
    return Registration.objects.filter(event=event, organization=organization).first()


def quota(event: Event, organization: Organization) -> int:
    """Meetings an organization may hold at a salon: the salon's quota, lowered by the
    organization's own maximum; 0 without an approved registration."""
    registration = _registration(event, organization)
    if registration is None or registration.status != RegistrationStatus.APPROVED:
        return 0
    return quota_of(event, max_meetings=registration.max_meetings)


def quota_of(event: Event, *, max_meetings: int) -> int:
    """The quota rule, shared by requests and proposals: the salon's quota, lowered by the
    organization's own maximum (its registration's ``max_meetings``)."""
    return min(event.meeting_quota, max_meetings)


def commitments(event: Event, organization: Organization) -> int:
    """Places taken against the quota: accepted meetings and the requests it sent that still wait."""
    return commitments_by_organization(event, [organization.pk]).get(organization.pk, 0)


def commitments_by_organization(event: Event, organization_ids=None) -> dict[int, int]:
    """``commitments`` of every organization (or of ``organization_ids``) at once."""
    counts: dict[int, int] = defaultdict(int)
    rows = MeetingRequest.objects.filter(event=event, status__in=(RequestStatus.ACCEPTED, RequestStatus.PENDING))
    if organization_ids is not None:
        rows = rows.filter(Q(startup_id__in=organization_ids) | Q(corporate_id__in=organization_ids))
    for startup, corporate, state, requester in rows.values_list(
        "startup_id", "corporate_id", "status", "requester_id"
    ):
        if state == RequestStatus.ACCEPTED:
            counts[startup] += 1
            counts[corporate] += 1
        else:
            counts[requester] += 1
    return dict(counts)


def _lock_quotas(event: Event, *organizations: Organization) -> None:
    """Lock the registrations whose quota the transaction is about to use, always in pk order, so
    that two requests or accepts of one organization at once wait for each other instead of both
    passing the quota check (no deadlock: every writer takes them in the same order, first)."""
    list(
        Registration.objects.select_for_update()
        .filter(event=event, organization__in=[o.pk for o in organizations])
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _check_quota(event: Event, organization: Organization, *, extra: int = 1) -> None:
    limit = quota(event, organization)
    if commitments(event, organization) + extra > limit:
        raise ValidationError(
            _("%(organization)s has reached its meeting quota for this salon (%(quota)d)."),
            code="quota",
            params={"organization": organization.name, "quota": limit},
        )


def _check_open(event: Event) -> None:
    if not event.accepts_requests:
        raise ValidationError(_("Meeting requests are closed for this salon."), code="closed")


def _check_registered(event: Event, organization: Organization, *, counterpart: bool = False) -> None:
    """Is ``organization`` an approved participant of ``event``? The other side of a request is not
    named (``counterpart``): a startup asking about a confidential need must not learn whose it is,
    and one wording for every need keeps confidential and ordinary needs indistinguishable."""
    registration = _registration(event, organization)
    if registration is not None and registration.status == RegistrationStatus.APPROVED:
        return
    if not counterpart:
        raise ValidationError(
            _("%(organization)s is not an approved participant of this salon."),
            code="not_registered",
            params={"organization": organization.name},
        )
    if organization.kind == OrganizationKind.CORPORATE:
        raise ValidationError(_("This BD team is not an approved participant of this salon."), code="not_registered")
    raise ValidationError(_("This startup is not an approved participant of this salon."), code="not_registered")


def _text_errors(text: str, *, limit: int, too_long: str) -> list:
    """What is wrong with a request's message or a decline's note (the models' own rules)."""
    errors = [too_long] if len(text) > limit else []
    try:
        validate_text(text)
    except ValidationError as error:
        errors.extend(error.error_list)
    return errors


def _expiry(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(hours=settings.REQUEST_EXPIRY_HOURS)


# What an answer (accept, decline, cancel) changes on a request.
ANSWER_FIELDS = ["status", "responded_by", "responded_at", "updated_at"]


def _locked(request: MeetingRequest) -> MeetingRequest:
    return MeetingRequest.objects.select_for_update().select_related("event").get(pk=request.pk)


def _after_commit(request: MeetingRequest, what: str) -> None:
    enqueue_on_commit(notifications.mail_request_change, request.pk, what, errors=MAIL_HANDOVER_ERRORS)


def _audit_disclosure(request: MeetingRequest, *, user: User | None, by: Organization | None, contacts: bool) -> None:
    """Trace what ``matching.disclosure`` reveals from now on: a confidential BD team's identity
    once it requests or accepts, both sides' contact details once the meeting is accepted."""
    corporate_engages = by is None or by.pk == request.corporate_id
    disclosed = []
    if (
        corporate_engages
        and PartneringNeed.objects.filter(organization_id=request.corporate_id, is_confidential=True).exists()
    ):
        disclosed.append(AuditAction.IDENTITY_DISCLOSED)
    if contacts:
        disclosed.append(AuditAction.CONTACTS_DISCLOSED)
    for action in disclosed:
        audit.record(
            action,
            actor=user,
            organization=by,
            target=request,
            corporate=request.corporate_id,
            startup=request.startup_id,
        )


def meeting_request_create(
    *,
    event: Event,
    requester: Organization,
    offer: TechnologyOffer,
    need: PartneringNeed | None = None,
    corporate: Organization | None = None,
    user: User | None = None,
    message: str = "",
    confirm_misfit: bool = False,
) -> MeetingRequest:
    """A startup asks a BD team about one of its offers (optionally naming the team's need), or a BD
    team asks a startup about one of its offers. A proposal for the same pair is taken up.

    A startup whose offer does not fit (``fit_warnings``) is shown the warnings first: the request
    is refused with code ``misfit`` until it is sent again with ``confirm_misfit``."""
    _check_open(event)
    corporate = need.organization if need is not None else corporate
    if corporate is None:
        raise ValidationError(_("Choose the BD team or one of its needs."), code="no_corporate")
    startup = offer.organization
    errors = []
    if requester.pk not in (startup.pk, corporate.pk):
        errors.append(_("You can only request meetings for your own organization."))
    if startup.kind != OrganizationKind.STARTUP or corporate.kind != OrganizationKind.CORPORATE:
        errors.append(_("A meeting is between a startup and a BD team."))
    if offer.status != OfferStatus.APPROVED:
        errors.append(_("This technology is not published yet."))
    if need is not None and need.status != NeedStatus.OPEN:
        errors.append(_("This need is closed."))
    errors.extend(_text_errors(message, limit=2000, too_long=_("The message is too long (at most 2,000 characters).")))
    if errors:
        raise ValidationError(errors)
    # A startup asking about a confidential need it may not name asks anonymously: nothing of the
    # pair's other requests (a live one, a decline, a proposal) may decide the answer, or the answer
    # would tell the startup that the need is that BD team's.
    anonymous = (
        requester.pk == startup.pk and need is not None and not Disclosure.for_organization(startup).need_identity(need)
    )
    recipient = corporate if requester.pk == startup.pk else startup
    _check_registered(event, requester)
    _check_registered(event, recipient, counterpart=True)
    if was_declined(event, startup, corporate, need=need if anonymous else None):
        raise ValidationError(
            _("This meeting was declined at this salon; it cannot be requested again."), code="declined"
        )
    if requester.pk == startup.pk and not confirm_misfit:
        warnings = fit_warnings(offer, need, corporate)
        if warnings:
            raise ValidationError(
                {"confirm_misfit": [_("Before you send this request, note what does not fit:"), *warnings]},
                code="misfit",
            )
    origin = RequestOrigin.STARTUP if requester.pk == startup.pk else RequestOrigin.CORPORATE
    now = timezone.now()
    # One wording for a startup, anonymous or not: the answer must not tell the two apart.
    duplicate = (
        _("You already have a request with this BD team at this salon.")
        if requester.pk == startup.pk
        else _("These two organizations already have a request for this salon.")
    )
    with transaction.atomic():
        _lock_quotas(event, requester)
        _check_quota(event, requester)
        live = MeetingRequest.objects.select_for_update().filter(
            event=event, startup=startup, status__in=RequestStatus.live(), anonymous=anonymous
        )
        # An anonymous request meets only its own kind about the same need (a proposal about this
        # need is taken up); the pair's other rows are left alone and their ids are never reused.
        live = live.filter(need=need) if anonymous else live.filter(corporate=corporate)
        existing = live.first()
        if existing is not None and existing.status != RequestStatus.PROPOSED:
            raise ValidationError(duplicate, code="duplicate")
        request = existing or MeetingRequest(
            event=event, startup=startup, corporate=corporate, origin=origin, anonymous=anonymous
        )
        request.offer, request.need = offer, need or request.need
        request.requester, request.recipient = requester, recipient
        request.status, request.message, request.created_by = RequestStatus.PENDING, message, user
        request.expires_at = _expiry(now)
        if request.score is None:
            request.score = _pair_score(offer, request.need)
        try:
            with transaction.atomic():
                request.save()
        except IntegrityError as error:  # a concurrent request for the same pair won
            raise ValidationError(duplicate, code="duplicate") from error
        if origin == RequestOrigin.CORPORATE:
            _audit_disclosure(request, user=user, by=requester, contacts=False)
    _after_commit(request, "new")
    return request


def meeting_request_send(
    *,
    user: User,
    event: Event,
    offer: TechnologyOffer,
    need: PartneringNeed | None = None,
    corporate: Organization | None = None,
    message: str = "",
    confirm_misfit: bool = False,
) -> MeetingRequest:
    """A user's "request a meeting", from a page or the API: the one place that decides who asks.

    The startup side asks when the offer is the user's (and the need one it may reach); the BD team
    asks when the need or team is the user's (and the offer one it may see); the salon's organizer,
    asking for two other organizations, arranges the meeting instead (accepted at once)."""
    corporate_id = need.organization_id if need is not None else (corporate.pk if corporate is not None else None)
    requester = requesting_organization(user, offer=offer, corporate_id=corporate_id)
    if requester is None:
        if event.organizer_id in affiliation(user).organizers:
            return meeting_request_arrange(
                event=event,
                organizer=event.organizer,
                offer=offer,
                need=need,
                corporate=corporate,
                user=user,
                message=message,
            )
        raise ValidationError(_("You can only request meetings for your own organization."), code="not_yours")
    if requester.pk == offer.organization_id:
        if need is not None and reachable_need(user, offer=offer, public_id=need.public_id) is None:
            raise ValidationError({"need": [_("Unknown need.")]}, code="unknown_need")
    elif not visible_offers(user).filter(pk=offer.pk).exists():
        raise ValidationError(_("You can only request meetings for your own organization."), code="not_yours")
    return meeting_request_create(
        event=event,
        requester=requester,
        offer=offer,
        need=need,
        corporate=corporate,
        user=user,
        message=message,
        confirm_misfit=confirm_misfit,
    )


def requesting_organization(user, *, offer: TechnologyOffer, corporate_id: int | None) -> Organization | None:
    """Which of the user's organizations asks for a meeting about ``offer`` with BD team
    ``corporate_id``: the offer's startup if it is the user's, else the BD team if it is the user's."""
    mine = affiliation(user).organizations
    if offer.organization_id in mine:
        return offer.organization
    if corporate_id in mine:
        return Organization.objects.get(pk=corporate_id)
    return None


def party(request: MeetingRequest, user) -> Organization | None:
    """The side of ``request`` that is one of the user's organizations (the startup first)."""
    mine = affiliation(user).organizations
    for organization in (request.startup, request.corporate):
        if organization.pk in mine:
            return organization
    return None


def meeting_request_arrange(
    *,
    event: Event,
    organizer: Organization,
    offer: TechnologyOffer,
    need: PartneringNeed | None = None,
    corporate: Organization | None = None,
    user: User | None = None,
    message: str = "",
) -> MeetingRequest:
    """The salon's organizer sets up a meeting both sides agreed to (at the desk, by phone): it is
    accepted at once, counts against both quotas, and replaces a live proposal or request of the
    pair. Possible until the agenda is published."""
    if event.organizer_id != organizer.pk:
        raise ValidationError(_("Only the organizer of this salon can arrange meetings."), code="not_organizer")
    if not event.arrangeable:
        raise ValidationError(_("Meetings can no longer be arranged for this salon."), code="closed")
    corporate = need.organization if need is not None else corporate
    if corporate is None:
        raise ValidationError(_("Choose the BD team or one of its needs."), code="no_corporate")
    startup = offer.organization
    if startup.kind != OrganizationKind.STARTUP or corporate.kind != OrganizationKind.CORPORATE:
        raise ValidationError(_("A meeting is between a startup and a BD team."), code="sides")
    if errors := _text_errors(message, limit=2000, too_long=_("The message is too long (at most 2,000 characters).")):
        raise ValidationError(errors, code="message")
    _check_registered(event, startup)
    _check_registered(event, corporate)
    if was_declined(event, startup, corporate):
        raise ValidationError(
            _("This meeting was declined at this salon; it cannot be requested again."), code="declined"
        )
    with transaction.atomic():
        _lock_quotas(event, startup, corporate)
        live = list(
            MeetingRequest.objects.select_for_update().filter(
                event=event, startup=startup, corporate=corporate, status__in=RequestStatus.live()
            )
        )
        if any(row.status == RequestStatus.ACCEPTED for row in live):
            raise ValidationError(_("These two organizations already have a meeting at this salon."), code="duplicate")
        # The pair may hold an anonymous request beside another one: the one about this need, else
        # the pair's own, becomes the meeting.
        live.sort(key=lambda row: (need is None or row.need_id != need.pk, row.anonymous, row.pk))
        existing = live[0] if live else None
        # A pending request already counts against its requester's quota; it does not twice.
        pending_requester = (
            existing.requester_id if existing is not None and existing.status == RequestStatus.PENDING else None
        )
        for side in (startup, corporate):
            _check_quota(event, side, extra=0 if side.pk == pending_requester else 1)
        request = existing or MeetingRequest(event=event, startup=startup, corporate=corporate)
        request.origin, request.status = RequestOrigin.ORGANIZER, RequestStatus.ACCEPTED
        request.offer, request.need = offer, need or request.need
        request.requester = request.recipient = None
        request.message = message or request.message
        request.created_by, request.responded_by, request.responded_at = user, user, timezone.now()
        request.expires_at = None
        if request.score is None:
            request.score = _pair_score(offer, request.need)
        request.save()
        audit.record(AuditAction.MEETING_ARRANGED, actor=user, organization=organizer, target=request)
        _audit_disclosure(request, user=user, by=None, contacts=True)
    _after_commit(request, "arranged")
    return request


def _pair_score(offer: TechnologyOffer, need: PartneringNeed | None) -> float | None:
    if need is None:
        return None
    return Match.objects.filter(offer=offer, need=need).values_list("score", flat=True).first()


def was_declined(
    event: Event, startup: Organization, corporate: Organization, *, need: PartneringNeed | None = None
) -> bool:
    """Did ``corporate`` and ``startup`` decline a meeting at ``event``? About ``need`` alone when it
    is given (an anonymous request); otherwise any decline of the pair but those of anonymous requests,
    which the startup could not have known were this BD team's."""
    declined = MeetingRequest.objects.filter(
        event=event, startup=startup, corporate=corporate, status=RequestStatus.DECLINED
    )
    return (declined.filter(need=need) if need is not None else declined.filter(anonymous=False)).exists()


def _check_no_meeting_yet(request: MeetingRequest) -> None:
    """One meeting per pair and salon, whatever requests led to it (an anonymous request may wait
    beside another one of the pair). Only its recipient accepts, and it knows both sides."""
    other = (
        MeetingRequest.objects.filter(
            event_id=request.event_id,
            startup_id=request.startup_id,
            corporate_id=request.corporate_id,
            status=RequestStatus.ACCEPTED,
        )
        .exclude(pk=request.pk)
        .exists()
    )
    if other:
        raise ValidationError(_("These two organizations already have a meeting at this salon."), code="duplicate")


def _check_party(request: MeetingRequest, organization: Organization) -> None:
    if organization.pk not in (request.startup_id, request.corporate_id):
        raise ValidationError(_("This request is not addressed to your organization."), code="not_party")


def meeting_request_accept(
    *, meeting_request: MeetingRequest, organization: Organization, user: User | None = None
) -> MeetingRequest:
    """Take up a proposal (it then waits for the other side) or accept a pending request.

    Both sides' registrations are locked: a pair may hold an anonymous request beside another one,
    and two accepts of the pair at once must not give it two meetings."""
    with transaction.atomic():
        _lock_quotas(
            meeting_request.event,
            Organization(pk=meeting_request.startup_id),
            Organization(pk=meeting_request.corporate_id),
        )
        meeting_request = _locked(meeting_request)
        _check_party(meeting_request, organization)
        _check_open(meeting_request.event)
        now = timezone.now()
        if meeting_request.status == RequestStatus.PROPOSED:
            _check_quota(meeting_request.event, organization)
            meeting_request.requester = organization
            meeting_request.recipient_id = meeting_request.other_side(organization.pk)
            meeting_request.status, meeting_request.created_by, meeting_request.expires_at = (
                RequestStatus.PENDING,
                user,
                _expiry(now),
            )
            what, changed = "new", ["status", "requester", "recipient", "created_by", "expires_at", "updated_at"]
        elif meeting_request.status == RequestStatus.PENDING and meeting_request.recipient_id == organization.pk:
            if meeting_request.expires_at is not None and meeting_request.expires_at <= now:
                raise ValidationError(_("This request has expired."), code="expired")
            _check_no_meeting_yet(meeting_request)
            _check_quota(meeting_request.event, organization)
            meeting_request.status, meeting_request.responded_by, meeting_request.responded_at = (
                RequestStatus.ACCEPTED,
                user,
                now,
            )
            what, changed = "accepted", ANSWER_FIELDS
        else:
            raise ValidationError(
                _("This request cannot be accepted in its current state (%(status)s)."),
                code="state",
                params={"status": meeting_request.get_status_display()},
            )
        meeting_request.save(update_fields=changed)
        if meeting_request.status == RequestStatus.ACCEPTED:
            _audit_disclosure(meeting_request, user=user, by=organization, contacts=True)
        elif meeting_request.requester_id == meeting_request.corporate_id:  # a BD team took up a proposal
            _audit_disclosure(meeting_request, user=user, by=organization, contacts=False)
    _after_commit(meeting_request, what)
    return meeting_request


def meeting_request_decline(
    *,
    meeting_request: MeetingRequest,
    organization: Organization,
    reason: str,
    note: str = "",
    user: User | None = None,
) -> MeetingRequest:
    """Decline a proposal or a request addressed to you, with one of the fixed reasons. A BD team's
    decline teaches the ranking (see ``matching.scoring.decline_feedback``)."""
    if reason not in DeclineReason.values:
        raise ValidationError(_("Choose a reason from the list."), code="reason")
    if errors := _text_errors(note, limit=1000, too_long=_("The note is too long (at most 1,000 characters).")):
        raise ValidationError(errors, code="note")
    if reason == DeclineReason.OTHER and not note.strip():
        raise ValidationError({"note": [_("Say in the note why you decline when the reason is “Other”.")]}, code="note")
    with transaction.atomic():
        meeting_request = _locked(meeting_request)
        _check_party(meeting_request, organization)
        _check_open(meeting_request.event)
        addressed = meeting_request.status == RequestStatus.PROPOSED or (
            meeting_request.status == RequestStatus.PENDING and meeting_request.recipient_id == organization.pk
        )
        if not addressed:
            raise ValidationError(
                _("This request cannot be declined in its current state (%(status)s)."),
                code="state",
                params={"status": meeting_request.get_status_display()},
            )
        if meeting_request.requester_id is None:  # a proposal declined: the decliner answered it
            meeting_request.recipient = organization
            meeting_request.requester_id = meeting_request.other_side(organization.pk)
        meeting_request.status, meeting_request.decline_reason, meeting_request.decline_note = (
            RequestStatus.DECLINED,
            reason,
            note,
        )
        meeting_request.responded_by, meeting_request.responded_at = user, timezone.now()
        meeting_request.save(update_fields=[*ANSWER_FIELDS, "requester", "recipient", "decline_reason", "decline_note"])
    _after_commit(meeting_request, "declined")
    kind, ids = (
        ("need", [meeting_request.need_id]) if meeting_request.need_id else ("offer", [meeting_request.offer_id])
    )
    enqueue_on_commit(recompute_matches, kind, ids)
    return meeting_request


def meeting_request_cancel(
    *, meeting_request: MeetingRequest, organization: Organization, user: User | None = None
) -> MeetingRequest:
    """The requester withdraws a pending request; either side, or the salon's organizer, cancels an
    accepted meeting (which then leaves the agenda: ``schedule_service.meetings_cancel_for_request``)."""
    with transaction.atomic():
        meeting_request = _locked(meeting_request)
        organizer = organization.pk == meeting_request.event.organizer_id
        if not organizer:
            _check_party(meeting_request, organization)
        if not meeting_request.event.cancellable:
            raise ValidationError(_("The salon is closed: its meetings can no longer be cancelled."), code="closed")
        allowed = meeting_request.status == RequestStatus.ACCEPTED or (
            meeting_request.status == RequestStatus.PENDING and meeting_request.requester_id == organization.pk
        )
        if not allowed:
            raise ValidationError(
                _("This request cannot be cancelled in its current state (%(status)s)."),
                code="state",
                params={"status": meeting_request.get_status_display()},
            )
        was_accepted = meeting_request.status == RequestStatus.ACCEPTED
        meeting_request.status, meeting_request.responded_by, meeting_request.responded_at = (
            RequestStatus.CANCELLED,
            user,
            timezone.now(),
        )
        meeting_request.save(update_fields=ANSWER_FIELDS)
        schedule_service.meetings_cancel_for_request(meeting_request=meeting_request)
        if was_accepted:
            audit.record(AuditAction.MEETING_CANCELLED, actor=user, organization=organization, target=meeting_request)
    _after_commit(meeting_request, "cancelled")
    return meeting_request


def meeting_requests_expire_due(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Expire pending requests past their time and warn recipients of those expiring soon.
    Returns (expired, warned). Run by celery beat."""
    now = now or timezone.now()
    expired_ids = list(
        MeetingRequest.objects.filter(status=RequestStatus.PENDING, expires_at__lte=now).values_list("pk", flat=True)
    )
    with transaction.atomic():
        MeetingRequest.objects.filter(pk__in=expired_ids, status=RequestStatus.PENDING).update(
            status=RequestStatus.EXPIRED, updated_at=now
        )
        soon = now + dt.timedelta(hours=settings.REQUEST_EXPIRY_WARNING_HOURS)
        warn_ids = list(
            MeetingRequest.objects.filter(
                status=RequestStatus.PENDING, expires_at__gt=now, expires_at__lte=soon, expiry_warned_at__isnull=True
            ).values_list("pk", flat=True)
        )
        MeetingRequest.objects.filter(pk__in=warn_ids).update(expiry_warned_at=now)
    for pk in expired_ids:
        enqueue_on_commit(notifications.mail_request_change, pk, "expired", errors=MAIL_HANDOVER_ERRORS)
    for pk in warn_ids:
        enqueue_on_commit(notifications.mail_request_change, pk, "expiring", errors=MAIL_HANDOVER_ERRORS)
    return len(expired_ids), len(warn_ids)


def counts_by_status(event: Event) -> dict[str, int]:
    rows = MeetingRequest.objects.filter(event=event).values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}
