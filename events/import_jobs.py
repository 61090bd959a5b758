"""Spreadsheet imports run in the background: the page stores the upload as an ``ImportJob`` and
queues ``events.tasks.import_job_task``, which runs ``matching.imports.import_profiles`` and keeps
the job's progress and result; the page shows them (``events.organize.imports``).

The import is one transaction (all or nothing), so its progress cannot be written to the job's row
while it runs (no other connection would see it before the commit, and a bad file rolls it back):
it goes to ``core.runs`` (the cache: Redis in production, shared by web and worker processes), and
the row gets the final figures, the result and the finishing time once the import has ended. The
uploaded bytes are emptied then: the platform keeps no copy of the file."""

from __future__ import annotations

import dataclasses
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from accounts.models import Language, User
from core import runs
from core.tasks import enqueue_on_commit
from events.models import ImportJob, ImportJobStatus
from matching import imports

logger = logging.getLogger(__name__)


def progress_key(job_id: int) -> str:
    return f"events:import:{job_id}"


def progress_of(job: ImportJob) -> tuple[int, int]:
    """Rows done and rows in all: the running import's figures from ``core.runs``, else the row's."""
    if job.status == ImportJobStatus.RUNNING:
        state = runs.state(progress_key(job.pk))
        if state is not None and state.get("run") == _run_mark(job):
            return state.get("done", 0), state.get("total", 0)
    return job.rows_done, job.rows_total


def _run_mark(job: ImportJob) -> str:
    """Names one run of one job in the progress store (not a state left by another database's job)."""
    return job.started_at.isoformat() if job.started_at else ""


def import_job_create(
    *, organizer_id: int, user: User, file_name: str, data: bytes, dry_run: bool, language: str
) -> ImportJob:
    """Store the upload as a queued job and run it once this transaction commits.

    A file over ``IMPORT_MAX_BYTES`` is not stored: the job is finished at once with the refusal
    that ``import_profiles`` gives it (without reading the file)."""
    if language not in Language.values:
        language = settings.LANGUAGE_CODE
    job = ImportJob(
        organizer_id=organizer_id,
        user=user,
        file_name=file_name[:255],
        dry_run=dry_run,
        language=language,
    )
    if len(data) > settings.IMPORT_MAX_BYTES:
        with translation.override(language):
            result = imports.import_profiles(data, dry_run=dry_run)
        job.status, job.result, job.finished_at = ImportJobStatus.DONE, result_data(result), timezone.now()
        job.save()
        return job
    job.data = data
    with transaction.atomic():
        job.save()
        # A job that cannot be queued is marked failed rather than left waiting for ever.
        enqueue_on_commit(_task(), job.pk, on_error=lambda error: _fail(job.pk, f"not queued: {error}"))
    return job


def _task():
    from events.tasks import import_job_task  # the tasks module imports this one

    return import_job_task


def _fail(job_id: int, error: str) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJobStatus.FAILED, error=error[:2000], data=b"", finished_at=timezone.now()
    )


def result_data(result: imports.ImportResult) -> dict:
    """The result as plain JSON data, its messages already in the active language."""
    return {
        "ok": result.ok,
        "dry_run": result.dry_run,
        "notes": [str(note) for note in result.notes],
        "errors": [
            {**dataclasses.asdict(error), "message": str(error.message), "column": str(error.column)}
            for error in result.errors
        ],
        "rows": [{**dataclasses.asdict(row), "label": str(row.label)} for row in result.rows],
        "counts": result.counts(),
    }


def import_job_run(job_id: int) -> ImportJob | None:
    """Run a queued job (a job already running or finished is left alone: a redelivered task does
    not import the file twice). A crash marks the job failed and is logged: the organizer sees the
    failure on the job's page, the operators the traceback in the log."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update(of=("self",)).filter(pk=job_id).select_related("user").first()
        if job is None or job.status != ImportJobStatus.QUEUED:
            return job
        job.status, job.started_at = ImportJobStatus.RUNNING, timezone.now()
        job.save(update_fields=["status", "started_at"])
    key = progress_key(job.pk)
    figures = {"done": 0, "total": 0, "run": _run_mark(job)}
    runs.set_state(key, "running", **figures)

    def progress(done: int, total: int) -> None:
        figures.update(done=done, total=total)
        runs.set_state(key, "running", **figures)

    try:
        with translation.override(job.language):
            result = imports.import_profiles(
                bytes(job.data),
                dry_run=job.dry_run,
                actor=job.user,
                organizers=[job.organizer_id],
                progress=progress,
            )
            data = result_data(result)
    except Exception as error:
        logger.exception("Import job %s failed.", job.pk)
        _fail(job.pk, f"{type(error).__name__}: {error}")
        runs.set_state(key, "failed", **figures)
        job.refresh_from_db()
        return job
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJobStatus.DONE,
        result=data,
        rows_done=figures["done"],
        rows_total=figures["total"],
        data=b"",
        finished_at=timezone.now(),
    )
    runs.set_state(key, "done", **figures)
    job.refresh_from_db()
    return job
