"""Typed readers for environment settings.

Each helper raises ``ImproperlyConfigured`` with the variable's name and the offending value, so
a typo in a deployment fails at start-up instead of running with a surprising default.
"""

import ipaddress
import os
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of {sorted(_TRUE | _FALSE - {''})}, got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_networks(name: str, default: list[str]) -> list[str]:
    """A comma-separated list of IP addresses or networks (``10.0.0.5,172.28.0.0/24``), each checked."""
    values = env_list(name, default)
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ImproperlyConfigured(f"{name} must list IP addresses or networks, got {value!r}") from None
    return values


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = os.environ.get(name, default).strip()
    if raw not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw


_DB_ENGINES = {
    "sqlite": "django.db.backends.sqlite3",
    "postgres": "django.db.backends.postgresql",
    "postgresql": "django.db.backends.postgresql",
}


def parse_database_url(url: str, *, name: str = "DATABASE_URL") -> dict:
    """Turn ``postgres://user:pass@host:5432/db?sslmode=require`` or ``sqlite:///path`` into a
    Django ``DATABASES`` entry."""
    parts = urlsplit(url)
    engine = _DB_ENGINES.get(parts.scheme)
    if engine is None:
        raise ImproperlyConfigured(
            f"{name} has an unsupported scheme {parts.scheme!r} in {url!r}; "
            "use postgres://user:password@host:port/name or sqlite:///path/to/file.sqlite3"
        )
    if engine.endswith("sqlite3"):
        # As in dj-database-url: sqlite:///rel.db is relative, sqlite:////abs/rel.db is absolute.
        path = unquote(parts.path)[1:]
        if not path:
            raise ImproperlyConfigured(f"{name} needs a file path, e.g. sqlite:///db.sqlite3, got {url!r}")
        return {"ENGINE": engine, "NAME": path}
    database = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not database:
        raise ImproperlyConfigured(
            f"{name} must name a host and a database, e.g. postgres://user:password@localhost:5432/salon, got {url!r}"
        )
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured(f"{name} has an invalid port in {url!r}") from None
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    config = {
        "ENGINE": engine,
        "NAME": database,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname,
        "PORT": str(port or ""),
        "CONN_MAX_AGE": int(options.pop("conn_max_age", 60)),
        "CONN_HEALTH_CHECKS": True,
    }
    if options:
        config["OPTIONS"] = options
    return config


def parse_email_url(url: str, *, name: str = "EMAIL_URL") -> dict:
    """``console://``, ``locmem://`` or ``smtp://user:pass@host:587?tls=1`` → Django e-mail settings."""
    parts = urlsplit(url)
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if parts.scheme in {"smtp", "smtps"}:
        if not parts.hostname:
            raise ImproperlyConfigured(
                f"{name} must name a host, e.g. smtp://user:pass@mail.example.com:587, got {url!r}"
            )
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{name} has an invalid port in {url!r}") from None
        options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": port or (465 if parts.scheme == "smtps" else 587),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_SSL": parts.scheme == "smtps",
            "EMAIL_USE_TLS": parts.scheme == "smtp" and options.get("tls", "1") in _TRUE,
        }
    raise ImproperlyConfigured(f"{name} must start with console://, locmem://, smtp:// or smtps://, got {url!r}")


def parse_redis_url(url: str, *, name: str = "REDIS_URL") -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss", "unix"} or (parts.scheme != "unix" and not parts.hostname):
        raise ImproperlyConfigured(f"{name} must look like redis://host:6379/0, got {url!r}")
    try:
        _ = parts.port  # urlsplit only parses the port when asked; a non-numeric one raises
    except ValueError:
        raise ImproperlyConfigured(f"{name} has an invalid port in {url!r}") from None
    return url
