"""Handing work to Celery: the one helper that queues a task once the transaction commits, and the
errors that count as transient (retried) or as the broker being unreachable (never fatal to a save)."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable

from celery.exceptions import Retry
from django.db import OperationalError as DatabaseOperationalError
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# The broker is unreachable (kombu wraps most connection failures; redis-py raises its own).
BROKER_ERRORS = (BrokerOperationalError, RedisConnectionError, RedisTimeoutError)
# Only transient failures are retried; a bug raises at once instead of looping.
TRANSIENT_ERRORS = (DatabaseOperationalError, *BROKER_ERRORS, ConnectionError, TimeoutError)
# A mail server that refuses, drops the connection, answers with an error or hangs (EMAIL_TIMEOUT).
MAIL_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError)
# The policy of every e-mail task: retried with backoff, then a logged failure.
MAIL_TASK = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (*TRANSIENT_ERRORS, *MAIL_ERRORS),
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "max_retries": 5,
}


# What may stop an e-mail task from being handed over, or — run in-process (development, where
# tasks are eager) — make it ask for a retry that only a worker can schedule: never a reason to
# fail the action that committed.
MAIL_HANDOVER_ERRORS = (*BROKER_ERRORS, *MAIL_ERRORS, Retry)


def enqueue_on_commit(
    task,
    *args,
    on_error: Callable[[Exception], None] | None = None,
    errors: tuple[type[Exception], ...] = BROKER_ERRORS,
    task_id: str | None = None,
) -> None:
    """Queue ``task(*args)`` (ids only) when the current transaction commits, never inside it
    (under ``task_id`` when given, for a record that must find the run again).

    The action that queued it is committed already, so a failure to queue (``errors``: by default
    the broker being down) must not turn it into a server error: it is logged, and ``on_error``
    records what the user or a sweep should know. Any other exception is a bug and propagates."""

    def send():
        try:
            if task_id is None:
                task.delay(*args)
            else:
                task.apply_async(args, task_id=task_id)
        except errors as error:
            cause = error.exc if isinstance(error, Retry) and error.exc is not None else error
            if on_error is None:
                logger.warning("Task %s%r was not run (%s: %s).", task.name, args, type(cause).__name__, cause)
            else:
                on_error(error)

    transaction.on_commit(send)
