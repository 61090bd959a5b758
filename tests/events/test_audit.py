"""The audit log: approvals, lifecycle steps, proposal and scheduling runs, moves and locks,
disclosures and exports each leave one row with the actor, the organization and the time; a refused
action leaves none; organizers read the trail of their own salons only."""

from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.models import AuditEvent
from events import meeting_requests
from events.models import Meeting, MeetingRequest
from tests.events.test_organize_pages import login, scheduled_salon
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    PartneringNeedFactory,
    RegistrationFactory,
    StartupFactory,
    TechnologyOfferFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def trail(**filters):
    return list(
        AuditEvent.objects.filter(**filters)
        .order_by("pk")
        .values_list("action", "actor_email", "organization_id", "target_type", "details")
    )


def test_registration_review_and_lifecycle_step_are_recorded_with_the_organizer(client, organizer):
    event = scheduled_salon(organizer, schedule=False, slug="audit-a")
    pending = RegistrationFactory(event=event, organization=StartupFactory(), status="pending")
    web = login(client, organizer.user)
    web.post(f"/organize/salons/{event.slug}/registrations/{pending.pk}/", {"status": "approved"})
    web.post(f"/organize/salons/{event.slug}/transition/", {"action": "close_requests", "confirm": "yes"})
    email, org = organizer.user.email, organizer.organization.pk
    assert trail() == [
        ("registration.reviewed", email, org, "events.registration", {"status": "approved", "salon": event.pk}),
        (
            "salon.step",
            email,
            org,
            "events.event",
            {"step": "close_requests", "status": "scheduling", "salon": event.pk},
        ),
    ]
    row = AuditEvent.objects.get(action="salon.step")
    assert row.actor == organizer.user
    assert abs((timezone.now() - row.created_at).total_seconds()) < 60


def test_a_refused_step_leaves_no_trace(client, organizer):
    event = scheduled_salon(organizer, schedule=False, slug="audit-b")
    login(client, organizer.user).post(
        f"/organize/salons/{event.slug}/transition/", {"action": "publish", "confirm": "yes"}
    )
    event.refresh_from_db()
    assert event.status == "matching"
    assert AuditEvent.objects.count() == 0


def test_scheduling_run_started_on_the_control_page_names_the_organizer(
    client, organizer, django_capture_on_commit_callbacks
):
    event = scheduled_salon(organizer, schedule=False, slug="audit-c")
    event.status = "scheduling"
    event.save()
    web = login(client, organizer.user)
    with django_capture_on_commit_callbacks(execute=True):  # the task starts once the request commits
        started = web.post(f"/organize/salons/{event.slug}/runs/schedule/")
    assert started.status_code == 302
    assert trail(action="schedule.run") == [
        (
            "schedule.run",
            organizer.user.email,
            organizer.organization.pk,
            "events.event",
            {"requested": 3, "placed": 3, "changed": 3, "salon": event.pk},
        )
    ]


def test_moves_locks_and_exports_are_recorded(client, organizer):
    event = scheduled_salon(organizer, slug="audit-d")
    AuditEvent.objects.all().delete()  # the set-up's own scheduling run (no actor)
    meeting = Meeting.objects.filter(event=event, status="scheduled").order_by("pk").first()
    free = next(
        (slot, table)
        for slot in event.slots.order_by("index")
        for table in event.tables.order_by("number")
        if not Meeting.objects.filter(event=event, slot=slot, table=table).exists()
        and not Meeting.objects.filter(event=event, slot=slot, startup=meeting.startup).exists()
        and not Meeting.objects.filter(event=event, slot=slot, corporate=meeting.corporate).exists()
    )
    web = login(client, organizer.user)
    moved = web.post(
        f"/api/v1/meetings/{meeting.pk}/move/",
        {"slot": free[0].pk, "table": free[1].pk},
        content_type="application/json",
    )
    assert moved.status_code == 200, moved.content
    web.post(f"/organize/salons/{event.slug}/meetings/{meeting.pk}/lock/", {"locked": "0"})
    assert web.get(f"/salons/{event.slug}/schedule.xlsx").status_code == 200
    assert web.get(f"/salons/{event.slug}/schedule/").status_code == 200
    email, org = organizer.user.email, organizer.organization.pk
    assert trail() == [
        (
            "meeting.moved",
            email,
            org,
            "events.meeting",
            {"slot": free[0].pk, "table": free[1].pk, "salon": event.pk},
        ),
        ("meeting.locked", email, org, "events.meeting", {"locked": False, "salon": event.pk}),
        ("export", email, org, "events.event", {"format": "xlsx", "salon": event.pk}),
        ("export", email, org, "events.event", {"format": "print", "salon": event.pk}),
    ]


