"""Editing an approved offer's text: it stays approved, is re-embedded, and its matches are the ones
a full re-score from scratch would give (no stale score survives the edit)."""

import pytest

from matching import embedding_service
from matching.match_service import recompute_matches
from matching.models import Embedding, Match
from matching.services import offer_update
from tests.factories import OrganizationFactory, PartneringNeedFactory, TechnologyOfferFactory

CARDIAC = (
    "ECG arrhythmia detection on a wearable patch: atrial fibrillation screening with a single-lead ECG "
    "and cardiology telemonitoring."
)


def best_need(offer):
    return Match.objects.filter(offer=offer).order_by("-score").values_list("need_id", flat=True)[0]


def scores():
    return {(m.offer_id, m.need_id): (m.score, m.components) for m in Match.objects.order_by("offer_id", "need_id")}


@pytest.fixture
def world(db, settings):
    settings.MATCHES_PER_OFFER = 1
    settings.MATCHES_PER_NEED = 5
    lung = PartneringNeedFactory(organization=OrganizationFactory(), regions=["US"], deal_types=["licensing"])
    cardiac = PartneringNeedFactory(
        organization=OrganizationFactory(),
        title="Wearable ECG arrhythmia monitoring",
        description=CARDIAC,
        regions=["US"],
        deal_types=["licensing"],
    )
    offer = TechnologyOfferFactory()  # approved, the factory's chest-CT lung nodule text
    others = TechnologyOfferFactory.create_batch(2)
    for kind, ids in (("need", [lung.pk, cardiac.pk]), ("offer", [offer.pk, *(o.pk for o in others)])):
        embedding_service.embed_profiles(kind=kind, ids=ids)
    recompute_matches()
    return lung, cardiac, offer


def test_an_edited_approved_offer_is_re_embedded_and_re_scored_like_a_fresh_run(
    world, django_capture_on_commit_callbacks
):
    lung, cardiac, offer = world
    assert best_need(offer) == lung.pk  # its best need before the edit
    old_vector = Embedding.objects.get(offer=offer).vector

    with django_capture_on_commit_callbacks(execute=True):
        offer_update(offer=offer, title="Wearable ECG patch", description=CARDIAC)

    offer.refresh_from_db()
    assert offer.status == "approved"
    assert Embedding.objects.get(offer=offer).vector != old_vector
    assert best_need(offer) == cardiac.pk  # the saved text's best need now
    after_edit = scores()
    Match.objects.all().delete()
    recompute_matches()  # from scratch
    assert scores() == after_edit
