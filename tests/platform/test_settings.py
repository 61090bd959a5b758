import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, parse_database_url, parse_email_url, parse_redis_url
from tests.web.test_every_page import POLICY, parse_policy

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "k3Zr9vQ2pX7mN4tB8wL1sD6fH0jG5yC3aE9uR2iO7pK4nM1xV8bZ6qT0wS5dF2gH",
    "ALLOWED_HOSTS": "salon.example.com",
    "DATABASE_URL": "postgres://salon:secret@postgres:5432/salon",
    "REDIS_URL": "redis://redis:6379/0",
    "EMAIL_URL": "smtp://mailer:secret@smtp.example.com:587",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ENV", "SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_parses_a_postgres_url():
    assert parse_database_url("postgres://salon:p%40ss@db.internal:6543/salon?sslmode=require") == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "salon",
        "USER": "salon",
        "PASSWORD": "p@ss",
        "HOST": "db.internal",
        "PORT": "6543",
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {"sslmode": "require"},
    }


def test_it_parses_relative_and_absolute_sqlite_urls():
    assert parse_database_url("sqlite:///db.sqlite3") == {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}
    assert parse_database_url("sqlite:////var/lib/salon.db")["NAME"] == "/var/lib/salon.db"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u:p@host/db", "DATABASE_URL has an unsupported scheme 'mysql'"),
        ("postgres://user@/salon", "DATABASE_URL must name a host and a database"),
        ("postgres://user@host:5432/", "DATABASE_URL must name a host and a database"),
        ("postgres://user@host:port/salon", "DATABASE_URL has an invalid port"),
        ("sqlite://", "DATABASE_URL needs a file path"),
        ("localhost:5432", "DATABASE_URL has an unsupported scheme 'localhost'"),
    ],
)
def test_it_rejects_a_malformed_database_url_clearly(url, message):
    with pytest.raises(ImproperlyConfigured) as excinfo:
        parse_database_url(url)
    assert str(excinfo.value).startswith(message)


def test_a_malformed_database_url_stops_django_at_start_up_with_the_reason():
    result = run_manage("check", env={"DATABASE_URL": "postgres//oops"})
    assert result.returncode == 1
    assert "ImproperlyConfigured: DATABASE_URL has an unsupported scheme '' in 'postgres//oops'" in result.stderr


def test_it_parses_booleans_and_integers_strictly(monkeypatch):
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG must be one of"):
        env_bool("FLAG", False)
    monkeypatch.setenv("COUNT", "12")
    assert env_int("COUNT", 1, minimum=1) == 12
    monkeypatch.setenv("COUNT", "twelve")
    with pytest.raises(ImproperlyConfigured, match="COUNT must be an integer, got 'twelve'"):
        env_int("COUNT", 1)
    monkeypatch.setenv("COUNT", "0")
    with pytest.raises(ImproperlyConfigured, match="COUNT must be at least 1, got 0"):
        env_int("COUNT", 1, minimum=1)


def test_it_parses_email_and_redis_urls():
    assert parse_email_url("console://") == {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    smtp = parse_email_url("smtp://mailer:s%21cret@smtp.example.com:2525")
    assert (smtp["EMAIL_HOST"], smtp["EMAIL_PORT"], smtp["EMAIL_HOST_PASSWORD"], smtp["EMAIL_USE_TLS"]) == (
        "smtp.example.com",
        2525,
        "s!cret",
        True,
    )
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL must start with console://"):
        parse_email_url("mailto:someone@example.com")
    assert parse_redis_url("redis://redis:6379/0") == "redis://redis:6379/0"
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL must look like redis://host:6379/0"):
        parse_redis_url("http://redis:6379")


def test_the_embedded_default_needs_no_services(settings):
    # Read the module's own defaults in a clean process: nothing set → SQLite, eager tasks, locmem.
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.CACHES['default']['BACKEND'],"
        " s.EMAIL_BACKEND, s.DEBUG, s.LANGUAGE_CODE, s.TIME_ZONE, s.USE_TZ)"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ENV"}}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.mail.backends.console.EmailBackend",
        "True",
        "ko",
        "Asia/Seoul",
        "True",
    ]


