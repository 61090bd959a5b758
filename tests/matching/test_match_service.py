"""matching.match_service on the database: whole-matrix and row/column recomputation, exact scores."""

import io
from types import SimpleNamespace

import numpy as np
import pytest
from django.core.management import call_command

from events import meeting_requests
from matching import match_service
from matching.match_service import recompute_matches
from matching.models import Concept, Embedding, Match, RegulatoryApproval
from tests.factories import (
    ConceptFactory,
    DeviceAreaFactory,
    EventFactory,
    OrganizationFactory,
    PartneringNeedFactory,
    RegistrationFactory,
    StartupFactory,
    TechnologyOfferFactory,
)

MODEL = "test/two-dimensional"


def embed(owner, vector):
    kind = "offer" if owner._meta.model_name == "technologyoffer" else "need"
    vector = np.asarray(vector, dtype="<f4")
    Embedding.objects.create(
        **{kind: owner},
        backend="test",
        model_name=MODEL,
        dimension=len(vector),
        vector=vector.tobytes(),
        text_hash="-",
    )


@pytest.fixture
def world(db, settings, monkeypatch):
    """Two needs and four offers whose scores are worked out by hand in the tests below.

    Concepts A and B are each on three profiles, so they weigh the same and the concept
    component is a plain Dice overlap."""
    settings.MATCHES_PER_OFFER = 1
    settings.MATCHES_PER_NEED = 1
    monkeypatch.setattr(match_service, "get_backend", lambda: SimpleNamespace(model_name=MODEL))
    area = DeviceAreaFactory()
    a = ConceptFactory(code="imaging.lung_nodule", area=area, name_ko="폐결절", name_en="lung nodule")
    b = ConceptFactory(code="imaging.chest_ct", area=area, name_ko="흉부 CT", name_en="chest CT")
    n1 = PartneringNeedFactory(
        organization=OrganizationFactory(),
        stage_min="clinical",
        stage_max="marketed",
        deal_types=["licensing"],
        regions=["US"],
    )
    n2 = PartneringNeedFactory(
        organization=OrganizationFactory(),
        stage_min="concept",
        stage_max="preclinical",
        deal_types=["investment"],
        regions=["KR"],
    )
    o1 = TechnologyOfferFactory(stage="clinical", deal_types=["licensing"], target_regions=["US"])
    o2 = TechnologyOfferFactory(stage="prototype", deal_types=["investment"], target_regions=["KR"])
    o3 = TechnologyOfferFactory(stage="preclinical", deal_types=["licensing", "investment"], target_regions=["GLOBAL"])
    draft = TechnologyOfferFactory(status="draft", organization=StartupFactory())
    RegulatoryApproval.objects.create(offer=o1, market="US", pathway="fda_510k", status="granted")
    for owner, concepts, vector in (
        (n1, [a], [1, 0]),
        (n2, [b], [0, 1]),
        (o1, [a], [1, 0]),
        (o2, [b], [0, 1]),
        (o3, [a, b], [0.6, 0.8]),
        (draft, [], [1, 0]),
    ):
        owner.concepts.set(concepts)
        embed(owner, vector)
    return SimpleNamespace(n1=n1, n2=n2, o1=o1, o2=o2, o3=o3, draft=draft, a=a, b=b)


def stored():
    return {(m.offer_id, m.need_id): round(m.score, 4) for m in Match.objects.all()}


def test_the_whole_matrix_keeps_each_sides_best_with_exact_scores(world):
    w = world
    report = recompute_matches()
    assert (report.offers, report.needs, report.eligible_pairs, report.stored) == (3, 2, 6, 3)
    # o1–n1: everything fits → 1. o2–n2: regulatory only at the pre-approval floor (0.5) → 0.95.
    # o3–n2: semantic 0.8, Dice 2/3, stage, floor 0.5, deals and regions → 0.7967; it is o3's
    # best (o3–n1 scores 0.6517: 0.6, 2/3, one stage early 0.5, 0.5, 1, 1).
    assert stored() == {(w.o1.pk, w.n1.pk): 1.0, (w.o2.pk, w.n2.pk): 0.95, (w.o3.pk, w.n2.pk): 0.7967}
    match = Match.objects.get(offer=w.o3, need=w.n2)
    assert match.components == {
        "semantic": 0.8,
        "concepts": 0.6667,
        "stage": 1.0,
        "regulatory": 0.5,
        "deal_types": 1.0,
        "regions": 1.0,
    }
    assert match.model_name == MODEL
    assert match.explanation["ko"]["fits"] == [
        "두 설명이 밀접하게 관련된 기술을 다룸",  # semantic 0.8
        "공통 개념: 흉부 CT",
        "전임상 단계 — 요구 범위(개념 단계~전임상) 안",
        "공통 거래 유형: 투자",
    ]
    assert match.explanation["en"]["misfits"] == []


def test_a_changed_offer_recomputes_its_row_only(world):
    w = world
    recompute_matches()
    untouched = Match.objects.get(offer=w.o1).computed_at
    type(w.o2).objects.filter(pk=w.o2.pk).update(stage="clinical")  # now one stage after n2's range
    report = recompute_matches(offer_ids=[w.o2.pk])
    assert report.stored == 1
    assert stored() == {(w.o1.pk, w.n1.pk): 1.0, (w.o2.pk, w.n2.pk): 0.875, (w.o3.pk, w.n2.pk): 0.7967}
    assert Match.objects.get(offer=w.o1).computed_at == untouched
    assert Match.objects.get(offer=w.o2).explanation["en"]["misfits"] == [
        "Too late: Clinical, the need asks for Preclinical at the latest"
    ]

    type(w.o3).objects.filter(pk=w.o3.pk).update(status="archived")
    assert recompute_matches(offer_ids=[w.o3.pk]).stored == 0
    assert stored() == {(w.o1.pk, w.n1.pk): 1.0, (w.o2.pk, w.n2.pk): 0.875}


