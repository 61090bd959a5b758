"""Pages that follow the salon's lifecycle: what the salon page and the apply page say in each
phase of registration, and what the service answers."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from events import salon_service
from events.models import Event, Meeting, MeetingRequest, Registration
from tests.factories import SEOUL, EventFactory, OrganizationFactory, RegistrationFactory, StartupFactory
from tests.worlds import english


def _salon(*, status="open", opens_in_days, closes_in_days, slug="phases"):
    now = timezone.now()
    return EventFactory(
        slug=slug,
        status=status,
        registration_opens_at=now + dt.timedelta(days=opens_in_days),
        registration_closes_at=now + dt.timedelta(days=closes_in_days),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "opens", "closes", "phase"),
    [
        ("open", -1, 3, "open"),
        ("open", 2, 9, "upcoming"),
        ("open", -9, -1, "closed"),
        ("matching", -9, 3, "closed"),
        ("published", -9, -1, "closed"),
    ],
)
def test_the_registration_phase_reads_the_stage_and_the_window(status, opens, closes, phase):
    assert _salon(status=status, opens_in_days=opens, closes_in_days=closes).registration_phase() == phase


@pytest.mark.django_db
def test_the_salon_page_says_when_registration_opens_or_that_it_closed(client):
    opens = dt.datetime(2031, 3, 4, 9, 0, tzinfo=SEOUL)
    EventFactory(
        slug="later",
        status="open",
        registration_opens_at=opens,
        registration_closes_at=opens + dt.timedelta(days=20),
        date=dt.date(2031, 4, 1),
    )
    _salon(slug="past", opens_in_days=-9, closes_in_days=-1)
    _salon(slug="now", opens_in_days=-1, closes_in_days=3)
    later = client.get("/salons/later/").content.decode()
    assert '<p class="meta">참가 신청은 2031년 3월 4일 09:00에 시작됩니다.</p>' in later
    assert "/salons/later/apply/" not in later and "참가 신청이 마감되었습니다." not in later
    past = client.get("/salons/past/").content.decode()
    assert '<p class="meta">참가 신청이 마감되었습니다.</p>' in past and "/salons/past/apply/" not in past
    now = client.get("/salons/now/").content.decode()
    assert 'href="/salons/now/apply/"' in now and "참가 신청이 마감되었습니다." not in now
    english = client.get("/salons/later/", HTTP_COOKIE="django_language=en").content.decode()
    assert '<p class="meta">Registration opens on March 4, 2031 09:00.</p>' in english


@pytest.mark.django_db
def test_applying_before_the_window_and_after_it_are_refused_with_different_messages(startup, owner, client):
    opens = dt.datetime(2031, 3, 4, 9, 0, tzinfo=SEOUL)
    later = EventFactory(
        slug="later", status="open", registration_opens_at=opens, registration_closes_at=opens + dt.timedelta(days=9)
    )
    past = _salon(slug="past", opens_in_days=-9, closes_in_days=-1)
    with translation.override("en"):
        with pytest.raises(ValidationError) as early:
            salon_service.registration_create(event=later, organization=startup)
        with pytest.raises(ValidationError) as late:
            salon_service.registration_create(event=past, organization=startup)
    assert (early.value.code, late.value.code) == ("not_yet_open", "closed")
    with translation.override("en"):
        assert str(early.value.messages[0]) == "Registration for this salon opens on March 4, 2031 09:00."
        assert str(late.value.messages[0]) == "Registration for this salon is closed."
    client.force_login(owner)
    page = client.get("/salons/later/apply/").content.decode()
    assert 'name="organization"' not in page and "참가 신청은 2031년 3월 4일 09:00에 시작됩니다." in page
    answer = client.post("/salons/past/apply/", {"organization": startup.pk, "max_meetings": 4})
    assert answer.status_code == 200 and "참가 신청이 마감되었습니다." in answer.content.decode()
    assert Registration.objects.count() == 0


# --- Irreversible steps ask for a confirmation page listing what is pending -------------------------


def _lifecycle_form(html: str) -> dict:
    """action -> (enabled, goes to the confirmation page) from the control page's lifecycle form."""
    return {
        action: ("disabled" not in attributes, 'formmethod="get"' in attributes)
        for action, attributes in re.findall(r'<button type="submit" name="action" value="(\w+)"([^>]*)>', html)
    }


