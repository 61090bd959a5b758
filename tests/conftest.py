import pytest


@pytest.fixture(autouse=True)
def _korean_by_default(settings):
    # The platform's default language; tests that need English activate it explicitly.
    settings.LANGUAGE_CODE = "ko"
