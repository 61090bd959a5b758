"""events.proposal_service: proposals stored for a salon, with coverage, quotas and exclusions."""

import datetime as dt
import io
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from events.models import MeetingRequest
from events.proposal_service import meeting_proposals_create
from matching import match_service
from tests.factories import (
    EventFactory,
    OrganizationFactory,
    PartneringNeedFactory,
    RegistrationFactory,
    StartupFactory,
    TechnologyOfferFactory,
)
from tests.matching.test_match_service import MODEL, embed


@pytest.fixture
def salon(db, settings, monkeypatch):
    """Two BD teams with a quota of 2 and three startups; only the text similarity differs."""
    settings.PROPOSALS_PER_STARTUP = 2
    monkeypatch.setattr(match_service, "get_backend", lambda: SimpleNamespace(model_name=MODEL))
    event = EventFactory(status="matching", meeting_quota=2, slug="osong-test")
    orgs = {}
    for name, vector in (("c1", [1, 0]), ("c2", [0, 1])):
        orgs[name] = OrganizationFactory(name_en=name)
        need = PartneringNeedFactory(organization=orgs[name], deal_types=["licensing"])
        embed(need, vector)
    for name, vector in (("s1", [1, 0]), ("s2", [0.9, 0.4359]), ("s3", [0.6, 0.8])):
        orgs[name] = StartupFactory(name_en=name)
        offer = TechnologyOfferFactory(organization=orgs[name])
        embed(offer, vector)
    # A registered startup with no approved offer: nothing to propose, not counted as uncovered.
    orgs["s4"] = StartupFactory(name_en="s4")
    TechnologyOfferFactory(organization=orgs["s4"], status="draft")
    for organization in orgs.values():
        RegistrationFactory(event=event, organization=organization, status="approved")
    return SimpleNamespace(event=event, orgs=orgs)


def proposed(event) -> set[str]:
    rows = MeetingRequest.objects.filter(event=event, status="proposed").select_related("startup", "corporate")
    assert all(r.origin == "proposal" and r.offer.organization_id == r.startup_id for r in rows)
    assert all(r.need.organization_id == r.corporate_id for r in rows)
    return {f"{r.startup.name_en}-{r.corporate.name_en}" for r in rows}


def test_every_startup_with_a_match_is_covered_within_quotas_and_total_score_is_maximal(salon):
    report = meeting_proposals_create(event=salon.event)
    # c1's two places go to its two closest startups; s3, whose best team is full, meets c2, and
    # c2's second place goes to the better remaining pair (s2 0.44 similar, s1 0).
    assert proposed(salon.event) == {"s1-c1", "s2-c1", "s2-c2", "s3-c2"}
    assert (report.proposals, report.startups_covered, report.startups_with_match, report.startups) == (4, 3, 3, 4)
    again = meeting_proposals_create(event=salon.event)  # re-running replaces, never duplicates
    assert again.proposals == 4 and MeetingRequest.objects.count() == 4


def test_declined_here_and_met_before_are_not_proposed_and_live_requests_hold_their_place(salon):
    s, o = salon, salon.orgs
    meeting_proposals_create(event=s.event)
    declined = MeetingRequest.objects.get(event=s.event, startup=o["s2"], corporate=o["c2"])
    declined.status, declined.decline_reason = "declined", "no_capacity"
    declined.requester, declined.recipient = o["s2"], o["c2"]
    declined.save()
    earlier = EventFactory(date=s.event.date - dt.timedelta(days=60))
    MeetingRequest.objects.create(
        event=earlier,
        offer=o["s1"].offers.get(),
        startup=o["s1"],
        corporate=o["c1"],
        origin="organizer",
        status="accepted",
    )
    report = meeting_proposals_create(event=s.event)
    assert proposed(s.event) == {"s2-c1", "s3-c1", "s1-c2", "s3-c2"}
    assert report.startups_covered == 3

    pending = MeetingRequest.objects.get(event=s.event, startup=o["s3"], corporate=o["c1"])
    pending.status, pending.requester, pending.recipient = "pending", o["s3"], o["c1"]
    pending.save()
    meeting_proposals_create(event=s.event)
    # s3's pending request to c1 stays as it is and takes one of s3's two places.
    assert proposed(s.event) == {"s2-c1", "s1-c2", "s3-c2"}


def test_the_propose_command_prints_coverage_and_total_score(salon):
    out = io.StringIO()
    call_command("propose", "--event", "osong-test", stdout=out)
    line = out.getvalue().strip()
    assert line.startswith(
        "osong-test: proposals: 4, startups covered: 3/3 (of 4 registered), BD teams: 2, candidate pairs: 6,"
    )


def test_a_proposal_about_a_confidential_need_is_anonymous(salon):
    salon.orgs["c2"].needs.update(is_confidential=True)
    meeting_proposals_create(event=salon.event)
    rows = MeetingRequest.objects.filter(event=salon.event).select_related("startup", "corporate")
    assert sorted((f"{r.startup.name_en}-{r.corporate.name_en}", r.anonymous) for r in rows) == [
        ("s1-c1", False),
        ("s2-c1", False),
        ("s2-c2", True),
        ("s3-c2", True),
    ]
