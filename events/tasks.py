"""Celery tasks of the events app: thin wrappers that call a service."""

import dataclasses

from celery import shared_task
from django.core.exceptions import ValidationError

from accounts.models import User
from core import runs
from core.tasks import TRANSIENT_ERRORS
from events import import_jobs, meeting_requests, proposal_service, schedule_service
from events.agenda import mail_published_agendas  # noqa: F401 — e-mail tasks live beside their mails;
from events.models import Event
from events.notifications import mail_request_change  # noqa: F401 — imported here, the worker has them


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=2, max_retries=8)
def expire_requests() -> dict:
    """Expire pending meeting requests past their time; warn recipients of those expiring soon."""
    expired, warned = meeting_requests.meeting_requests_expire_due()
    return {"expired": expired, "warned": warned}


# --- Organizer runs: proposals and scheduling, with their progress (``core.runs``) -------------
# The same code works with eager tasks (development: the run has finished by the time the page
# reloads) and with a worker (production: Redis holds the state for every process).

RUN_KINDS = ("propose", "schedule")


def run_key(kind: str, event_id: int) -> str:
    if kind not in RUN_KINDS:
        raise ValueError(f"unknown run kind {kind!r}")
    return f"events:organize:{kind}:{event_id}"


def run_state(kind: str, event_id: int) -> dict | None:
    """The salon's last run of this kind (``core.runs.state``), or ``None``."""
    return runs.state(run_key(kind, event_id))


def set_run_state(kind: str, event_id: int, state: str, **data) -> dict:
    return runs.set_state(run_key(kind, event_id), state, **data)


is_busy = runs.is_busy


def _run(kind: str, event_id: int, service, actor_id: int | None) -> dict:
    set_run_state(kind, event_id, "running")
    try:
        event = Event.objects.get(pk=event_id)
        actor = User.objects.filter(pk=actor_id).first() if actor_id is not None else None
        figures = service(event, actor)
    except Event.DoesNotExist:
        return set_run_state(kind, event_id, "failed", errors=["salon not found"])
    except ValidationError as error:
        return set_run_state(kind, event_id, "failed", errors=list(error.messages))
    except Exception as error:
        set_run_state(kind, event_id, "failed", errors=[f"{type(error).__name__}: {error}"])
        raise
    return set_run_state(kind, event_id, "done", figures=figures)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def propose_meetings_task(event_id: int, actor_id: int | None = None) -> dict:
    """``events.proposal_service.meeting_proposals_create``; the figures of its ``ProposalReport``."""
    return _run(
        "propose",
        event_id,
        lambda event, actor: dataclasses.asdict(proposal_service.meeting_proposals_create(event=event, actor=actor)),
        actor_id,
    )


@shared_task(acks_late=True, reject_on_worker_lost=True)
def schedule_event_task(event_id: int, actor_id: int | None = None) -> dict:
    """``events.schedule_service.event_schedule``; the figures of its ``ScheduleReport`` (the unplaced
    meetings as their count: the schedule page lists them with their reason)."""

    def service(event, actor):
        report = schedule_service.event_schedule(event=event, actor=actor)
        figures = {f.name: getattr(report, f.name) for f in dataclasses.fields(report) if f.name != "unplaced"}
        return {**figures, "unplaced": len(report.unplaced)}

    return _run("schedule", event_id, service, actor_id)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=2,
    max_retries=3,
    soft_time_limit=900,
    time_limit=960,
)
def import_job_task(job_id: int) -> str | None:
    """``events.import_jobs.import_job_run``: an organizer's spreadsheet import in the background;
    the job's status once it ran (a job already started or finished is not run again)."""
    job = import_jobs.import_job_run(job_id)
    return None if job is None else job.status