def test_production_refuses_to_start_without_a_secret():
    env = {**PRODUCTION_ENV}
    del env["SECRET_KEY"]
    result = run_manage("check", env=env)
    assert result.returncode == 1
    assert "SECRET_KEY must be set when DJANGO_ENV=production" in result.stderr


def test_the_deployment_check_is_clean_in_production():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_the_models_and_migrations_agree():
    result = run_manage("makemigrations", "--check", "--dry-run", env={})
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "No changes detected"


PRODUCTION_PROBE = """
import json
from django.conf import settings
from django.test import Client
response = Client().get("/no-such-page/", HTTP_HOST="salon.example.com", secure=True)
# Behind nginx (plain HTTP to gunicorn): its X-Forwarded-Proto says whether the client used TLS.
behind_tls = Client().get("/no-such-page/", HTTP_HOST="salon.example.com", HTTP_X_FORWARDED_PROTO="https")
plain = Client().get("/no-such-page/", HTTP_HOST="salon.example.com", HTTP_X_FORWARDED_PROTO="http")
print(json.dumps({
    "debug": settings.DEBUG,
    "cookies_secure": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.LANGUAGE_COOKIE_SECURE],
    "cache": settings.CACHES["default"]["BACKEND"],
    "status": response.status_code,
    "forwarded": [behind_tls.status_code, plain.status_code, plain.get("Location")],
    "headers": {name: response.get(name) for name in (
        "X-Frame-Options", "Strict-Transport-Security", "X-Content-Type-Options", "Referrer-Policy",
        "Content-Security-Policy")},
    "body": response.content.decode(),
}))
"""


def test_production_hides_debug_pages_and_sends_the_security_headers(tmp_path):
    env = {**PRODUCTION_ENV, "STATIC_ROOT": str(tmp_path / "static")}
    assert run_manage("collectstatic", "--noinput", "-v", "0", env=env).returncode == 0  # as the image does
    result = run_manage("shell", "-c", PRODUCTION_PROBE, env=env)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])  # after the shell's own banner
    assert probe["debug"] is False
    assert probe["cookies_secure"] == [True, True, True]
    # Sign-in throttling counts in Redis, shared by every worker.
    assert probe["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert probe["status"] == 404
    assert probe["forwarded"] == [404, 301, "https://salon.example.com/no-such-page/"]
    assert probe["headers"] == {
        "X-Frame-Options": "DENY",
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Content-Security-Policy": probe["headers"]["Content-Security-Policy"],
    }
    # The policy of every page, on the production error pages too.
    assert parse_policy(probe["headers"]["Content-Security-Policy"]) == POLICY
    assert "페이지를 찾을 수 없습니다" in probe["body"]
    assert "Traceback" not in probe["body"] and "URLconf" not in probe["body"]


def test_upload_limits_must_fit_in_the_request_cap_and_proxies_must_be_addresses():
    refused = run_manage("check", env={"TEASER_MAX_BYTES": str(11 * 1024 * 1024)})
    assert refused.returncode == 1
    assert (
        "TEASER_MAX_BYTES (11534336) must be at least 64 KiB below REQUEST_MAX_BYTES (11534336):"
        " the proxy refuses larger requests" in refused.stderr
    )
    assert (
        run_manage("check", env={"TEASER_MAX_BYTES": str(11 * 1024 * 1024), "REQUEST_MAX_BYTES": "20000000"}).returncode
        == 0
    )
    wrong = run_manage("check", env={"TRUSTED_PROXIES": "172.28.0.10,nginx"})
    assert wrong.returncode == 1
    assert "TRUSTED_PROXIES must list IP addresses or networks, got 'nginx'" in wrong.stderr
