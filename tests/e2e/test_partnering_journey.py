"""The whole partnering journey in a real browser: a startup applies to a salon in Korean and sees
its matches, asks for a meeting; the BD member accepts it in English; the organizer approves,
closes requests, schedules and publishes; the startup downloads an .ics that parses and holds the
meeting's time. Screenshots of each main page go to the screenshot folder."""

import datetime as dt

import icalendar
import pytest
from django.utils import timezone

from events import salon_service
from events.models import Event, Meeting, MeetingRequest, ProgramItem, Registration
from matching.models import Match
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

from .conftest import SEOUL, log_in

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct horse battery"


@pytest.fixture
def salon():
    now = timezone.now()
    day = (now + dt.timedelta(days=20)).date()
    event = EventFactory(
        slug="osong-journey",
        status="open",
        date=day,
        registration_opens_at=now - dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(days=10),
    )
    ProgramItem.objects.create(
        event=event,
        kind="partnering",
        title_ko="1:1 미팅",
        title_en="1:1 meetings",
        starts_at=dt.datetime.combine(day, dt.time(15, 0), tzinfo=SEOUL),
        ends_at=dt.datetime.combine(day, dt.time(16, 0), tzinfo=SEOUL),
    )
    salon_service.slots_generate(event=event)
    salon_service.tables_generate(event=event, count=2)
    startup = StartupFactory(name_ko="메디비전", name_en="MediVision")
    corporate = OrganizationFactory(name_ko="글로벌메드", name_en="GlobalMed")
    offer = TechnologyOfferFactory(organization=startup, title="폐결절 검출 AI")
    need = PartneringNeedFactory(organization=corporate, title="Lung nodule AI for our CT line")
    Match.objects.create(
        offer=offer,
        need=need,
        score=0.82,
        components={"semantic": 0.8},
        explanation={
            "ko": {"fits": ["공통 개념: 폐결절"], "misfits": []},
            "en": {"fits": ["Shared concepts: lung nodule"], "misfits": []},
        },
        computed_at=timezone.now(),
    )
    RegistrationFactory(event=event, organization=corporate, status="approved")
    founder = UserFactory(email="ceo@medivision.kr", password=PASSWORD, preferred_language="ko")
    bd = UserFactory(email="bd@globalmed.com", password=PASSWORD, preferred_language="en")
    organizer = UserFactory(email="salon@organizer.kr", password=PASSWORD)
    MembershipFactory(user=founder, organization=startup)
    MembershipFactory(user=bd, organization=corporate)
    MembershipFactory(user=organizer, organization=event.organizer)
    return event, startup, offer, need


