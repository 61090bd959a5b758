import pytest

from matching.concepts import ConceptIndex, ConceptRecord
from matching.text import noun_runs, stem_latin, tokenize

RECORDS = [
    ConceptRecord("imaging.lung_nodule", "imaging", "폐결절", "lung nodule", ("폐 결절",), ("pulmonary nodule",)),
    ConceptRecord("imaging.chest_ct", "imaging", "흉부 CT", "chest CT", ("흉부 컴퓨터단층촬영",), ("thoracic CT",)),
    ConceptRecord(
        "diabetes_metabolic.cgm",
        "diabetes_metabolic",
        "연속혈당측정",
        "continuous glucose monitoring",
        ("연속 혈당 측정",),
        ("CGM",),
    ),
    ConceptRecord(
        "gi_endoscopy.biliary_stent", "gi_endoscopy", "담도 스텐트", "biliary stent", (), ("bile duct stent",)
    ),
    ConceptRecord("ophthalmology.retina", "ophthalmology", "망막", "retina", (), ("retinal",)),
]


@pytest.fixture(scope="module")
def index():
    return ConceptIndex.build(RECORDS)


def test_it_stems_english_plurals_lightly():
    assert [stem_latin(w) for w in ["nodules", "stents", "therapies", "glass", "status", "ct"]] == [
        "nodule",
        "stent",
        "therapy",
        "glass",
        "status",
        "ct",
    ]


def test_it_tokenises_korean_and_latin_in_one_pass():
    tokens = tokenize("흉부 CT에서 폐결절을 검출합니다 (FDA 510(k))")
    assert [t.text for t in tokens] == ["흉부", "ct", "폐", "결절", "검출", "fda", "510", "k"]
    assert [t.hangul for t in tokens] == [True, False, True, True, True, False, False, False]


def test_it_joins_korean_noun_runs_for_compounds():
    assert noun_runs(tokenize("연속 혈당 측정기와 인슐린 펌프")) == ["연속혈당측정기", "인슐린펌프"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("저선량 흉부 CT에서 폐결절을 자동 검출", {"imaging.chest_ct", "imaging.lung_nodule"}),
        ("폐 결절 검출", {"imaging.lung_nodule"}),  # spacing variant
        ("AI for pulmonary nodules on chest CT scans", {"imaging.lung_nodule", "imaging.chest_ct"}),
        ("연속혈당측정기(CGM) 패치", {"diabetes_metabolic.cgm"}),  # compound inside a longer noun
        ("Our CGM sensor lasts 14 days", {"diabetes_metabolic.cgm"}),
        ("담도 스텐트 및 bile duct stents", {"gi_endoscopy.biliary_stent"}),
        ("retinal fundus images", {"ophthalmology.retina"}),
        ("망막 안저 영상", {"ophthalmology.retina"}),
        ("A chest strap for athletes", set()),  # "chest" alone is not "chest CT"
        ("", set()),
    ],
)
def test_it_extracts_the_same_concepts_from_korean_and_english(index, text, expected):
    assert index.extract(text) == expected
