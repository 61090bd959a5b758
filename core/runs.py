"""Progress of long operations started from a web page (embedding everything, a salon's proposals
or scheduling): the page marks a run "queued" and hands it to Celery; the task marks it "running"
(with ``done``/``total`` as it goes), then "done" with its figures or "failed" with the error's
messages; the page polls the state. Kept in the cache (local memory in development, where tasks
run eagerly; Redis in production, shared by every web and worker process)."""

from __future__ import annotations

import time

from django.core.cache import cache

STATE_TIMEOUT = 7 * 24 * 3600  # the last result stays visible for a week
STALE_AFTER = 15 * 60  # a "queued"/"running" state older than this is taken as lost


def state(key: str) -> dict | None:
    """``{"state": "queued"|"running"|"done"|"failed", "at": epoch seconds, …}`` or ``None``."""
    return cache.get(key)


def set_state(key: str, value: str, **data) -> dict:
    record = {"state": value, "at": time.time(), **data}
    cache.set(key, record, STATE_TIMEOUT)
    return record


def is_busy(record: dict | None) -> bool:
    return bool(record) and record["state"] in ("queued", "running") and time.time() - record["at"] < STALE_AFTER
