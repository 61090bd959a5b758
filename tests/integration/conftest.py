"""Real Redis and Celery worker processes for the integration tests.

The worker shares the test database: PostgreSQL when the suite runs on it (make test-postgres),
otherwise a SQLite file (see tests/conftest.py), never the in-memory database."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from kombu import pools as kombu_pools

from config.celery import app as celery_app
from seeds.loader import LoadReport, load_taxonomy, read_json
from tests.services import free_port, redis_server

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class Redis:
    """A Redis server that a test can stop and start again on the same port."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._context = None

    def start(self):
        self._context = redis_server(port=self.port)
        self._context.__enter__()

    def stop(self):
        if self._context is not None:
            self._context.__exit__(None, None, None)
            self._context = None


@pytest.fixture
def redis():
    server = Redis()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker(redis, settings):
    """Point this process's Celery producer at the real Redis, with tasks sent, not run in-process."""
    keys = ("broker_url", "task_always_eager", "broker_connection_retry")
    previous = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.update(broker_url=redis.url, task_always_eager=False, broker_connection_retry=False)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    _reset_connection_pools()
    yield redis
    _reset_connection_pools()
    celery_app.conf.update(previous)


def _reset_connection_pools():
    # Connections are pooled per broker URL at first use, in the app and in kombu's process-wide
    # registry; a new URL needs new pools, and a closed pool must not be handed out again.
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    kombu_pools.reset()


@pytest.fixture
def taxonomy(transactional_db):
    from matching import concepts

    load_taxonomy(read_json("taxonomy.json"), LoadReport())
    concepts.default_index.cache_clear()
    yield
    concepts.default_index.cache_clear()


class Worker:
    def __init__(self, redis: Redis, markers: Path):
        self.redis = redis
        self.markers = markers
        self.process: subprocess.Popen | None = None
        self.log = markers.parent / "worker.log"

    def start(self, *, slow_seconds: float = 0.0, beat: bool = False, sweep_seconds: int = 300, env=None):
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": self.redis.url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMBEDDING_BACKEND": "lexical",
            "ENCODE_MARKER_DIR": str(self.markers),
            "SLOW_ENCODE_SECONDS": str(slow_seconds),
            "CELERY_VISIBILITY_TIMEOUT": "3",
            "CELERY_UNACKED_RESTORE_INTERVAL": "1",
            "EMBEDDING_SWEEP_SECONDS": str(sweep_seconds),
            **(env or {}),
        }
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tests.integration_worker",
            "worker",
            "--pool=solo",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=INFO",
        ]
        if beat:
            command += ["--beat", "--schedule", str(self.markers.parent / "beat-schedule")]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=open(self.log, "ab"), stderr=subprocess.STDOUT, start_new_session=True
        )

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def encoded_texts(self) -> int:
        return sum(int(marker.read_text()) for marker in self.markers.iterdir())

    def calls(self) -> int:
        return len(list(self.markers.iterdir()))


@pytest.fixture
def worker(redis, tmp_path):
    markers = tmp_path / "markers"
    markers.mkdir()
    process = Worker(redis, markers)
    yield process
    process.stop()


def wait_until(predicate, *, timeout: float, what: str, worker: Worker | None = None):
    log = worker.log if worker else None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker is not None and worker.process.poll() is not None:
            raise AssertionError(
                f"the worker exited ({worker.process.returncode}) before {what}:\n{log.read_text()[-4000:]}"
            )
        with contextlib.suppress(Exception):
            if predicate():
                return
        time.sleep(0.1)
    detail = f"\n--- worker log ---\n{log.read_text()[-4000:]}" if log and log.exists() else ""
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}{detail}")
