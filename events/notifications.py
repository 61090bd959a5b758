"""E-mails about meeting requests, each in its recipient's language.

``send(request_id, what)`` is called once the change has committed. ``what`` is one of ``new``
(to the receiving organization), ``accepted`` / ``declined`` / ``expired`` (to the requester),
``expiring`` (to the receiving organization), ``cancelled`` (to both sides except the person who
cancelled) and ``arranged`` (a meeting the organizer set up, to both sides). A confidential need's team
stays anonymous in mails to a startup it has not engaged."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.mail_delivery import MailDeliveryTask
from accounts.models import User
from core.tasks import MAIL_TASK
from events.models import MeetingRequest
from matching.disclosure import Disclosure

SUBJECTS = {
    "new": lambda: _("New meeting request from %(other)s"),
    "accepted": lambda: _("%(other)s accepted your meeting request"),
    "declined": lambda: _("%(other)s declined your meeting request"),
    "expiring": lambda: _("A meeting request from %(other)s expires soon"),
    "expired": lambda: _("Your meeting request to %(other)s expired"),
    "cancelled": lambda: _("The meeting with %(other)s was cancelled"),
    "arranged": lambda: _("The organizer arranged a meeting with %(other)s"),
}


def _recipients(request: MeetingRequest, what: str) -> list[tuple[User, int]]:
    """(user, organization id) pairs: whom to write, and which side they are on."""
    if what in ("new", "expiring"):
        sides = [request.recipient_id]
    elif what in ("cancelled", "arranged"):
        sides = [request.startup_id, request.corporate_id]
    else:
        sides = [request.requester_id]
    users = (
        User.objects.filter(memberships__organization_id__in=sides, is_active=True)
        .exclude(pk=request.responded_by_id if what == "cancelled" else None)
        .values_list("pk", "memberships__organization_id")
    )
    by_pk = User.objects.in_bulk([pk for pk, _org in users])
    return [(by_pk[pk], org) for pk, org in users if org in sides]


def _other_name(request: MeetingRequest, side: int) -> tuple[str, bool]:
    """The other side's name for a recipient on ``side``, and whether the need may be named."""
    if side == request.corporate_id:
        return request.startup.name, True
    if request.need is None:
        return request.corporate.name, True
    names = Disclosure.for_organization(request.startup).need_names(request.need)
    return names.organization, names.identified


def _body(request: MeetingRequest, what: str, side: int, other: str, need_shown: bool) -> str:
    lines = [SUBJECTS[what]() % {"other": other}, ""]
    lines.append(_("Salon: %(salon)s (%(date)s)") % {"salon": request.event.title, "date": request.event.date})
    lines.append(_("Technology: %(offer)s") % {"offer": request.offer.title})
    if request.need is not None and need_shown:
        lines.append(_("Need: %(need)s") % {"need": request.need.title})
    if request.message and what == "new":
        lines += ["", _("Message:"), request.message]
    if what == "declined":
        lines.append(_("Reason: %(reason)s") % {"reason": request.get_decline_reason_display()})
    if what in ("new", "expiring") and request.expires_at:
        local = timezone.localtime(request.expires_at)
        lines.append(_("Please answer by %(time)s (Korea time).") % {"time": local.strftime("%Y-%m-%d %H:%M")})
    lines += ["", _("Answer on Partnering Salon: %(url)s") % {"url": settings.SITE_URL}]
    return "\n".join(lines)


@shared_task(bind=True, base=MailDeliveryTask, **MAIL_TASK)
def mail_request_change(self, request_id: int, what: str) -> int:
    """The mails of one change, sent by a worker after the change committed: an unreachable mail
    server delays them (retried), it never undoes or fails the change; its ``MailDelivery`` row
    says what became of them."""
    return send(request_id, what, describe=self.describe)


def send(request_id: int, what: str, *, describe=None) -> int:
    """Send the mails for one change; returns how many were sent. ``describe`` (kind, recipients,
    salon) is told what is about to be sent."""
    request = (
        MeetingRequest.objects.select_related("event", "offer", "need", "startup", "corporate")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        return 0
    messages = []
    for user, side in _recipients(request, what):
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            other, need_shown = _other_name(request, side)
            subject = SUBJECTS[what]() % {"other": other}
            body = _body(request, what, side, other, need_shown)
        messages.append(EmailMessage(subject, body, to=[user.email]))
    if describe is not None:
        describe(kind=f"request.{what}", recipients=[m.to[0] for m in messages], salon_id=request.event_id)
    if messages:
        get_connection().send_messages(messages)
    return len(messages)
