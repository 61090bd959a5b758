import pytest

# The standing cast of the permission tests: owner, member, outsider and their counterparts.
from tests.worlds import (  # noqa: F401
    bd,
    cardiology,
    confidential_need,
    corporate,
    draft_offer,
    imaging,
    member,
    need,
    offer,
    organizer,
    other_bd,
    other_corporate,
    other_organizer,
    outsider,
    owner,
    rival,
    rival_offer,
    salon,
    startup,
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness (about a second a check on a busy 2-core machine) would let a
    # throttle window tick by between the attempts the throttling tests count.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _lexical_embeddings_by_default(settings):
    # Exact expected scores in most tests come from the offline lexical backend; the tests of the
    # real multilingual model (tests/matching/test_bundled_model.py) choose it explicitly.
    settings.EMBEDDING_BACKEND = "lexical"


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


@pytest.fixture(autouse=True)
def _uploads_outside_the_checkout(settings, tmp_path_factory):
    # Files saved by any test (offer teasers, also those the API fuzzer uploads) land in a
    # temporary folder, never in the checkout's media/. Tests that list it set their own.
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    # Sign-in throttles, run states and the affiliation cache live in the cache (local memory in
    # tests): one test's failed logins must not throttle the next test's user.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