def test_a_refused_move_leaves_no_trace(client, organizer):
    event = scheduled_salon(organizer, slug="audit-e")
    AuditEvent.objects.all().delete()
    first, second = Meeting.objects.filter(event=event, status="scheduled").order_by("slot__index", "table__number")[:2]
    response = login(client, organizer.user).post(
        f"/api/v1/meetings/{second.pk}/move/",
        {"slot": first.slot_id, "table": first.table_id},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert AuditEvent.objects.count() == 0


def test_accepting_a_meeting_discloses_a_confidential_team_and_contacts(organizer):
    event = scheduled_salon(organizer, pairs=(), schedule=False, slug="audit-f")
    startup, corporate = StartupFactory(), OrganizationFactory()
    offer = TechnologyOfferFactory(organization=startup)
    PartneringNeedFactory(organization=corporate, is_confidential=True)
    for organization in (startup, corporate):
        RegistrationFactory(event=event, organization=organization, status="approved")
    founder, bd = UserFactory(email="founder@medivision.kr"), UserFactory(email="bd@globalmed.com")
    request = meeting_requests.meeting_request_create(
        event=event, requester=startup, offer=offer, corporate=corporate, user=founder, confirm_misfit=True
    )
    assert AuditEvent.objects.count() == 0  # asking discloses nothing
    meeting_requests.meeting_request_accept(meeting_request=request, organization=corporate, user=bd)
    details = {"corporate": corporate.pk, "startup": startup.pk, "salon": event.pk}
    assert trail() == [
        ("disclosure.identity", "bd@globalmed.com", corporate.pk, "events.meetingrequest", details),
        ("disclosure.contacts", "bd@globalmed.com", corporate.pk, "events.meetingrequest", details),
    ]
    meeting_requests.meeting_request_cancel(
        meeting_request=MeetingRequest.objects.get(pk=request.pk), organization=startup, user=founder
    )
    assert trail(action="meeting.cancelled") == [
        ("meeting.cancelled", "founder@medivision.kr", startup.pk, "events.meetingrequest", {"salon": event.pk})
    ]


def test_a_bd_team_request_discloses_only_a_confidential_identity(organizer):
    event = scheduled_salon(organizer, pairs=(), schedule=False, slug="audit-g")
    startup, open_team, secret_team = StartupFactory(), OrganizationFactory(), OrganizationFactory()
    offer = TechnologyOfferFactory(organization=startup)
    PartneringNeedFactory(organization=open_team)
    PartneringNeedFactory(organization=secret_team, is_confidential=True)
    for organization in (startup, open_team, secret_team):
        RegistrationFactory(event=event, organization=organization, status="approved")
    meeting_requests.meeting_request_create(event=event, requester=open_team, offer=offer, corporate=open_team)
    meeting_requests.meeting_request_create(event=event, requester=secret_team, offer=offer, corporate=secret_team)
    assert trail() == [
        (
            "disclosure.identity",
            "",
            secret_team.pk,
            "events.meetingrequest",
            {"corporate": secret_team.pk, "startup": startup.pk, "salon": event.pk},
        )
    ]


def test_organizers_read_the_trail_of_their_own_salons_only(client, organizer):
    mine = scheduled_salon(organizer, slug="audit-h")
    other_organizer = OrganizationFactory(kind="organizer", country="KR")
    theirs = scheduled_salon(SimpleNamespace(organization=other_organizer), slug="audit-i")
    login(client, organizer.user).get(f"/salons/{mine.slug}/schedule.xlsx")
    page = client.get("/organize/audit/")
    assert page.status_code == 200
    rows = page.context["page"].object_list
    assert [(row.action, row.details["salon"]) for row in rows] == [("export", mine.pk), ("schedule.run", mine.pk)]
    assert all(row.details["salon"] != theirs.pk for row in rows)
    body = page.content.decode()
    assert organizer.user.email in body and "Export downloaded" in body
    filtered = client.get("/organize/audit/", {"action": "schedule.run"})
    assert [row.action for row in filtered.context["page"].object_list] == ["schedule.run"]


def test_the_audit_page_is_404_for_everyone_but_organizers(client, db):
    startup_user = UserFactory()
    MembershipFactory(user=startup_user, organization=StartupFactory())
    assert client.get("/organize/audit/").status_code == 302
    client.force_login(startup_user)
    assert client.get("/organize/audit/").status_code == 404


def test_the_admin_shows_the_trail_read_only(client, organizer):
    scheduled_salon(organizer, slug="audit-j")
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    row = AuditEvent.objects.get()
    assert client.get("/admin/accounts/auditevent/").status_code == 200
    assert client.get("/admin/accounts/auditevent/add/").status_code == 403
    assert client.post(f"/admin/accounts/auditevent/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=row.pk).exists()
