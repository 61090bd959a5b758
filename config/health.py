"""Health probes.

- ``/health/`` (readiness): the platform's dependencies answer — database, cache and (when
  configured) the broker; 503 with the failing check otherwise.
- ``/health/live/`` (liveness): the process serves requests at all; no I/O, so a slow or failing
  dependency never gets a healthy web process restarted by the orchestrator."""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    key = "health:probe"
    cache.set(key, "ok", 10)
    if cache.get(key) != "ok":
        raise RuntimeError("cache did not return the value just written")


def _check_broker() -> None:
    if not settings.REDIS_URL:
        return
    import redis

    redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()


CHECKS = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}


@never_cache
def live(request):
    return JsonResponse({"ok": True})


@never_cache
def health(request):
    results = {}
    healthy = True
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as exc:  # noqa: BLE001 — a health probe reports every failure, whatever its type
            healthy = False
            results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
        else:
            results[name] = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}
    return JsonResponse({"ok": healthy, "checks": results}, status=200 if healthy else 503)
