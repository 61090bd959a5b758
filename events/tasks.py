"""Celery tasks of the events app: thin wrappers that call a service."""

from celery import shared_task

from events import requests
from matching.tasks import TRANSIENT_ERRORS


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=2, max_retries=8)
def expire_requests() -> dict:
    """Expire pending meeting requests past their time; warn recipients of those expiring soon."""
    expired, warned = requests.expire_due()
    return {"expired": expired, "warned": warned}
