"""``manage.py rank``: rankings of profiles given as JSON, without the database.

No test here is marked ``django_db``: pytest-django makes any database query fail, so every test
that runs the command also proves that it does not touch the database."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from matching.concepts import records_from_database
from matching.scoring import COMPONENTS

OFFERS = [
    {
        "id": "K-1",
        "title": "흉부 CT 폐결절 자동 검출 AI",
        "description": "흉부 CT 영상에서 폐결절을 자동으로 검출하고 크기를 측정하는 딥러닝 소프트웨어입니다.",
        "stage": "clinical",
        "deal_types": ["licensing", "distribution"],
        "regions": ["US", "JP"],
        "areas": ["imaging"],
    },
    {
        "id": "K-2",
        "title": "연속혈당측정 패치",
        "description": "피부에 부착하는 연속혈당측정기와 인슐린 펌프 연동 앱을 개발했습니다.",
        "stage": "prototype",
        "deal_types": ["co_development"],
        "regions": ["EU"],
    },
]
NEEDS = [
    {
        "id": "N-B",
        "title": "Continuous glucose monitoring partner",
        "description": "Seeking a continuous glucose monitor that pairs with our insulin pump, for co-development "
        "in Europe.",
        "stage_min": "prototype",
        "stage_max": "clinical",
        "deal_types": ["co_development", "pilot"],
        "regions": ["EU"],
        "areas": ["diabetes_metabolic"],
    },
    {
        "id": "N-A",
        "title": "Lung nodule detection on chest CT",
        "description": "We look for an AI that detects lung nodules on chest CT to license for our PACS in the US.",
        "stage_min": "preclinical",
        "stage_max": "approved_kr",
        "deal_types": ["licensing"],
        "regions": ["US"],
    },
]


@pytest.fixture(autouse=True)
def _lexical(settings):
    settings.EMBEDDING_BACKEND = "lexical"


def write_input(tmp_path, data, name="input.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def rank(path: str, **options) -> str:
    out = io.StringIO()
    call_command("rank", input=path, stdout=out, **options)
    return out.getvalue()


def rank_error(path: str, **options) -> CommandError:
    # English, whatever the Korean catalog says once these messages are translated.
    with translation.override("en"), pytest.raises(CommandError) as caught:
        rank(path, **options)
    return caught.value


def test_the_database_is_out_of_reach_here():
    # What makes every other test's "no database" claim hold: the default index reads the database.
    with pytest.raises(RuntimeError, match="Database access not allowed"):
        records_from_database()


def test_it_ranks_each_side_best_first_with_components_and_explanations(tmp_path):
    result = json.loads(rank(write_input(tmp_path, {"offers": OFFERS, "needs": NEEDS})))

    assert {offer: [e["need_id"] for e in entries] for offer, entries in result["offers"].items()} == {
        "K-1": ["N-A", "N-B"],
        "K-2": ["N-B", "N-A"],
    }
    assert {need: [e["offer_id"] for e in entries] for need, entries in result["needs"].items()} == {
        "N-B": ["K-2", "K-1"],
        "N-A": ["K-1", "K-2"],
    }
    best = result["offers"]["K-1"][0]
    assert list(best) == ["need_id", "score", "components", "explanation"]
    assert list(best["components"]) == list(COMPONENTS)
    assert {name: best["components"][name] for name in ("stage", "regulatory", "deal_types", "regions")} == {
        "stage": 1.0,
        "regulatory": 0.5,  # no approvals in the input; the need also accepts stages before approval
        "deal_types": 1.0,
        "regions": 1.0,
    }
    assert best["components"]["concepts"] > 0
    assert best["explanation"] == {
        "ko": {
            "fits": [
                "두 설명이 밀접하게 관련된 기술을 다룸",
                "공통 개념: 컴퓨터단층촬영, 폐결절",
                "임상 단계 — 요구 범위(전임상~국내 허가) 안",
                "공통 거래 유형: 라이선싱",
            ],
            "misfits": [],
        },
        "en": {
            "fits": [
                "The descriptions are about closely related technology",
                "Shared concepts: computed tomography, lung nodule",
                "Clinical — within the requested range (Preclinical to Approved in Korea)",
                "Deal types in common: Licensing",
            ],
            "misfits": [],
        },
    }
    assert result["needs"]["N-A"][0] == {"offer_id": "K-1", **{k: v for k, v in best.items() if k != "need_id"}}

    worst = result["offers"]["K-2"][1]
    assert worst["components"]["concepts"] == 0.0
    assert worst["explanation"]["ko"]["misfits"] == [
        "두 설명이 서로 다른 기술을 다룸",
        "기기 분야가 다름: 기술은 당뇨·대사, 체외진단, 수요는 영상진단·영상 AI 분야",
        "공통 분류 개념 없음",
        "너무 이른 단계: 시제품, 요구 범위는 전임상 이후",
        "공통 거래 유형 없음 (수요 측 거래 유형: 라이선싱)",
        "공통 목표 지역 없음 (수요 측 지역: 미국)",
    ]
    scores = [entry["score"] for entry in result["offers"]["K-2"]]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[1]


def test_equal_scores_are_ordered_by_id(tmp_path):
    twins = [dict(NEEDS[1], id="N-2"), dict(NEEDS[1], id="N-1")]
    result = json.loads(rank(write_input(tmp_path, {"offers": OFFERS[:1], "needs": twins})))
    first, second = result["offers"]["K-1"]
    assert (first["need_id"], second["need_id"]) == ("N-1", "N-2")
    assert first["score"] == second["score"]


def test_top_limits_every_list(tmp_path):
    result = json.loads(rank(write_input(tmp_path, {"offers": OFFERS, "needs": NEEDS}), top=1))
    assert {offer: [e["need_id"] for e in entries] for offer, entries in result["offers"].items()} == {
        "K-1": ["N-A"],
        "K-2": ["N-B"],
    }
    assert {need: [e["offer_id"] for e in entries] for need, entries in result["needs"].items()} == {
        "N-B": ["K-2"],
        "N-A": ["K-1"],
    }


def test_csv_has_one_row_per_side_id_and_rank(tmp_path):
    rows = list(csv.reader(io.StringIO(rank(write_input(tmp_path, {"offers": OFFERS, "needs": NEEDS}), format="csv"))))
    assert rows[0] == [
        "side",
        "id",
        "rank",
        "counterpart_id",
        "score",
        "semantic",
        "concepts",
        "stage",
        "regulatory",
        "deal_types",
        "regions",
        "fits_ko",
        "misfits_ko",
        "fits_en",
        "misfits_en",
    ]
    assert len(rows) == 1 + 2 * 2 + 2 * 2
    assert [row[:4] for row in rows[1:]] == [
        ["offer", "K-1", "1", "N-A"],
        ["offer", "K-1", "2", "N-B"],
        ["offer", "K-2", "1", "N-B"],
        ["offer", "K-2", "2", "N-A"],
        ["need", "N-B", "1", "K-2"],
        ["need", "N-B", "2", "K-1"],
        ["need", "N-A", "1", "K-1"],
        ["need", "N-A", "2", "K-2"],
    ]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert (first["stage"], first["deal_types"], first["regions"]) == ("1.0", "1.0", "1.0")
    assert (
        first["fits_ko"] == "두 설명이 밀접하게 관련된 기술을 다룸 | 공통 개념: 컴퓨터단층촬영, 폐결절 "
        "| 임상 단계 — 요구 범위(전임상~국내 허가) 안 | 공통 거래 유형: 라이선싱"
    )
    assert first["misfits_ko"] == first["misfits_en"] == ""

    limited = list(
        csv.reader(io.StringIO(rank(write_input(tmp_path, {"offers": OFFERS, "needs": NEEDS}), format="csv", top=1)))
    )
    assert len(limited) == 1 + 2 + 2


def test_it_rejects_an_unknown_enum_value_naming_record_and_field(tmp_path):
    offers = [OFFERS[0], dict(OFFERS[1], stage="clinicl")]
    error = rank_error(write_input(tmp_path, {"offers": offers, "needs": NEEDS}))
    assert error.returncode == 2
    assert str(error) == (
        'offers[1] (id "K-2"): stage: "clinicl" is not one of '
        "concept, prototype, preclinical, clinical, approved_kr, approved_global, marketed"
    )


def test_it_rejects_a_duplicate_id(tmp_path):
    error = rank_error(write_input(tmp_path, {"offers": OFFERS, "needs": [NEEDS[0], dict(NEEDS[1], id="N-B")]}))
    assert error.returncode == 2
    assert str(error) == 'needs[1] (id "N-B"): id: "N-B" is also the id of needs[0]'


def test_it_lists_every_error(tmp_path):
    need = dict(NEEDS[0], stage_min="clinical", stage_max="prototype", regions=[], areas=["imaging", "lungs"])
    del need["title"]
    data = {"offers": [dict(OFFERS[0], deal_types="licensing", region=["US"]), "K-3"], "needs": [need]}
    error = rank_error(write_input(tmp_path, data))
    assert error.returncode == 2
    assert str(error).splitlines() == [
        'offers[0] (id "K-1"): deal_types: expected array, got string',
        'offers[0] (id "K-1"): region: unknown field '
        "(allowed: id, title, description, stage, deal_types, regions, areas, approvals)",
        "offers[1]: expected object, got string",
        'needs[0] (id "N-B"): title: this field is required',
        'needs[0] (id "N-B"): stage_min: "clinical" is after stage_max "prototype"',
        'needs[0] (id "N-B"): regions: must not be empty',
        'needs[0] (id "N-B"): areas[1]: "lungs" is not one of imaging, cardiology, gi_endoscopy, '
        "orthopedics_spine, dental, ophthalmology, ivd, surgical_robotics, regenerative_biomaterials, "
        "digital_therapeutics, patient_monitoring, respiratory, neurology, dermatology_aesthetics, rehabilitation, "
        "clinical_ai, diabetes_metabolic",
    ]


def test_it_scores_approvals_given_as_market_and_status(tmp_path):
    cleared = dict(OFFERS[0], approvals=[["US", "granted"], ["KR", "planned"]])
    need = dict(NEEDS[0], stage_min="approved_global", stage_max="marketed", regions=["US"])
    rankings = json.loads(rank(write_input(tmp_path, {"offers": [cleared, OFFERS[1]], "needs": [need]})))
    by_offer = {entry["offer_id"]: entry for entry in rankings["needs"][need["id"]]}
    assert by_offer["K-1"]["components"]["regulatory"] == 1.0
    assert by_offer["K-2"]["components"]["regulatory"] == 0.0
    assert (
        "Approvals that matter to the need: United States (FDA) Granted" in by_offer["K-1"]["explanation"]["en"]["fits"]
    )


def test_it_rejects_malformed_approvals_naming_each(tmp_path):
    offers = [dict(OFFERS[0], approvals=[["US", "granted"], ["UK", "cleared"], "KR"]), dict(OFFERS[1], approvals={})]
    error = rank_error(write_input(tmp_path, {"offers": offers, "needs": NEEDS}))
    assert error.returncode == 2
    assert str(error).splitlines() == [
        'offers[0] (id "K-1"): approvals[1][0]: "UK" is not one of KR, US, EU, JP, CN',
        'offers[0] (id "K-1"): approvals[1][1]: "cleared" is not one of planned, submitted, granted',
        'offers[0] (id "K-1"): approvals[2]: expected a pair [market, status]',
        'offers[1] (id "K-2"): approvals: expected array, got object',
    ]


def test_it_rejects_invalid_json(tmp_path):
    path = write_input(tmp_path, '{"offers": [}')
    error = rank_error(path)
    assert error.returncode == 2
    assert str(error) == f"{path}: invalid JSON at line 1, column 13: Expecting value"


def test_it_rejects_a_missing_file(tmp_path):
    path = str(tmp_path / "missing.json")
    error = rank_error(path)
    assert error.returncode == 2
    assert str(error) == f"{path}: cannot read the file (No such file or directory)"


def test_it_rejects_a_top_below_one(tmp_path):
    error = rank_error(write_input(tmp_path, {"offers": OFFERS, "needs": NEEDS}), top=0)
    assert error.returncode == 2
    assert str(error) == "--top must be at least 1"
