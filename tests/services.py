"""Start real PostgreSQL and Redis servers on loopback for the test suite.

``python -m tests.services postgres -- pytest ...`` runs a command with ``DATABASE_URL`` pointing
at a throw-away PostgreSQL cluster; the fixtures of the integration tests use the same functions.
Nothing is mocked: these are the Debian server binaries, started in a temporary directory and
removed afterwards.
"""

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple


class ServiceUnavailable(RuntimeError):
    """A server binary is missing or the server did not come up."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, *, timeout: float, process: subprocess.Popen | None = None, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ServiceUnavailable(f"{what} exited with status {process.returncode} while starting")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise ServiceUnavailable(f"{what} did not accept connections on 127.0.0.1:{port} within {timeout:.0f} s")


def postgres_bindir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    if os.environ.get("PG_BINDIR"):
        candidates.append(os.environ["PG_BINDIR"])
    for candidate in reversed(candidates):
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    raise ServiceUnavailable(
        "PostgreSQL server binaries not found (looked in /usr/lib/postgresql/*/bin and $PG_BINDIR); "
        "install Debian's 'postgresql' package — .ci/install-system-packages does it."
    )


def _as_server_user(command: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root; CI runs as root, so drop to the 'postgres' user.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@contextlib.contextmanager
def postgres_server(*, port: int | None = None) -> Iterator[str]:
    """A fresh PostgreSQL cluster on 127.0.0.1; yields its ``DATABASE_URL`` (database ``salon``)."""
    bindir = postgres_bindir()
    port = port or free_port()
    workdir = Path(tempfile.mkdtemp(prefix="salon-pg-"))
    datadir = workdir / "data"
    if os.geteuid() == 0:
        shutil.chown(workdir, user="postgres")
    run = dict(check=True, capture_output=True, text=True)
    try:
        subprocess.run(
            _as_server_user(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(datadir),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            **run,
        )
        process = subprocess.Popen(
            _as_server_user(
                [
                    str(bindir / "postgres"),
                    "-D",
                    str(datadir),
                    "-p",
                    str(port),
                    "-h",
                    "127.0.0.1",
                    "-k",
                    str(workdir),
                    "-c",
                    "fsync=off",
                    "-c",
                    "synchronous_commit=off",
                    "-c",
                    "full_page_writes=off",
                    "-c",
                    "max_connections=200",
                ]
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            _wait_for_port(port, timeout=30, process=process, what="PostgreSQL")
            subprocess.run(
                [str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "salon"], **run
            )
            yield f"postgres://postgres@127.0.0.1:{port}/salon"
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    except subprocess.CalledProcessError as exc:
        raise ServiceUnavailable(f"{' '.join(exc.cmd)} failed: {exc.stderr.strip()}") from None
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def redis_binary() -> str:
    path = shutil.which("redis-server")
    if path is None:
        raise ServiceUnavailable(
            "redis-server not found; install Debian's 'redis-server' package — .ci/install-system-packages does it."
        )
    return path


@contextlib.contextmanager
def redis_server(*, port: int | None = None, appendonly: bool = True) -> Iterator[str]:
    """A fresh Redis on 127.0.0.1; yields its URL. Configured like production (AOF, noeviction)."""
    binary = redis_binary()
    port = port or free_port()
    workdir = Path(tempfile.mkdtemp(prefix="salon-redis-"))
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(workdir),
            "--save",
            "",
            "--appendonly",
            "yes" if appendonly else "no",
            "--maxmemory-policy",
            "noeviction",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, timeout=15, process=process, what="Redis")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(workdir, ignore_errors=True)


class Gunicorn(NamedTuple):
    port: int
    process: subprocess.Popen
    log: Path


@contextlib.contextmanager
def gunicorn_server(
    env: dict[str, str], *, ready_path: str = "/health/live/", timeout: float = 90
) -> Iterator[Gunicorn]:
    """The app under gunicorn with ``platform/gunicorn.conf.py`` and ``env`` on a free loopback port,
    once ``ready_path`` answers 200. Stopped (SIGTERM, then SIGKILL) and its folder removed on the
    way out, whatever happens."""
    import urllib.request

    root = Path(__file__).resolve().parents[1]
    workdir = Path(tempfile.mkdtemp(prefix="salon-gunicorn-"))
    port = free_port()
    log = workdir / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "-c", "platform/gunicorn.conf.py", "config.wsgi"]
    with open(log, "wb") as sink:
        process = subprocess.Popen(
            command,
            cwd=root,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
            stdout=sink,
            stderr=subprocess.STDOUT,
        )

    def ready() -> bool:
        with contextlib.suppress(OSError):
            # A loopback http URL of our own server.
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{ready_path}", timeout=2) as response:  # noqa: S310
                return response.status == 200
        return False

    try:
        deadline = time.monotonic() + timeout
        while not ready():
            if process.poll() is not None or time.monotonic() > deadline:
                tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
                raise ServiceUnavailable(f"gunicorn did not come up; its log:\n{tail}")
            time.sleep(0.2)
        yield Gunicorn(port, process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(workdir, ignore_errors=True)


class Nginx(NamedTuple):
    port: int
    access_log: Path


@contextlib.contextmanager
def nginx_server(*, upstream: str, static_dir: Path, request_max_bytes: int, timeout: float = 20) -> Iterator[Nginx]:
    """Debian's nginx on a free loopback port with the project's ``platform/nginx/default.conf.template``
    (rendered like the nginx image does, from the same variables) in front of ``upstream``. Stopped
    and its folder removed on the way out."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise ServiceUnavailable("nginx is not installed (run .ci/install-system-packages)")
    root = Path(__file__).resolve().parents[1]
    workdir = Path(tempfile.mkdtemp(prefix="salon-nginx-"))
    port = free_port()
    values = {
        "PROXY_LISTEN": f"127.0.0.1:{port}",
        "UPSTREAM": upstream,
        "STATIC_DIR": f"{static_dir}/",
        "REQUEST_MAX_BYTES": str(request_max_bytes),
    }
    site = (root / "platform" / "nginx" / "default.conf.template").read_text()
    for name, value in values.items():
        site = site.replace("${" + name + "}", value)
    assert "${" not in site, "a variable of the template is not set"
    (workdir / "site.conf").write_text(site)
    temp_paths = "\n".join(
        f"    {kind}_temp_path {workdir}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root the workers would drop to "nobody", who cannot read the test's private folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (workdir / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {workdir}/nginx.pid;\nerror_log {workdir}/error.log info;\n"
        f"events {{ worker_connections 64; }}\nhttp {{\n    include /etc/nginx/mime.types;\n"
        f"    access_log {workdir}/access.log;\n{temp_paths}\n    include {workdir}/site.conf;\n}}\n"
    )
    process = subprocess.Popen(
        [binary, "-p", str(workdir), "-c", str(workdir / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        try:
            _wait_for_port(port, timeout=timeout, process=process, what="nginx")
        except ServiceUnavailable as error:
            raise ServiceUnavailable(f"{error}: {process.stderr.read().decode(errors='replace')}") from None
        yield Nginx(port, workdir / "access.log")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[0] != "postgres" or argv[1] != "--":
        print("usage: python -m tests.services postgres -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    with postgres_server() as url:
        print(f"tests.services: PostgreSQL ready at {url}", flush=True)
        return subprocess.call(argv[2:], env={**os.environ, "DATABASE_URL": url})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
