"""Celery tasks of the matching app: thin wrappers that take ids and call a service."""

import logging
import threading
from contextlib import contextmanager

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from accounts.mail_delivery import MailDeliveryTask
from accounts.models import MailKind
from core import runs
from core.tasks import MAIL_TASK, TRANSIENT_ERRORS, enqueue_on_commit
from matching import embedding_service, match_service

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=8,
)
def embed_profiles(self, kind: str, ids: list[int]) -> dict:
    """Embed offers or needs by id. Safe to run twice: unchanged text is skipped."""
    result = embedding_service.embed_profiles(kind=kind, ids=ids)
    if result.embedded or result.unchanged:
        # A save may change the text or only the stage, deal types…: either way these profiles'
        # scores change, so their rows (offers) or columns (needs) are recomputed.
        recompute_matches.delay(kind, ids, result.model_name)
    return {"embedded": result.embedded, "unchanged": result.unchanged, "missing": result.missing}


_batch = threading.local()


@contextmanager
def embeddings_batched(size: int = 100):
    """Inside this block (itself inside the transaction), ``enqueue_embedding`` only collects ids;
    at its end they are queued together, at most ``size`` per task, so that a bulk write (the seed
    loader) queues a few tasks, not one per profile. Nothing is queued if the block raises."""
    if getattr(_batch, "ids", None) is not None:  # nested: the outer block queues
        yield
        return
    _batch.ids = {}
    try:
        yield
        collected = _batch.ids
    finally:
        _batch.ids = None
    for kind, ids in collected.items():
        ordered = sorted(set(ids))
        for start in range(0, len(ordered), size):
            enqueue_embedding(kind=kind, ids=ordered[start : start + size])


def enqueue_embedding(*, kind: str, ids: list[int]) -> None:
    """Embed these profiles once the current transaction commits (inside ``embeddings_batched``:
    at the end of that block).

    A broker outage must not fail the user's save: the row is committed already, and the periodic
    sweep (``sweep_embeddings``) finds and embeds it once the broker is back."""
    if getattr(_batch, "ids", None) is not None:
        _batch.ids.setdefault(kind, []).extend(ids)
        return

    def unreachable(error):
        logger.warning("Could not queue embedding of %s %s (%s); the sweep will pick it up.", kind, ids, error)

    enqueue_on_commit(embed_profiles, kind, ids, on_error=unreachable)


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=5, max_retries=3)
def sweep_embeddings(batch_size: int = 100) -> dict:
    """Queue whatever is missing or stale (beat): a broker outage delays embeddings, never loses them."""
    queued = {}
    for kind in embedding_service.OWNER_MODELS:
        ids = embedding_service.stale_ids(kind=kind)
        for start in range(0, len(ids), batch_size):
            embed_profiles.delay(kind, ids[start : start + batch_size])
        queued[kind] = len(ids)
    return queued


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=2, max_retries=8)
def recompute_matches(kind: str, ids: list[int], model_name: str | None = None) -> dict:
    """Re-score the rows (offers) or columns (needs) of these profiles; idempotent (replaces them)."""
    report = match_service.recompute_matches(**{f"{kind}_ids": ids}, model_name=model_name)
    return {"stored": report.stored}


EMBED_EVERYTHING_KEY = "matching:embed-everything"


@shared_task(acks_late=True, reject_on_worker_lost=True)
def embed_everything_task(every: bool = True) -> dict:
    """Embed every offer and need (unchanged text skipped), then re-score the whole matrix; the
    progress (``done``/``total`` texts) and the figures go to ``core.runs`` for the organizer's
    page. Started from the organizer dashboard, e.g. after a change of ``EMBEDDING_MODEL``."""

    def progress(done: int, total: int) -> None:
        runs.set_state(EMBED_EVERYTHING_KEY, "running", done=done, total=total)

    progress(0, 0)
    try:
        result, failed = embedding_service.embed_everything(every=every, on_progress=progress)
        report = match_service.recompute_matches(model_name=result.model_name)
    except Exception as error:
        runs.set_state(EMBED_EVERYTHING_KEY, "failed", errors=[f"{type(error).__name__}: {error}"])
        raise
    figures = {
        "embedded": result.embedded,
        "unchanged": result.unchanged,
        "failed": failed,
        "matches": report.stored,
        "model": result.model_name,
    }
    return runs.set_state(EMBED_EVERYTHING_KEY, "done", figures=figures)


@shared_task(bind=True, base=MailDeliveryTask, **MAIL_TASK)
def mail_offer_review(self, offer_id: int) -> int:
    """Tell the startup's members that its offer was approved or returned (``matching.review``)."""
    from matching.models import TechnologyOffer
    from matching.review import review_mails

    offer = TechnologyOffer.objects.filter(pk=offer_id).first()
    if offer is None:
        return 0
    mails = review_mails(offer)
    self.describe(
        kind=MailKind.OFFER_REVIEWED, recipients=[to for _s, _b, group in mails for to in group], salon_id=None
    )
    connection = get_connection(timeout=settings.EMAIL_TIMEOUT)
    messages = [EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to) for subject, body, to in mails]
    return connection.send_messages(messages) or 0
