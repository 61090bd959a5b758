"""Faults with real components: the database connection dropped in the middle of a request
(gunicorn and PostgreSQL on loopback), and two schedulers started at once on the same salon.

(A Celery worker killed mid-task and Redis down during submissions: test_embedding_pipeline.py.)"""

import http.cookiejar
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
import pytest

from events import salon_service
from events.models import Meeting, MeetingRequest
from tests.events.test_organize_pages import scheduled_salon
from tests.factories import OrganizationFactory, RegistrationFactory, StartupFactory, TechnologyOfferFactory
from tests.integration.conftest import database_url
from tests.services import gunicorn_server, postgres_server

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration

# Ends the session of whoever inserts a regulatory approval: the offer row and its concepts are
# already written in the same transaction, which the server then rolls back.
DROP_CONNECTION_SQL = """
CREATE FUNCTION drop_connection() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_terminate_backend(pg_backend_pid());
  RETURN NEW;
END $$;
CREATE TRIGGER drop_connection AFTER INSERT ON matching_regulatoryapproval
  FOR EACH ROW EXECUTE FUNCTION drop_connection();
"""

SETUP_SCRIPT = """
from allauth.account.models import EmailAddress
from accounts.models import Membership, Organization, User
user = User.objects.create_user("founder@medivision.kr", "correct horse battery", preferred_language="ko")
EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
startup = Organization.objects.create(
    kind="startup", name_ko="메디비전", name_en="MediVision",
    slug="medivision", business_registration_number="3010009995"
)
Membership.objects.create(user=user, organization=startup, role="admin")
"""


class Browser:
    """A cookie-keeping HTTP client that sends Django's CSRF token like a browser's form would."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def csrf(self) -> str:
        return next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")

    def request(self, path: str, data: list[tuple[str, str]] | None = None) -> tuple[int, str]:
        body = None
        if data is not None:
            body = urllib.parse.urlencode([*data, ("csrfmiddlewaretoken", self.csrf())]).encode()
        target = self.base + path  # always http://127.0.0.1:<port>/…
        request = urllib.request.Request(target, data=body, headers={"Referer": target})  # noqa: S310
        try:
            with self.opener.open(request, timeout=60) as response:  # noqa: S310
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def offer_post(title: str, *, approval: bool) -> list[tuple[str, str]]:
    rows = [("approvals-0-market", "KR"), ("approvals-0-pathway", "mfds_2"), ("approvals-0-status", "granted")]
    return [
        ("title", title),
        ("description", "저선량 흉부 CT에서 폐결절을 자동 검출하는 딥러닝 소프트웨어입니다."),
        ("stage", "clinical"),
        ("deal_types", "licensing"),
        ("target_regions", "US"),
        ("approvals-TOTAL_FORMS", "1" if approval else "0"),
        ("approvals-INITIAL_FORMS", "0"),
        ("approvals-MIN_NUM_FORMS", "0"),
        ("approvals-MAX_NUM_FORMS", "8"),
        *(rows if approval else []),
    ]


@pytest.fixture
def site(tmp_path):
    """The app under gunicorn (DEBUG off) on its own PostgreSQL cluster."""
    with postgres_server() as url:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "EMBEDDING_BACKEND": "lexical",
            "MEDIA_ROOT": str(tmp_path / "media"),
        }
        env.pop("REDIS_URL", None)
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        subprocess.run([*manage, "shell", "-c", SETUP_SCRIPT], cwd=ROOT, env=env, check=True)
        with gunicorn_server({**env, "GUNICORN_WORKERS": "1", "GUNICORN_TIMEOUT": "120"}) as server:
            yield f"http://127.0.0.1:{server.port}", url


def count(url: str, table: str) -> int:
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as connection:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed names


def test_a_connection_dropped_mid_request_gives_a_clean_page_and_saves_nothing(site):
    base, url = site
    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as connection:
        connection.execute(DROP_CONNECTION_SQL)
    browser = Browser(base)
    browser.request("/accounts/login/")
    status, _page = browser.request(
        "/accounts/login/", [("login", "founder@medivision.kr"), ("password", "correct horse battery")]
    )
    assert status == 200  # followed the redirect to the workspace
    browser.request("/workspace/offers/new/")

    status, page = browser.request("/workspace/offers/new/", offer_post("폐결절 AI", approval=True))

    assert status == 500
    assert "요청을 끝내지 못했습니다" in page and "저장되지 않았습니다" in page
    assert "Traceback" not in page and "psycopg" not in page and "matching_regulatoryapproval" not in page
    assert count(url, "matching_technologyoffer") == 0
    assert count(url, "matching_technologyoffer_concepts") == 0
    assert count(url, "matching_regulatoryapproval") == 0
    # The next request gets a fresh connection and works.
    status, _page = browser.request("/workspace/offers/new/", offer_post("폐결절 AI", approval=False))
    assert status == 200
    assert count(url, "matching_technologyoffer") == 1


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_place_every_meeting_once(organizer):
    event = scheduled_salon(organizer, pairs=(), schedule=False, slug="two-schedulers", end=(17, 30))
    salon_service.tables_generate(event=event, count=4)
    startups = [StartupFactory() for _ in range(6)]
    corporates = [OrganizationFactory() for _ in range(4)]
    for organization in startups + corporates:
        RegistrationFactory(event=event, organization=organization, status="approved")
    for s, startup in enumerate(startups):
        offer = TechnologyOfferFactory(organization=startup)
        for corporate in corporates[: 2 + s % 2]:
            MeetingRequest.objects.create(
                event=event,
                offer=offer,
                startup=startup,
                corporate=corporate,
                origin="organizer",
                status="accepted",
                score=0.5,
            )
    event.status = "scheduling"
    event.save()
    accepted = MeetingRequest.objects.filter(event=event).count()
    env = {**os.environ, "DATABASE_URL": database_url(), "EMBEDDING_BACKEND": "lexical"}
    command = [sys.executable, "manage.py", "schedule", "--event", event.slug, "--time-limit", "1"]
    runs = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for _run in range(2)
    ]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    meetings = list(
        Meeting.objects.filter(event=event).values_list(
            "request_id", "slot_id", "table_id", "startup_id", "corporate_id", "status", "sequence"
        )
    )
    assert len(meetings) == accepted == 15
    assert {row[5] for row in meetings} == {"scheduled"}
    assert len({(slot, table) for _r, slot, table, *_ in meetings}) == accepted
    assert len({(slot, startup) for _r, slot, _t, startup, *_ in meetings}) == accepted
    assert len({(slot, corporate) for _r, slot, _t, _s, corporate, *_ in meetings}) == accepted
    # The second run found the first one's schedule and kept it: nothing was placed twice or moved.
    assert {row[6] for row in meetings} == {0}
    assert all("15/15" in output for output in outputs), outputs
