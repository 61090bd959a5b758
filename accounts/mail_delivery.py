"""What became of each e-mail: every e-mail task has ``MailDeliveryTask`` as its base, which keeps
one ``MailDelivery`` row per task up to date — queued, retrying (with the attempts so far and the
error), sent, or failed after the last retry — and ``mail_delivery_retry`` queues a failed one again.

The row is keyed by the Celery task id, which stays the same across a task's retries; a manual retry
queues the task under a new id and moves the row to it, so its attempts keep counting."""

from __future__ import annotations

import uuid

from celery import Task, current_app
from celery.exceptions import Retry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import MailDelivery, MailStatus
from core.tasks import MAIL_HANDOVER_ERRORS, enqueue_on_commit


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


class MailDeliveryTask(Task):
    """The base of every e-mail task (``@shared_task(base=MailDeliveryTask, **MAIL_TASK)``)."""

    # The arguments are ids, kept to send the mail again; a task whose arguments are the message
    # itself, with a one-time link in it (accounts.tasks), keeps none and cannot be sent again.
    record_args = True

    def before_start(self, task_id, args, kwargs):
        updated = MailDelivery.objects.filter(task_id=task_id).update(attempts=F("attempts") + 1)
        if not updated:
            MailDelivery.objects.get_or_create(
                task_id=task_id,
                defaults={"task": self.name, "args": list(args) if self.record_args else [], "attempts": 1},
            )

    def describe(self, *, kind: str, recipients: list[str], salon_id: int | None) -> None:
        """Called by the task once it knows what it sends and to whom."""
        MailDelivery.objects.filter(task_id=self.request.id).update(kind=kind, recipients=recipients, salon_id=salon_id)

    def on_success(self, retval, task_id, args, kwargs):
        MailDelivery.objects.filter(task_id=task_id).update(
            status=MailStatus.SENT, sent_at=timezone.now(), updated_at=timezone.now()
        )

    def __call__(self, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except Exception as error:
            # In-process with propagating errors (development) Celery calls neither ``on_retry`` nor
            # ``on_failure``, and nothing would run a retry: the mail has failed, say so, re-raise.
            if self.request.is_eager and self.app.conf.task_eager_propagates:
                self._finish(self.request.id, MailStatus.FAILED, error)
            raise

    def on_retry(self, exc, task_id, args, kwargs, einfo):
        self._finish(task_id, MailStatus.RETRYING, exc)

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        self._finish(task_id, MailStatus.FAILED, exc)

    def _finish(self, task_id, status, error):
        # A Retry carries the error that caused it.
        cause = error.exc if isinstance(error, Retry) and error.exc is not None else error
        MailDelivery.objects.filter(task_id=task_id).update(
            status=status, last_error=_error_text(cause), updated_at=timezone.now()
        )


def mail_delivery_retry(*, delivery: MailDelivery) -> MailDelivery:
    """Queue a failed mail again (after commit), under a new task id that the row moves to."""
    with transaction.atomic():
        delivery = MailDelivery.objects.select_for_update().get(pk=delivery.pk)
        if delivery.status != MailStatus.FAILED:
            raise ValidationError(_("Only a failed e-mail can be sent again."), code="not_failed")
        if not getattr(current_app.tasks[delivery.task], "record_args", True):
            raise ValidationError(
                _("This e-mail held a one-time link and was not kept: the person asks for a new one."),
                code="not_kept",
            )
        delivery.task_id, delivery.status = uuid.uuid4().hex, MailStatus.QUEUED
        delivery.save(update_fields=["task_id", "status", "updated_at"])
        enqueue_on_commit(
            current_app.tasks[delivery.task], *delivery.args, task_id=delivery.task_id, errors=MAIL_HANDOVER_ERRORS
        )
    return delivery