def test_apply_match_request_accept_schedule_publish_and_download_the_calendar(salon, open_page, screenshot):
    event, startup, offer, need = salon
    # The startup applies in Korean.
    founder = open_page()
    log_in(founder, "ceo@medivision.kr", PASSWORD)
    founder.goto(founder.base + f"/salons/{event.slug}/")
    founder.get_by_role("link", name="이 살롱에 참가 신청").click()
    founder.get_by_label("한국어").check()
    screenshot(founder, "apply-ko")
    founder.locator("main form button[type=submit]").click()
    founder.wait_for_load_state()
    screenshot(founder, "apply-submitted-ko")
    assert "주최 측이 검토" in founder.locator(".messages").inner_text()
    assert Registration.objects.get(event=event, organization=startup).status == "pending"

    # The organizer approves it (English).
    organizer = open_page(locale="en-US")
    log_in(organizer, "salon@organizer.kr", PASSWORD)
    organizer.goto(organizer.base + f"/organize/salons/{event.slug}/")
    organizer.get_by_role("button", name="Approve MediVision").click()
    assert Registration.objects.get(event=event, organization=startup).status == "approved"
    screenshot(organizer, "organizer-salon-en")

    # The startup sees its matches with the explanation, and asks for a meeting.
    founder.goto(founder.base + f"/workspace/offers/{offer.public_id}/matches/")
    assert "Lung nodule AI for our CT line" in founder.content()
    assert "공통 개념: 폐결절" in founder.content()
    screenshot(founder, "offer-matches-ko")
    founder.get_by_role("link", name="미팅 요청").first.click()
    founder.get_by_label(event.title_ko).check()
    screenshot(founder, "request-form-ko")
    founder.locator("main form button[type=submit]").click()
    founder.wait_for_load_state()
    request = MeetingRequest.objects.get(event=event, offer=offer)
    assert (request.status, request.requester_id) == ("pending", startup.pk)

    # The BD member accepts it from the workspace.
    bd = open_page(locale="en-US")
    log_in(bd, "bd@globalmed.com", PASSWORD)
    bd.goto(bd.base + "/workspace/")
    screenshot(bd, "workspace-bd-en")
    bd.get_by_role("button", name="Accept").first.click()
    request.refresh_from_db()
    assert request.status == "accepted"

    # The organizer closes registration and requests, schedules and publishes.
    organizer.goto(organizer.base + f"/organize/salons/{event.slug}/")
    organizer.get_by_role("button", name="Start matching").click()
    organizer.get_by_role("button", name="Close requests").click()
    # An irreversible step asks first, on a page that lists what is still pending.
    organizer.wait_for_load_state()
    assert organizer.locator("#pending").inner_text() == "Still pending\n\nNothing is pending."
    assert Event.objects.get(pk=event.pk).status == "matching"
    organizer.get_by_role("button", name="Close requests").click()
    organizer.get_by_role("button", name="Schedule the meetings").click()
    organizer.wait_for_load_state()
    meeting = Meeting.objects.get(event=event)
    assert meeting.status == "scheduled"
    organizer.goto(organizer.base + f"/organize/salons/{event.slug}/schedule/")
    assert "MediVision ↔ GlobalMed" in organizer.locator("main").inner_text()
    screenshot(organizer, "organizer-schedule-en")
    organizer.goto(organizer.base + f"/organize/salons/{event.slug}/")
    organizer.get_by_role("button", name="Publish the agenda").click()
    organizer.wait_for_load_state()
    organizer.get_by_role("button", name="Publish the agenda").click()
    organizer.wait_for_load_state()
    event.refresh_from_db()
    assert event.status == "published"

    # The startup downloads its calendar: the meeting, at its time in Seoul.
    founder.goto(founder.base + "/agenda/")
    screenshot(founder, "agenda-journey-ko")
    with founder.expect_download() as download:
        founder.get_by_role("link", name="캘린더 파일 받기 (.ics)").click()
    (entry,) = icalendar.Calendar.from_ical(open(download.value.path(), "rb").read()).walk("VEVENT")
    meeting.refresh_from_db()
    assert (str(entry["UID"]), entry.decoded("DTSTART")) == (meeting.calendar_uid, meeting.slot.starts_at)
    assert entry.decoded("DTSTART").astimezone(SEOUL).hour == 15


def test_the_main_pages_fit_a_phone_screen(salon, open_page, screenshot):
    event, startup, offer, need = salon
    RegistrationFactory(event=event, organization=startup, status="approved")
    MeetingRequest.objects.create(
        event=event,
        offer=offer,
        need=need,
        startup=startup,
        corporate=need.organization,
        origin="proposal",
        status="proposed",
        score=0.82,
    )
    founder = open_page(phone=True)
    log_in(founder, "ceo@medivision.kr", PASSWORD)
    organizer = open_page(locale="en-US", phone=True)
    log_in(organizer, "salon@organizer.kr", PASSWORD)
    pages = [
        (founder, "/workspace/", "phone-workspace-ko"),
        (founder, f"/workspace/offers/{offer.public_id}/edit/", "phone-offer-form-ko"),
        (founder, f"/workspace/offers/{offer.public_id}/matches/", "phone-offer-matches-ko"),
        (founder, f"/salons/{event.slug}/", "phone-salon-ko"),
        (organizer, "/organize/", "phone-organizer-dashboard-en"),
        (organizer, f"/organize/salons/{event.slug}/", "phone-organizer-salon-en"),
        (organizer, f"/organize/salons/{event.slug}/schedule/", "phone-organizer-schedule-en"),
    ]
    widths = {}
    for page, path, name in pages:
        page.goto(page.base + path)
        widths[path] = page.evaluate("document.documentElement.scrollWidth")
        screenshot(page, name)
    assert widths == {path: 390 for _page, path, _name in pages}  # nothing wider than the screen
