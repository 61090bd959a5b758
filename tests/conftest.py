import pytest


@pytest.fixture(autouse=True)
def _korean_by_default(settings):
    # The platform's default language; tests that need English activate it explicitly.
    settings.LANGUAGE_CODE = "ko"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(tmp_path_factory):
    # Worker processes in the integration tests share the test database: on SQLite it must be a
    # file, not the in-memory default.
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")