@pytest.mark.django_db
def test_irreversible_steps_go_through_a_confirmation_that_lists_what_is_pending(client, organizer):
    from tests.events.test_organize_pages import login, scheduled_salon

    event = scheduled_salon(organizer, slug="confirm-me")
    RegistrationFactory(event=event, organization=StartupFactory(), status="pending")
    offer = MeetingRequest.objects.filter(event=event).first().offer
    MeetingRequest.objects.create(
        event=event,
        offer=offer,
        startup=offer.organization,
        corporate=OrganizationFactory(),
        status="proposed",
        origin="proposal",
    )
    web = login(client, organizer.user)
    base = f"/organize/salons/{event.slug}/"
    assert _lifecycle_form(web.get(base).content.decode()) == {
        "open": (False, False),
        "start_matching": (False, False),
        "close_requests": (True, True),
        "publish": (False, True),
        "close": (False, True),
    }
    page = web.get(base + "transition/confirm/?action=close_requests").content.decode()
    assert re.findall(r"<li>(.*?)</li>", page.split('id="pending"')[1].split("</section>")[0]) == [
        "1 proposed meeting that neither side has answered",
        "1 registration still pending approval",
    ]
    assert '<input type="hidden" name="action" value="close_requests">' in page
    assert '<input type="hidden" name="confirm" value="yes">' in page
    # Posting the step without the confirmation only leads to the confirmation page.
    unconfirmed = web.post(base + "transition/", {"action": "close_requests"})
    assert (unconfirmed.status_code, unconfirmed["Location"]) == (
        302,
        base + "transition/confirm/?action=close_requests",
    )
    event.refresh_from_db()
    assert event.status == "matching"
    done = web.post(base + "transition/", {"action": "close_requests", "confirm": "yes"}, follow=True)
    event.refresh_from_db()
    assert event.status == "scheduling"
    assert "The salon is now “Scheduling”." in done.content.decode()
    # A step the salon is not at answers with the message on the control page.
    wrong = web.get(base + "transition/confirm/?action=close", follow=True).content.decode()
    assert "This step is not possible while the salon is “Scheduling”." in wrong
    assert web.get(base + "transition/confirm/?action=open").status_code == 404
    # Publishing lists the accepted meetings that found no place.
    Meeting.objects.filter(event=event).first().delete()
    page = web.get(base + "transition/confirm/?action=publish").content.decode()
    assert re.findall(r"<li>(.*?)</li>", page.split('id="pending"')[1].split("</section>")[0]) == [
        "1 registration still pending approval",
        "1 accepted meeting not placed in the schedule",
    ]


@pytest.mark.django_db
def test_the_confirmation_says_when_nothing_is_pending_and_in_korean(client, organizer):
    from tests.events.test_organize_pages import scheduled_salon

    event = scheduled_salon(organizer, slug="nothing-left")
    client.force_login(organizer.user)
    page = client.get(f"/organize/salons/{event.slug}/transition/confirm/?action=close_requests").content.decode()
    assert "<p>처리되지 않은 항목이 없습니다.</p>" in page
    assert "이 단계는 되돌릴 수 없습니다." in page


@pytest.mark.django_db
def test_registrations_of_a_published_salon_show_no_decision_buttons(client, organizer):
    from tests.events.test_organize_pages import login, scheduled_salon

    event = scheduled_salon(organizer, slug="no-decisions")
    web = login(client, organizer.user)
    assert 'name="status" value="rejected"' in web.get(f"/organize/salons/{event.slug}/").content.decode()
    event.status = "published"
    event.save()
    assert 'name="status" value="rejected"' not in web.get(f"/organize/salons/{event.slug}/").content.decode()


# --- Messages that say what happened -------------------------------------------------------------


@pytest.fixture
def three_requests(salon, startup, corporate, offer):
    """At the (open) salon: a proposal between startup and corporate, a request a second BD team
    sent the startup, and a meeting the organizer arranged with a third BD team."""
    Event.objects.filter(pk=salon.pk).update(meeting_quota=5)
    salon.refresh_from_db()
    other, third = OrganizationFactory(name_en="Other BD"), OrganizationFactory(name_en="Third BD")
    for organization in (other, third):
        RegistrationFactory(event=salon, organization=organization, status="approved")
    common = {"event": salon, "offer": offer, "startup": startup}
    return SimpleNamespace(
        proposal=MeetingRequest.objects.create(**common, corporate=corporate, origin="proposal", status="proposed"),
        pending=MeetingRequest.objects.create(
            **common, corporate=other, origin="corporate", status="pending", requester=other, recipient=startup
        ),
        accepted=MeetingRequest.objects.create(**common, corporate=third, origin="organizer", status="accepted"),
    )


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.mark.django_db
def test_accepting_a_proposal_says_a_request_went_to_the_bd_team(client, owner, three_requests):
    client.force_login(owner)
    english(client)
    answer = client.post(f"/workspace/requests/{three_requests.proposal.pk}/accept/", follow=True)
    assert _messages(answer) == ["Your request went to the BD team; the meeting is set once they accept it."]
    three_requests.proposal.refresh_from_db()
    assert three_requests.proposal.status == "pending"
    answer = client.post(f"/workspace/requests/{three_requests.pending.pk}/accept/", follow=True)
    assert _messages(answer) == [
        "The request is accepted: the meeting is set and goes on the agenda once the organizer schedules it."
    ]


