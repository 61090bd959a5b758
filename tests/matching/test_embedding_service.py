import numpy as np
import pytest
from django.core.management import call_command

from matching import embedding_service, embeddings
from matching.concepts import ConceptIndex
from matching.embedding_service import embed_profiles, stale_ids, vector_of
from matching.embeddings import LexicalBackend
from matching.models import Embedding, TechnologyOffer
from matching.services import offer_create, offer_update
from tests.factories import PartneringNeedFactory, StartupFactory, TechnologyOfferFactory
from tests.matching.test_concepts import RECORDS


class CountingBackend(LexicalBackend):
    """The lexical backend, counting model calls and texts encoded."""

    def __init__(self):
        super().__init__(ConceptIndex.build(RECORDS))
        self.calls = 0
        self.texts = 0

    def encode(self, texts, *, kind="need"):
        self.calls += 1
        self.texts += len(texts)
        return super().encode(texts, kind=kind)


@pytest.fixture
def backend(monkeypatch):
    counting = CountingBackend()
    monkeypatch.setattr(embedding_service, "get_backend", lambda: counting)
    monkeypatch.setattr(embeddings, "get_backend", lambda **_: counting)
    return counting


@pytest.mark.django_db
def test_it_embeds_each_profile_once_and_never_re_embeds_unchanged_text(backend):
    offers = TechnologyOfferFactory.create_batch(5)
    ids = [offer.pk for offer in offers]
    first = embed_profiles(kind="offer", ids=ids, batch_size=2)
    assert (first.embedded, first.unchanged, first.missing) == (5, 0, 0)
    assert (backend.calls, backend.texts) == (3, 5)  # batches of 2, 2, 1

    again = embed_profiles(kind="offer", ids=ids + [999_999])
    assert (again.embedded, again.unchanged, again.missing) == (0, 5, 1)
    assert (backend.calls, backend.texts) == (3, 5)  # zero model calls
    assert Embedding.objects.count() == 5


@pytest.mark.django_db
def test_a_changed_text_is_re_embedded_in_place(backend):
    offer, other = TechnologyOfferFactory.create_batch(2)
    embed_profiles(kind="offer", ids=[offer.pk, other.pk])
    before = vector_of(Embedding.objects.get(offer=offer))
    TechnologyOffer.objects.filter(pk=offer.pk).update(description="Lung nodule detection on chest CT.")
    assert stale_ids(kind="offer", backend=backend) == [offer.pk]
    result = embed_profiles(kind="offer", ids=[offer.pk, other.pk])
    assert (result.embedded, result.unchanged) == (1, 1)
    row = Embedding.objects.get(offer=offer)
    assert Embedding.objects.filter(offer=offer).count() == 1
    assert row.text_hash == embeddings.text_hash(
        embedding_service.embedding_text(offer.title, "Lung nodule detection on chest CT.")
    )
    assert not np.allclose(vector_of(row), before)
    np.testing.assert_allclose(np.linalg.norm(vector_of(row)), 1.0, atol=1e-6)


@pytest.mark.django_db
def test_offers_and_needs_are_embedded_separately(backend):
    offer = TechnologyOfferFactory()
    need = PartneringNeedFactory()
    embed_profiles(kind="offer", ids=[offer.pk])
    embed_profiles(kind="need", ids=[need.pk])
    assert set(Embedding.objects.values_list("offer_id", "need_id")) == {(None, need.pk), (offer.pk, None)}
    assert stale_ids(kind="offer", backend=backend) == []
    assert stale_ids(kind="need", backend=backend) == []


@pytest.mark.django_db(transaction=True)
def test_saving_through_the_service_embeds_after_commit(backend):
    # Embedded default: tasks run in-process, on commit.
    offer = offer_create(
        organization=StartupFactory(),
        title="폐결절 검출 AI",
        description="흉부 CT 폐결절 검출",
        stage="clinical",
        deal_types=["licensing"],
        target_regions=["US"],
    )
    assert Embedding.objects.filter(offer=offer).count() == 1
    assert backend.texts == 1
    offer_update(offer=offer, stage="approved_kr")  # same text: no model call
    assert backend.texts == 1
    offer_update(offer=offer, description="흉부 CT 폐결절 및 폐기종 검출")
    assert backend.texts == 2
    assert Embedding.objects.filter(offer=offer).count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_invalid_save_is_refused_and_queues_nothing(backend):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        offer_create(
            organization=StartupFactory(),
            title="",
            description="",
            stage="clinical",
            deal_types=["licensing"],
            target_regions=["US"],
        )
    assert (TechnologyOffer.objects.count(), Embedding.objects.count(), backend.calls) == (0, 0, 0)


@pytest.mark.django_db
def test_the_embed_command_reports_counts(backend, capsys):
    TechnologyOfferFactory.create_batch(3)
    PartneringNeedFactory.create_batch(2)
    call_command("embed", "--missing", "--batch-size", "2", verbosity=0)
    assert capsys.readouterr().out.splitlines()[-1] == "embedded: 5, skipped unchanged: 0, failed: 0"
    call_command("embed", "--all", verbosity=0)
    assert capsys.readouterr().out.splitlines()[-1] == "embedded: 0, skipped unchanged: 5, failed: 0"
    call_command("embed", verbosity=0)
    assert capsys.readouterr().out.splitlines()[-1] == "embedded: 0, skipped unchanged: 5, failed: 0"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("description", "korean", "english"),
    [
        ("", "이 필드는 빈 칸으로 둘 수 없습니다.", "This field cannot be blank."),
        (
            "가" * 50_000,
            "이 값이 최대 10000 개의 글자인지 확인하세요(입력값 50000 자).",
            "Ensure this value has at most 10000 characters (it has 50000).",
        ),
    ],
)
def test_empty_or_huge_descriptions_are_refused_with_a_clear_message(backend, description, korean, english):
    from django.core.exceptions import ValidationError
    from django.utils import translation

    for language, expected in (("ko", korean), ("en", english)):
        with translation.override(language):
            with pytest.raises(ValidationError) as excinfo:
                offer_create(
                    organization=StartupFactory(),
                    title="폐결절 AI",
                    description=description,
                    stage="clinical",
                    deal_types=["licensing"],
                    target_regions=["US"],
                )
            assert excinfo.value.message_dict["description"] == [expected]
    assert (TechnologyOffer.objects.count(), backend.calls) == (0, 0)
