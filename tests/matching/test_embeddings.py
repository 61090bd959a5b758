import json
import logging
from pathlib import Path

import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured

from matching import embeddings
from matching.concepts import ConceptIndex
from matching.embeddings import LexicalBackend, SentenceTransformerBackend, get_backend
from tests.matching.test_concepts import RECORDS
from tests.tiny_model import build_tiny_sentence_transformer

ROOT = Path(__file__).resolve().parents[2]


def seed_texts() -> list[str]:
    taxonomy = json.loads((ROOT / "seeds/data/taxonomy.json").read_text())
    demo = json.loads((ROOT / "seeds/data/demo.json").read_text())
    texts = [
        f"{c['name_ko']} {c['name_en']} {' '.join(c['synonyms_ko'] + c['synonyms_en'])}" for c in taxonomy["concepts"]
    ]
    texts += [f"{p['title']} {p['description']}" for p in demo["offers"] + demo["needs"]]
    return texts


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    return build_tiny_sentence_transformer(tmp_path_factory.mktemp("model"), seed_texts())


@pytest.fixture(autouse=True)
def _fresh_backends():
    embeddings.reset_backends()
    yield
    embeddings.reset_backends()


TEXTS = [
    "흉부 CT 폐결절 검출 AI",
    "Lung nodule detection AI for chest CT",
    "연속혈당측정기(CGM) 패치와 인슐린 펌프 연동",
    "Biliary stent for malignant obstruction",
    "망막 안저 영상 판독",
]


def test_the_sentence_transformers_backend_loads_a_local_model_and_encodes_normalised_batches(tiny_model_dir):
    backend = SentenceTransformerBackend(str(tiny_model_dir), batch_size=2)
    assert (backend.name, backend.model_name, backend.dimension) == ("sentence-transformers", str(tiny_model_dir), 32)
    vectors = backend.encode(TEXTS)
    assert vectors.shape == (5, 32)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), np.ones(5), atol=1e-5)
    one_by_one = np.vstack([backend.encode([text]) for text in TEXTS])
    np.testing.assert_allclose(vectors, one_by_one, atol=1e-5)
    np.testing.assert_array_equal(backend.encode(TEXTS), vectors)  # deterministic
    assert backend.encode([]).shape == (0, 32)


def test_the_sentence_transformers_backend_truncates_very_long_text(tiny_model_dir):
    backend = SentenceTransformerBackend(str(tiny_model_dir), batch_size=4)
    long_text = "폐결절 " * 12_500  # 50,000 characters
    vector = backend.encode([long_text])
    assert vector.shape == (1, 32)
    # Beyond max_seq_length (64 tokens) the text does not change the vector.
    np.testing.assert_allclose(vector, backend.encode(["폐결절 " * 200]), atol=1e-5)


def test_auto_uses_the_model_when_it_loads(settings, tiny_model_dir):
    settings.EMBEDDING_BACKEND = "auto"
    settings.EMBEDDING_MODEL = str(tiny_model_dir)
    assert get_backend().name == "sentence-transformers"


def test_auto_falls_back_to_lexical_with_one_warning_naming_the_cause_and_setting(settings, caplog, monkeypatch):
    monkeypatch.setattr(embeddings, "default_index", lambda: ConceptIndex.build(RECORDS))
    settings.EMBEDDING_BACKEND = "auto"
    settings.EMBEDDING_MODEL = "/nonexistent/model"
    with caplog.at_level(logging.WARNING, logger="matching.embeddings"):
        first = get_backend()
        second = get_backend()
    assert first is second and first.name == "lexical"
    warnings = [r.getMessage() for r in caplog.records if r.name == "matching.embeddings"]
    assert warnings == [
        "Embedding with the offline lexical backend: '/nonexistent/model' is neither a local folder nor in the "
        "local Hugging Face cache (models are not downloaded at run time) [HFValidationError]. Set EMBEDDING_MODEL "
        "to a local model folder (or EMBEDDING_BACKEND=lexical to silence this warning)."
    ]


def test_the_explicit_model_backend_fails_clearly_instead_of_falling_back(settings):
    settings.EMBEDDING_BACKEND = "sentence-transformers"
    settings.EMBEDDING_MODEL = "/nonexistent/model"
    with pytest.raises(ImproperlyConfigured) as excinfo:
        get_backend()
    assert str(excinfo.value).startswith(
        "EMBEDDING_BACKEND=sentence-transformers but '/nonexistent/model' is neither a local folder"
    )
    assert str(excinfo.value).endswith("or EMBEDDING_BACKEND=auto to fall back to the offline lexical backend.")


def test_the_lexical_backend_puts_a_korean_text_next_to_its_english_twin():
    backend = LexicalBackend(ConceptIndex.build(RECORDS))
    assert backend.dimension == 5 + 4 + 256 + 1024
    assert backend.model_name.startswith("lexical-v1-")
    vectors = backend.encode(TEXTS)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), np.ones(5), atol=1e-5)
    similarity = vectors @ vectors.T
    # The Korean lung-nodule text is closest to the English lung-nodule text.
    assert int(np.argsort(-similarity[0])[1]) == 1
    assert similarity[0, 1] > 0.6 > similarity[0, 3]
    assert backend.encode([]).shape == (0, backend.dimension)
    assert np.linalg.norm(backend.encode([""])) == 0.0