@pytest.mark.django_db
def test_a_bd_team_taking_up_a_proposal_hears_it_went_to_the_startup(client, bd, three_requests):
    client.force_login(bd)
    english(client)
    answer = client.post(f"/workspace/requests/{three_requests.proposal.pk}/accept/", follow=True)
    assert _messages(answer) == ["Your request went to the startup; the meeting is set once they accept it."]


@pytest.mark.django_db
def test_declining_with_the_reason_other_needs_a_note(client, owner, three_requests):
    client.force_login(owner)
    english(client)
    url = f"/workspace/requests/{three_requests.pending.pk}/decline/"
    refused = client.post(url, {"reason": "other", "note": "  "}, follow=True)
    assert _messages(refused) == ["Say in the note why you decline when the reason is “Other”."]
    three_requests.pending.refresh_from_db()
    assert three_requests.pending.status == "pending"
    done = client.post(url, {"reason": "other", "note": "We already work with a distributor."}, follow=True)
    assert _messages(done) == ["The request is declined."]
    three_requests.pending.refresh_from_db()
    assert (three_requests.pending.status, three_requests.pending.decline_note) == (
        "declined",
        "We already work with a distributor.",
    )


@pytest.mark.django_db
def test_the_outcome_form_opens_with_the_saved_outcome(client, owner, three_requests, salon):
    from events import follow_up
    from events.models import Slot, Table

    now = timezone.now()
    slot = Slot.objects.create(event=salon, index=1, starts_at=now - dt.timedelta(hours=2), ends_at=now)
    table = Table.objects.create(event=salon, number=1)
    meeting = Meeting.objects.create(
        event=salon,
        request=three_requests.accepted,
        startup=three_requests.accepted.startup,
        corporate=three_requests.accepted.corporate,
        slot=slot,
        table=table,
    )
    Event.objects.filter(pk=salon.pk).update(status="published")
    meeting = Meeting.objects.get(pk=meeting.pk)
    follow_up.outcome_record(
        meeting=meeting, organization=meeting.startup, took_place=True, next_step="nda_cda", note="Call on Monday"
    )
    client.force_login(owner)
    page = client.get(f"/agenda/meetings/{meeting.pk}/outcome/").content.decode()
    assert re.search(r'<input type="radio" name="took_place" value="yes"[^>]*checked', page)
    assert re.search(r'<option value="nda_cda" selected>', page)
    assert "Call on Monday</textarea>" in page


# --- Workspace and agenda --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_workspace_lists_the_salon_applications_and_the_agenda_says_what_is_unpublished(
    client, owner, startup, organizer
):
    pending = EventFactory(
        organizer=organizer.organization, slug="w-pending", title_en="Pending Salon", date=dt.date(2031, 5, 2)
    )
    matching = EventFactory(
        organizer=organizer.organization,
        slug="w-matching",
        title_en="Matching Salon",
        status="matching",
        date=dt.date(2031, 4, 1),
    )
    published = EventFactory(
        organizer=organizer.organization,
        slug="w-published",
        title_en="Published Salon",
        status="published",
        date=dt.date(2031, 3, 1),
    )
    first = RegistrationFactory(event=pending, organization=startup, status="pending")
    second = RegistrationFactory(event=matching, organization=startup, status="approved")
    third = RegistrationFactory(event=published, organization=startup, status="approved")
    client.force_login(owner)
    english(client)
    home = client.get("/workspace/").content.decode()
    section = home.split('id="applications"')[1].split("</ul>")[0]
    rows = re.findall(
        r'<li class="card" id="registration-(\d+)">.*?<a href="([^"]+)">([^<]+)</a>.*?'
        r'<span class="badge registration-(\w+)">([^<]+)</span>\s*<span class="badge">([^<]+)</span>',
        section,
        re.S,
    )
    assert rows == [
        (str(first.pk), "/salons/w-pending/", "Pending Salon", "pending", "Pending approval", "Registration open"),
        (str(second.pk), "/salons/w-matching/", "Matching Salon", "approved", "Approved", "Matching"),
        (str(third.pk), "/salons/w-published/", "Published Salon", "approved", "Approved", "Agenda published"),
    ]
    agenda = client.get("/agenda/").content.decode()
    unpublished = re.findall(r"<li>(.*?)</li>", agenda.split('id="unpublished"')[1].split("</section>")[0])
    # Only approved participation counts; a published salon's schedule is on the agenda itself.
    assert unpublished == [
        "Matching Salon (April 1, 2031): the schedule is not published yet; your meetings appear here once "
        "the organizer publishes it."
    ]


