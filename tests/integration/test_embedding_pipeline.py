"""The embedding pipeline with a real Redis and real Celery worker processes."""

import pytest

from accounts.models import User
from matching.embedding_service import embedding_text, text_hash
from matching.models import Embedding, TechnologyOffer
from matching.services import offer_create
from matching.tasks import embed_profiles
from tests.factories import StartupFactory, TechnologyOfferFactory
from tests.integration.conftest import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def embedded_offer_ids() -> list[int]:
    return list(Embedding.objects.filter(offer__isnull=False).values_list("offer_id", flat=True))


def test_two_hundred_saved_offers_are_each_embedded_exactly_once(broker, worker, taxonomy):
    startup = StartupFactory()
    offers = [
        offer_create(
            organization=startup,
            title=f"흉부 CT 폐결절 검출 AI {n}",
            description=f"저선량 흉부 CT 판독 보조 {n}",
            stage="clinical",
            deal_types=["licensing"],
            target_regions=["US"],
        )
        for n in range(200)
    ]
    worker.start()
    wait_until(lambda: len(embedded_offer_ids()) == 200, timeout=120, what="200 embeddings", worker=worker)
    ids = embedded_offer_ids()
    assert sorted(ids) == sorted(offer.pk for offer in offers)
    assert worker.encoded_texts() == 200  # each text went through the model exactly once
    # A second round of the same tasks finds nothing to do.
    for offer in offers[:20]:
        embed_profiles.delay("offer", [offer.pk])
    wait_until(lambda: worker.calls() == 200 and _queue_empty(broker), timeout=60, what="idle worker")
    assert (Embedding.objects.count(), worker.encoded_texts()) == (200, 200)


def _queue_empty(redis) -> bool:
    import redis as redis_client

    return redis_client.Redis.from_url(redis.url).llen("celery") == 0


def test_a_worker_killed_mid_batch_loses_nothing_and_duplicates_nothing(broker, worker, taxonomy):
    offers = TechnologyOfferFactory.create_batch(60)  # factories save without queueing
    ids = [offer.pk for offer in offers]
    for start in range(0, 60, 10):
        embed_profiles.delay("offer", ids[start : start + 10])
    worker.start(slow_seconds=1.5)
    # The second model call has begun: batch 1 is saved, batch 2 is in the middle of encoding.
    wait_until(lambda: worker.calls() == 2, timeout=60, what="the second batch to start", worker=worker)
    worker.kill()
    assert len(embedded_offer_ids()) == 10
    worker.start()  # the unacknowledged batch is delivered again after the visibility timeout
    wait_until(lambda: len(embedded_offer_ids()) == 60, timeout=90, what="all 60 embeddings", worker=worker)
    assert sorted(embedded_offer_ids()) == sorted(ids)
    assert Embedding.objects.count() == 60
    for offer in offers:
        row = Embedding.objects.get(offer=offer)
        assert row.text_hash == text_hash(embedding_text(offer.title, offer.description))


def test_saves_succeed_while_redis_is_down_and_the_sweep_embeds_them_later(broker, worker, taxonomy, client):
    admin = User.objects.create_superuser("organizer@example.com", "correct horse battery")
    client.force_login(admin)
    startup = StartupFactory()
    broker.stop()
    for n in range(3):
        response = client.post(
            "/admin/matching/technologyoffer/add/",
            {
                "organization": startup.pk,
                "title": f"웨어러블 심전도 패치 {n}",
                "description": "단일 유도 심전도 패치로 14일간 부정맥을 모니터링합니다.",
                "stage": "approved_kr",
                "deal_types": '["distribution"]',
                "target_regions": '["SEA"]',
                "status": "submitted",
                "approvals-TOTAL_FORMS": "0",
                "approvals-INITIAL_FORMS": "0",
                "approvals-MIN_NUM_FORMS": "0",
                "approvals-MAX_NUM_FORMS": "1000",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    assert TechnologyOffer.objects.count() == 3
    assert Embedding.objects.count() == 0
    broker.start()  # same port, empty: the messages were never sent
    worker.start(beat=True, sweep_seconds=2)
    wait_until(lambda: len(embedded_offer_ids()) == 3, timeout=90, what="the sweep to embed 3 offers", worker=worker)
    assert sorted(embedded_offer_ids()) == sorted(TechnologyOffer.objects.values_list("pk", flat=True))
