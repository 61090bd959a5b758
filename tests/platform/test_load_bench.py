"""The load benchmark (bench/load.py) counts what it claims: its client against a tiny local server
whose answers are known, and the whole benchmark on a tiny data set against real PostgreSQL, Redis
and gunicorn. No timing is asserted, only counts."""

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench import load

ROOT = Path(__file__).resolve().parents[2]


class Handler(BaseHTTPRequestHandler):
    """``/ok`` answers 200; ``/flaky`` answers 200 but drops the keep-alive connection after every
    third request without saying so (as a recycled gunicorn worker does); ``/fail`` answers 503."""

    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 — the stdlib's name
        body = b'{"ok": true}'
        self.send_response(503 if self.path == "/fail" else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.served = getattr(self, "served", 0) + 1
        if self.path == "/flaky" and self.served % 3 == 0:
            self.close_connection = True

    def log_message(self, format, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer((load.HOST, 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def clients(*paths):
    return [load.Client(f"token-{i}", path, "ko", "*/*") for i, path in enumerate(paths)]


def test_every_answered_request_is_counted_and_dropped_keep_alives_are_resent(server):
    result = load.run_phase("ok", server, clients("/ok", "/flaky", "/ok"), seconds=1, warmup=0.2, processes=2)

    assert result.requests > 0
    assert result.statuses == {200: result.requests}
    assert result.errors == 0 and result.samples == []
    assert result.reconnects > 0  # /flaky closed its connection; the request went out again
    assert sum(result.per_connection) == result.requests and len(result.per_connection) == 3


def test_a_status_other_than_2xx_is_an_error(server):
    result = load.run_phase("fail", server, clients("/fail", "/ok"), seconds=1, warmup=0.2, processes=1)

    failed = result.statuses[503]
    assert failed > 0 and result.statuses[200] > 0
    assert sum(result.statuses.values()) == result.requests
    assert result.errors == failed
    assert result.samples == ["HTTP 503"] * min(failed, 5)


@pytest.mark.integration
def test_the_benchmark_runs_against_postgresql_and_gunicorn_without_an_error():
    command = [
        sys.executable,
        "-m",
        "bench.load",
        "--clients=4",
        "--seconds=1",
        "--warmup=0.5",
        "--offers=40",
        "--needs=10",
        "--workers=1",
        "--client-processes=1",
        "--json",
    ]
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180)

    assert finished.returncode == 0, finished.stderr[-3000:]
    report = json.loads(finished.stdout)
    setup = report["setup"]
    # 20 startups, 2 BD teams; the salon: both teams and 4 startups in 4 slots, 2 meetings each.
    assert (setup["startups"], setup["corporates"], setup["gunicorn_workers"]) == (20, 2, 1)
    assert (setup["meetings"], setup["slots"], setup["meetings_per_agenda_mean"]) == (8, 4, 2.0)
    assert setup["matches"] > 0 and setup["matches_per_page_mean"] >= 1
    assert [row["endpoint"] for row in report["endpoints"]] == ["static", "matches", "agenda"]
    assert [row["path"] for row in report["endpoints"]] == [
        "/health/live/",
        "/api/v1/matches/",
        "/api/v1/meetings/agenda.ics",
    ]
    for row in report["endpoints"]:
        assert row["requests"] > 0
        assert row["statuses"] == {"200": row["requests"]}
        assert row["errors"] == 0 and row["error_samples"] == []
    assert report["errors"] == 0
