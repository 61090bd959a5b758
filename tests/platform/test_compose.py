"""The production stack described by docker-compose.yml refers to real code and settings.

No Docker engine runs on these machines, so the file is checked statically against the code:
every command's module, config file and entrypoint exists and every variable the stack needs
is documented in platform/env.example and read by settings.py."""

import importlib
import os
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ["web", "worker", "beat"]


def env_example() -> dict[str, str]:
    pairs = {}
    for line in (ROOT / "platform" / "env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key] = value
    return pairs


def test_it_describes_the_production_services():
    assert set(SERVICES) == {"postgres", "redis", "web", "worker", "beat", "proxy"}
    assert SERVICES["postgres"]["image"] == "postgres:16"
    assert SERVICES["redis"]["image"] == "redis:7"
    command = SERVICES["redis"]["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert command[command.index("--maxmemory-policy") + 1] == "noeviction"
    for name in ["postgres", "redis", "web", "worker"]:
        assert SERVICES[name]["healthcheck"]["test"], name


def test_web_worker_and_beat_share_one_image_built_from_platform():
    for name in APP_SERVICES:
        assert SERVICES[name]["build"] == {"context": ".", "dockerfile": "platform/Dockerfile"}, name
        assert SERVICES[name]["image"] == "partnering-salon:latest"
        assert SERVICES[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
    dockerfile = (ROOT / "platform" / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["/app/platform/entrypoint.sh"]' in dockerfile
    assert os.access(ROOT / "platform" / "entrypoint.sh", os.X_OK)
    # The image bakes the embedding model in, under the path the settings read, with the e5 prompts
    # of the embedded default.
    from matching.bundled_model import PROMPTS

    assert "ARG EMBEDDING_MODEL_NAME=intfloat/multilingual-e5-small" in dockerfile
    assert f"prompts={PROMPTS!r}" in dockerfile.replace('"', "'")
    assert ".save(os.environ['EMBEDDING_MODEL'])" in dockerfile
    assert env_example()["EMBEDDING_MODEL"] == "/opt/models/multilingual-e5-small"
    assert env_example()["EMBEDDING_MODEL"] in dockerfile


def test_the_web_command_points_at_real_modules():
    command = SERVICES["web"]["command"]
    assert command[0] == "gunicorn"
    config_path = command[command.index("--config") + 1]
    assert (ROOT / config_path).is_file()
    module_name, _, attribute = command[-1].partition(":")
    assert module_name == "config.wsgi"
    assert callable(getattr(importlib.import_module(module_name), attribute))


def test_the_celery_commands_point_at_the_real_app():
    from celery import Celery

    for name, subcommand in (("worker", "worker"), ("beat", "beat")):
        command = SERVICES[name]["command"]
        assert command[:2] == ["celery", "-A"] and command[3] == subcommand, name
        app = importlib.import_module(command[2]).celery_app
        assert isinstance(app, Celery)
        assert app.main == "config"


def test_every_variable_of_the_stack_is_documented_and_read_by_settings():
    settings_source = (ROOT / "config" / "settings.py").read_text()
    documented = env_example()
    for name in [
        "DJANGO_ENV",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "EMAIL_URL",
        "EMBEDDING_BACKEND",
        "EMBEDDING_MODEL",
        "EMBEDDING_BATCH_SIZE",
        "CSRF_TRUSTED_ORIGINS",
    ]:
        assert name in documented, name
        assert re.search(rf'"{name}"', settings_source), name
    gunicorn_source = (ROOT / "platform" / "gunicorn.conf.py").read_text()
    assert '"GUNICORN_WORKERS"' in gunicorn_source and "GUNICORN_WORKERS" in documented
    # The password given to the postgres container is the one in DATABASE_URL.
    assert f":{documented['POSTGRES_PASSWORD']}@postgres:5432/salon" in documented["DATABASE_URL"]


def test_the_health_check_uses_a_host_the_production_settings_allow():
    web_check = " ".join(SERVICES["web"]["healthcheck"]["test"])
    host = re.search(r"http://([^:/]+)", web_check).group(1)
    assert host in env_example()["ALLOWED_HOSTS"].split(",")


def test_only_the_proxy_is_published_and_it_shares_the_settings_of_the_app():
    published = {name for name, service in SERVICES.items() if service.get("ports")}
    assert published == {"proxy"}
    assert SERVICES["proxy"]["ports"] == ["80:80"]
    assert SERVICES["web"]["expose"] == ["8000"]
    proxy = SERVICES["proxy"]
    template = "./platform/nginx/default.conf.template"
    assert f"{template}:/etc/nginx/templates/default.conf.template:ro" in proxy["volumes"]
    assert (ROOT / template).is_file()
    # The static files the web container collects are the ones nginx serves.
    assert "static:/app/staticfiles" in SERVICES["web"]["volumes"]
    assert "static:/srv/static:ro" in proxy["volumes"]
    # The cap comes from .env, the variable the settings read, with the settings' default; no secrets.
    assert proxy["environment"] == {
        "PROXY_LISTEN": "80",
        "UPSTREAM": "web:8000",
        "STATIC_DIR": "/srv/static/",
        "REQUEST_MAX_BYTES": "${REQUEST_MAX_BYTES:-11534336}",
    }
    assert "env_file" not in proxy
    from django.conf import settings

    assert settings.REQUEST_MAX_BYTES == 11534336 == int(env_example()["REQUEST_MAX_BYTES"])
    assert "collectstatic --noinput" in (ROOT / "platform" / "entrypoint.sh").read_text()
    # Teasers stay private: the media volume is the app's alone.
    assert not any("media" in volume for volume in proxy["volumes"])
    # The proxy's fixed address is the one trusted proxy of the settings; its body cap is read by both.
    assert proxy["networks"]["default"]["ipv4_address"] == env_example()["TRUSTED_PROXIES"]
    template_text = (ROOT / template).read_text()
    assert "client_max_body_size ${REQUEST_MAX_BYTES};" in template_text
    assert '"REQUEST_MAX_BYTES"' in (ROOT / "config" / "settings.py").read_text()
    assert "TRUSTED_PROXIES" in (ROOT / "platform" / "gunicorn.conf.py").read_text()
