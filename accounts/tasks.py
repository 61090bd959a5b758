"""The account e-mails of django-allauth (address confirmation, password reset, "you already have an
account", "no account with this address"), sent by a worker like every other e-mail.

The adapter (``accounts.adapter``) renders a message in its recipient's language and queues it here
after commit. It holds a one-time link, so its ``MailDelivery`` row keeps no copy of it (``args`` stay
empty) and a failed one is not sent again from the admin: the person asks for a new link."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from accounts.mail_delivery import MailDeliveryTask
from core.tasks import MAIL_TASK


class AccountMailTask(MailDeliveryTask):
    record_args = False


@shared_task(bind=True, base=AccountMailTask, **MAIL_TASK)
def send_account_mail(self, kind: str, subject: str, body: str, html: str | None, to: list[str]) -> int:
    self.describe(kind=kind, recipients=to, salon_id=None)
    message = EmailMultiAlternatives(
        subject, body, settings.DEFAULT_FROM_EMAIL, to, connection=get_connection(timeout=settings.EMAIL_TIMEOUT)
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message.send()
