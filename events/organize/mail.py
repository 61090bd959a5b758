"""The e-mails of a salon that did not go out (``/organize/salons/<slug>/mail/``): failed ones, with
the error and the attempts, and the ones a worker is still retrying; a failed one can be sent again."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.mail_delivery import mail_delivery_retry
from accounts.models import MailDelivery, MailStatus
from events.organize.access import organized_salon

UNDELIVERED = (MailStatus.FAILED, MailStatus.RETRYING)


@login_required
@require_GET
def undelivered_mail(request, slug):
    event = organized_salon(request, slug)
    rows = MailDelivery.objects.filter(salon_id=event.pk, status__in=UNDELIVERED).order_by("-updated_at", "-pk")
    return render(request, "events/organize/mail.html", {"event": event, "deliveries": rows[:200]})


@login_required
@require_POST
def retry_mail(request, slug, pk):
    event = organized_salon(request, slug)
    delivery = get_object_or_404(MailDelivery, pk=pk, salon_id=event.pk)
    try:
        mail_delivery_retry(delivery=delivery)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The e-mail was queued again."))
    return redirect("organize:mail", event.slug)