def test_a_changed_offer_enters_a_needs_list_when_it_beats_the_stored_last(world):
    w = world
    recompute_matches()
    # o3 now fits n1 better than anything: it is n1's best even though n2 stays o3's own best.
    type(w.o1).objects.filter(pk=w.o1.pk).update(status="archived")
    recompute_matches(offer_ids=[w.o1.pk])
    recompute_matches(offer_ids=[w.o3.pk])
    assert stored() == {(w.o2.pk, w.n2.pk): 0.95, (w.o3.pk, w.n2.pk): 0.7967, (w.o3.pk, w.n1.pk): 0.6517}


def test_a_closed_need_loses_its_column(world):
    w = world
    recompute_matches()
    type(w.n2).objects.filter(pk=w.n2.pk).update(status="closed")
    recompute_matches(need_ids=[w.n2.pk])
    assert stored() == {(w.o1.pk, w.n1.pk): 1.0}


def test_the_match_command_prints_its_counts(world):
    out = io.StringIO()
    call_command("match", stdout=out, stderr=io.StringIO())
    assert out.getvalue().strip() == "offers: 3, needs: 2, eligible pairs: 6, matches stored: 3"
    assert Concept.objects.count() == 2


@pytest.fixture
def declines(db, settings, monkeypatch):
    """One need and offers that differ in stage, concepts and semantic similarity; a salon where the
    need's BD team answers requests."""
    settings.MATCHES_PER_OFFER = 5
    settings.MATCHES_PER_NEED = 10
    monkeypatch.setattr(match_service, "get_backend", lambda: SimpleNamespace(model_name=MODEL))
    area = DeviceAreaFactory()
    a = ConceptFactory(code="imaging.lung_nodule", area=area, name_ko="폐결절", name_en="lung nodule")
    b = ConceptFactory(code="imaging.chest_ct", area=area, name_ko="흉부 CT", name_en="chest CT")
    event = EventFactory(status="open")
    need = PartneringNeedFactory(stage_min="preclinical", stage_max="marketed", deal_types=["licensing"])
    RegistrationFactory(event=event, organization=need.organization, status="approved")
    need.concepts.set([a, b])
    embed(need, [1, 0])
    offers = {}
    for name, stage, concepts, vector in (
        ("early", "prototype", [a], [1, 0]),  # best text, one stage too early
        ("ready", "preclinical", [a], [0.75, 0.6614]),
        ("ct", "clinical", [b], [1, 0]),  # best text, shares only concept b
        ("nodule", "clinical", [a], [0.85, 0.5268]),
        ("declined_early", "prototype", [a], [0, 1]),
        ("declined_focus", "clinical", [b], [0, 1]),
    ):
        offer = TechnologyOfferFactory(stage=stage, deal_types=["licensing"], target_regions=["EU"])
        offer.concepts.set(concepts)
        embed(offer, vector)
        RegistrationFactory(event=event, organization=offer.organization, status="approved")
        offers[name] = offer
    return SimpleNamespace(event=event, need=need, offers=offers)


def ranking(d) -> list[str]:
    names = {offer.pk: name for name, offer in d.offers.items()}
    return [names[pk] for pk in Match.objects.filter(need=d.need).order_by("-score").values_list("offer_id", flat=True)]


def decline_request(d, name, reason):
    # The too-early startup is warned first ("너무 이른 단계 …") and sends anyway.
    request = meeting_requests.meeting_request_create(
        event=d.event, requester=d.offers[name].organization, offer=d.offers[name], need=d.need, confirm_misfit=True
    )
    meeting_requests.meeting_request_decline(meeting_request=request, organization=d.need.organization, reason=reason)


def test_a_too_early_decline_ranks_that_stage_and_earlier_lower(declines):
    d = declines
    recompute_matches()
    assert ranking(d) == ["ct", "nodule", "early", "ready", "declined_focus", "declined_early"]
    decline_request(d, "declined_early", "too_early")
    recompute_matches()
    # The prototype loses half its (already halved) stage fit and falls behind the preclinical
    # offer; the declined offer itself is never shown to this need again.
    assert ranking(d) == ["ct", "nodule", "ready", "early", "declined_focus"]
    assert Match.objects.get(offer=d.offers["early"]).components["stage"] == 0.25


def test_a_not_our_focus_decline_lowers_that_offers_concepts_for_the_need(declines):
    d = declines
    decline_request(d, "declined_focus", "not_focus_area")
    recompute_matches()
    # Concept b counts half for this need now: the offer sharing only b falls from first to third,
    # behind offers sharing a whose text is less close.
    assert ranking(d) == ["nodule", "early", "ct", "ready", "declined_early"]
    decline_request(d, "early", "no_capacity")  # a decline for lack of capacity teaches nothing…
    recompute_matches()
    assert ranking(d) == ["nodule", "ct", "ready", "declined_early"]  # …but blocks the pair
