"""A participant's published agenda in the browser: the page in Korean and English, on a laptop and
a phone, and the .ics download that a calendar app would import."""

import datetime as dt

import icalendar
import pytest
from django.utils import timezone

from events import salon_service
from events.models import Meeting
from tests.events.test_agenda import make_salon
from tests.factories import MembershipFactory, OrganizationFactory, StartupFactory, TechnologyOfferFactory, UserFactory

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_startup_reads_its_agenda_and_downloads_a_calendar_that_holds_the_right_time(open_page, screenshot):
    startup = StartupFactory(name_ko="메디비전", name_en="MediVision")
    corporate = OrganizationFactory(name_ko="글로벌메드", name_en="GlobalMed")
    offer = TechnologyOfferFactory(organization=startup, title="폐결절 AI")
    founder = UserFactory(email="ceo@medivision.kr")
    MembershipFactory(user=founder, organization=startup)
    event = make_salon(dt.date(2026, 12, 10), "osong-e2e", [(startup, corporate, offer, 0.8)])
    salon_service.event_transition(event=event, action="close_requests")
    salon_service.event_transition(event=event, action="publish")
    meeting = Meeting.objects.get(event=event)

    page = open_page()
    log_in(page, "ceo@medivision.kr", "correct horse battery")
    page.goto(page.base + "/agenda/")
    assert page.locator("h1").inner_text() == "내 일정"
    row = page.locator("tbody tr").first
    start = timezone.localtime(meeting.slot.starts_at)
    assert row.locator("td").nth(0).inner_text().startswith(f"{start:%H:%M}–")
    assert row.locator("td").nth(2).inner_text() == "글로벌메드"
    screenshot(page, "agenda-ko-laptop")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="캘린더 파일 받기 (.ics)").click()
    calendar = icalendar.Calendar.from_ical(open(download_info.value.path(), "rb").read())
    (entry,) = calendar.walk("VEVENT")
    assert (str(entry["UID"]), entry.decoded("DTSTART")) == (meeting.calendar_uid, meeting.slot.starts_at)
    assert str(entry.decoded("DTSTART").tzinfo) == "Asia/Seoul"

    phone = open_page(locale="en-US", phone=True)
    log_in(phone, "ceo@medivision.kr", "correct horse battery")
    phone.goto(phone.base + "/agenda/")
    assert phone.locator("h1").inner_text() == "My agenda"
    assert phone.locator("tbody tr").first.locator("td").nth(2).inner_text() == "GlobalMed"
    screenshot(phone, "agenda-en-phone")
