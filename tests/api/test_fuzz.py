"""The API fuzzed in-process with schemathesis against its own drf-spectacular schema: every
operation, anonymous and with a token, at least 50 generated requests each; no server error and no
response that contradicts the schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts import tokens


@pytest.fixture
def token_header(owner, offer, need, salon) -> dict:
    """The owner's token, with an offer, a need and an open salon for the operations to find."""
    return {"Authorization": f"Token {tokens.issue(owner, name='fuzz')[1]}"}


CHECKS = [not_a_server_error, response_schema_conformance]
EXAMPLES = 50


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # The WSGI handler closes the database connection after each request (request_finished); the
    # test's transaction lives on that connection, so do as Django's test client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def fuzz(headers: dict | None) -> dict[str, str]:
    """Run every operation of the schema; returns the failures by operation (empty when clean)."""
    api = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    failures = {}
    calls: dict[str, int] = {}
    for result in api.get_all_operations():
        operation = result.ok()
        calls[operation.label] = 0

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case):
            calls[case.operation.label] += 1
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as error:  # noqa: BLE001 — collect every operation's failure, then report them all
            failures[operation.label] = str(error)[:2000]
    assert len(calls) >= 30  # every resource of /api/v1/ is in the schema
    # Hypothesis stops early only where the inputs run out (an operation without parameters).
    assert all(count >= 1 for count in calls.values()), calls
    assert sum(count >= EXAMPLES for count in calls.values()) >= len(calls) // 2, calls
    return failures


def test_anonymous_requests_never_break_the_api(db, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth": "100000/min"}}
    assert fuzz(None) == {}


def test_authenticated_requests_never_break_the_api(token_header, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth": "100000/min"}}
    assert fuzz(token_header) == {}