@pytest.mark.django_db
def test_a_user_without_applications_is_pointed_to_the_salons(client, owner):
    client.force_login(owner)
    home = client.get("/workspace/").content.decode()
    assert '아직 살롱 참가 신청이 없습니다. <a href="/">예정된 살롱 보기</a>' in home
    assert 'id="unpublished"' not in client.get("/agenda/").content.decode()


# --- For each salon status, which actions each role sees and may perform -----------------------------

# status → what the startup sees and may do with its requests (accept or decline what is addressed to
# it, cancel its meeting), whether a visitor sees "apply" (the window open now), whether the
# organizer sees the registration decisions, and the organizer's one enabled lifecycle step.
ROLE_TABLE = {
    #            accept/decline  cancel  apply   decide  step
    "open": (True, True, True, True, "start_matching"),
    "matching": (True, True, False, True, "close_requests"),
    "scheduling": (False, True, False, True, "publish"),
    "published": (False, True, False, False, "close"),
    "closed": (False, False, False, False, None),
}


@pytest.mark.django_db
@pytest.mark.parametrize("status", list(ROLE_TABLE))
def test_each_role_sees_and_may_perform_the_actions_of_the_stage(
    client, status, salon, owner, organizer, three_requests
):
    answers, cancels, applies, decides, step = ROLE_TABLE[status]
    now = timezone.now()
    Event.objects.filter(pk=salon.pk).update(
        status=status,
        registration_opens_at=now - dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(days=5),
    )
    r = three_requests
    visitor = client.get(f"/salons/{salon.slug}/").content.decode()
    organizer_page = login_organizer(client, organizer).get(f"/organize/salons/{salon.slug}/").content.decode()
    client.force_login(owner)
    home = client.get("/workspace/").content.decode()
    seen = {
        "accept": f'action="/workspace/requests/{r.proposal.pk}/accept/"' in home,
        "decline": f'action="/workspace/requests/{r.pending.pk}/decline/"' in home,
        "cancel": f'action="/workspace/requests/{r.accepted.pk}/cancel/"' in home,
        "apply": f'href="/salons/{salon.slug}/apply/"' in visitor,
        "decide": 'name="status" value="rejected"' in organizer_page,
        "step": [a for a, (enabled, _confirm) in _lifecycle_form(organizer_page).items() if enabled] or [None],
    }
    assert seen == {
        "accept": answers,
        "decline": answers,
        "cancel": cancels,
        "apply": applies,
        "decide": decides,
        "step": [step],
    }
    # What is shown is what the services allow: performing each action changes the request exactly
    # when its button is there.
    client.post(f"/workspace/requests/{r.proposal.pk}/accept/")
    client.post(f"/workspace/requests/{r.pending.pk}/decline/", {"reason": "too_early"})
    client.post(f"/workspace/requests/{r.accepted.pk}/cancel/")
    statuses = dict(MeetingRequest.objects.filter(event=salon).values_list("pk", "status"))
    assert (statuses[r.proposal.pk], statuses[r.pending.pk], statuses[r.accepted.pk]) == (
        "pending" if answers else "proposed",
        "declined" if answers else "pending",
        "cancelled" if cancels else "accepted",
    )
    registration = Registration.objects.get(event=salon, organization=owner.memberships.get().organization)
    login_organizer(client, organizer).post(
        f"/organize/salons/{salon.slug}/registrations/{registration.pk}/", {"status": "rejected"}
    )
    registration.refresh_from_db()
    assert registration.status == ("rejected" if decides else "approved")


def login_organizer(client, organizer):
    client.force_login(organizer.user)
    return client


@pytest.mark.django_db
def test_the_api_also_needs_a_note_for_the_reason_other(client, owner, three_requests):
    client.force_login(owner)
    english(client)
    url = f"/api/v1/requests/{three_requests.pending.pk}/decline/"
    refused = client.post(url, {"reason": "other"}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert (refused.status_code, refused.json()) == (
        400,
        {"note": ["Say in the note why you decline when the reason is “Other”."]},
    )
    done = client.post(url, {"reason": "other", "note": "Not this year"}, content_type="application/json")
    assert (done.status_code, done.json()["status"]) == (200, "declined")
