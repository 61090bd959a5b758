"""The compose stack's reverse proxy for real: Debian's nginx with ``platform/nginx/default.conf.template``
on loopback in front of gunicorn running the production settings (with a real Redis). It refuses
bodies over ``REQUEST_MAX_BYTES`` itself, serves /static/ from the collected files without the app,
passes Host, sets X-Forwarded-Proto (a TLS terminator's https kept, else http, which the app
redirects) and appends the client to X-Forwarded-For, which the app believes only because the
proxy (127.0.0.1) is a trusted one: clients connect from other loopback addresses (127.0.0.2,
127.0.0.3) and sign-in throttling counts them apart, whatever address they forge."""

import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.services import gunicorn_server, nginx_server, redis_server

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("proxy")
    with redis_server() as redis_url:
        env = {
            **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ENV", "DEBUG"}},
            "DJANGO_ENV": "production",
            "SECRET_KEY": "p8Xq2Lm5Vn7Rt1Zw4Yk9Bc3Hd6Jf0Gs2Na5Qe8Uo1Ti4Ry7Wx0Cv3Pl6Mk9Bj2Dh",
            "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
            "REDIS_URL": redis_url,
            "ALLOWED_HOSTS": "127.0.0.1",
            "STATIC_ROOT": str(tmp / "static"),
            "TRUSTED_PROXIES": "127.0.0.1",
            "AUTH_THROTTLE_RATE": "3/minute",
            "EMBEDDING_BACKEND": "lexical",
        }
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        with serve(env, tmp) as site:
            yield site


@contextlib.contextmanager
def serve(env, tmp):
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
        # As from a TLS terminator in front of nginx, unless the test says otherwise.
        headers = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https", **(headers or {})}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def app_log(app, waiting_for: str) -> str:
    """gunicorn's log once it holds ``waiting_for`` (its access line is written after the answer)."""
    deadline = time.monotonic() + 10
    while waiting_for not in (text := app.log.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return text


def test_a_body_over_the_upload_limit_is_refused_by_nginx(site):
    proxy, app, _static = site
    cap = settings.REQUEST_MAX_BYTES
    assert cap == 11 * 1024 * 1024 and settings.TEASER_MAX_BYTES + 64 * 1024 <= cap
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=30, source_address=("127.0.0.2", 0)) as sock:
        sock.sendall(
            f"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n"
            f"Content-Length: {cap + 1}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n\r\n".encode()
        )
        answer = sock.recv(4096).decode(errors="replace")
    assert answer.startswith("HTTP/1.1 413 ")
    # A body at the cap goes through to the app (which refuses the form's missing CSRF token).
    status, _headers, _body = request(proxy, "POST", "/accounts/login/", body=b"a=" + b"x" * (cap - 2))
    assert status == 403
    assert app_log(app, "POST /accounts/login/").count("POST /accounts/login/") == 1


def test_static_files_are_served_by_nginx_not_the_app(site):
    proxy, app, static = site
    # The production settings name the files by their hash (the manifest of collectstatic).
    name = json.loads((static / "staticfiles.json").read_text())["paths"]["css/salon.css"]
    status, headers, body = request(proxy, "GET", f"/static/{name}")
    assert status == 200
    assert body == (static / name).read_bytes()
    assert headers["Content-Type"] == "text/css"
    assert headers["X-Content-Type-Options"] == "nosniff"
    # Uploads are not a static folder: /media/ goes to the app, which serves nothing there.
    status, _headers, _body = request(proxy, "GET", "/media/teasers/any.pdf")
    assert status == 404
    log = app_log(app, "GET /media/teasers/any.pdf")
    assert "GET /media/teasers/any.pdf" in log
    assert "/static/" not in log  # the request before it never reached the app


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


def test_the_forwarded_scheme_reaches_the_app(site):
    proxy, _app, _static = site
    # Plain HTTP at nginx with nothing in front: nginx says http, the production app redirects.
    status, headers, _body = request(proxy, "GET", "/accounts/login/", headers={"X-Forwarded-Proto": ""})
    assert (status, headers["Location"]) == (301, "https://127.0.0.1/accounts/login/")
    # A TLS terminator in front said https: the page is served, with the secure cookie and HSTS.
    status, headers, _body = request(proxy, "GET", "/accounts/login/")
    assert status == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "Secure" in headers["Set-Cookie"]
