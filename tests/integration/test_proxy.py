"""The compose stack's reverse proxy for real: Debian's nginx with ``platform/nginx/default.conf.template``
on loopback in front of gunicorn. It refuses bodies over ``REQUEST_MAX_BYTES`` itself, serves
/static/ from the collected files without the app, passes Host and appends the client to
X-Forwarded-For, which the app believes only because the proxy (127.0.0.1) is a trusted one: clients
connect from other loopback addresses (127.0.0.2, 127.0.0.3) and sign-in throttling counts them
apart, whatever address they forge."""

import http.client
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.services import gunicorn_server, nginx_server

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("proxy")
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ENV"}},
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(tmp / "static"),
        "TRUSTED_PROXIES": "127.0.0.1",
        "AUTH_THROTTLE_RATE": "3/minute",
        "EMBEDDING_BACKEND": "lexical",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    with (
        gunicorn_server({**env, "GUNICORN_WORKERS": "1"}) as app,
        nginx_server(
            upstream=f"127.0.0.1:{app.port}", static_dir=tmp / "static", request_max_bytes=settings.REQUEST_MAX_BYTES
        ) as proxy,
    ):
        yield proxy, app, tmp / "static"


def request(proxy, method, path, *, source="127.0.0.2", body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=30, source_address=(source, 0))
    try:
        connection.request(method, path, body=body, headers={"Host": "127.0.0.1", **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_a_body_over_the_upload_limit_is_refused_by_nginx(site):
    proxy, app, _static = site
    cap = settings.REQUEST_MAX_BYTES
    assert cap == 11 * 1024 * 1024 and settings.TEASER_MAX_BYTES + 64 * 1024 <= cap
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=30, source_address=("127.0.0.2", 0)) as sock:
        sock.sendall(
            f"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {cap + 1}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n\r\n".encode()
        )
        answer = sock.recv(4096).decode(errors="replace")
    assert answer.startswith("HTTP/1.1 413 ")
    # A body at the cap goes through to the app (which refuses the form's missing CSRF token).
    status, _headers, _body = request(proxy, "POST", "/accounts/login/", body=b"a=" + b"x" * (cap - 2))
    assert status == 403
    log = app.log.read_text()
    assert log.count("POST /accounts/login/") == 1


def test_static_files_are_served_by_nginx_not_the_app(site):
    proxy, app, static = site
    status, headers, body = request(proxy, "GET", "/static/css/salon.css")
    assert status == 200
    assert body == (static / "css" / "salon.css").read_bytes()
    assert headers["Content-Type"] == "text/css"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "/static/" not in app.log.read_text()
    # Uploads are not a static folder: /media/ goes to the app, which serves nothing there.
    status, _headers, _body = request(proxy, "GET", "/media/teasers/any.pdf")
    assert status == 404
    assert "GET /media/teasers/any.pdf" in app.log.read_text()


def test_forwarded_headers_reach_the_app_and_the_throttle_counts_the_real_client(site):
    proxy, _app, _static = site

    def sign_in(source, forged=None):
        headers = {"Content-Type": "application/json"}
        if forged:
            headers["X-Forwarded-For"] = forged
        body = json.dumps({"email": "nobody@example.com", "password": "wrong"})
        return request(proxy, "POST", "/api/v1/auth/token/", source=source, body=body, headers=headers)[0]

    # 127.0.0.2 forges a new address at every attempt: nginx appends the real one, the app takes it.
    assert [sign_in("127.0.0.2", forged=f"198.51.100.{n}") for n in range(4)] == [400, 400, 400, 429]
    assert sign_in("127.0.0.2") == 429
    # Another client behind the same proxy has its own counter (so the proxy's address is not the key).
    assert sign_in("127.0.0.3", forged="127.0.0.2") == 400
    # Host reaches the app as the client sent it: one that ALLOWED_HOSTS lacks is refused there.
    status, _headers, _body = request(proxy, "GET", "/health/live/", headers={"Host": "evil.example"})
    assert status == 400
    assert request(proxy, "GET", "/health/live/")[0] == 200
