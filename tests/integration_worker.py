"""Celery entry point for the integration tests' worker process: ``celery -A tests.integration_worker``.

It is the production app (config.celery) with one addition: the embedding backend is wrapped so
that each model call first writes a marker file and then takes SLOW_ENCODE_SECONDS. The test
waits for a marker and SIGKILLs the worker, so the kill lands inside a batch every time."""

import os
import time
from pathlib import Path

import django

from config.celery import app  # noqa: F401 — the app Celery's -A option looks for

django.setup()

from matching import embedding_service  # noqa: E402

MARKERS = Path(os.environ["ENCODE_MARKER_DIR"])
DELAY = float(os.environ.get("SLOW_ENCODE_SECONDS", "0"))
_real_get_backend = embedding_service.get_backend


class _Marked:
    def __init__(self, backend):
        self._backend = backend
        self.name, self.model_name, self.dimension = backend.name, backend.model_name, backend.dimension

    def encode(self, texts, *, kind="need"):
        (MARKERS / f"{os.getpid()}-{time.monotonic_ns()}").write_text(str(len(texts)))
        time.sleep(DELAY)
        return self._backend.encode(texts, kind=kind)


embedding_service.get_backend = lambda: _Marked(_real_get_backend())
