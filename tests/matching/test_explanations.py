"""matching.explanations: the exact Korean and English lines for each kind of fit and misfit."""

from matching.explanations import PairFacts, explain


def facts(**overrides) -> PairFacts:
    base = dict(
        shared_concepts=(("폐결절", "lung nodule"), ("흉부 CT", "chest CT")),
        offer_stage="clinical",
        need_stage_min="preclinical",
        need_stage_max="approved_kr",
        approvals=(("US", "fda_510k", "granted"),),
        wanted_markets=("US",),
        common_deal_types=("licensing",),
        need_deal_types=("licensing", "co_development"),
        common_regions=True,
        need_regions=("US",),
    )
    base.update(overrides)
    return PairFacts(**base)


def test_a_fitting_pair_names_concepts_stage_approvals_and_deals_in_both_languages():
    assert explain(facts()) == {
        "ko": {
            "fits": [
                "공통 개념: 폐결절, 흉부 CT",
                "임상 단계 — 요구 범위(전임상~국내 허가) 안",
                "수요에 관련된 인허가: FDA 510(k) 허가됨",
                "공통 거래 유형: 라이선싱",
            ],
            "misfits": [],
        },
        "en": {
            "fits": [
                "Shared concepts: lung nodule, chest CT",
                "Clinical — within the requested range (Preclinical to Approved in Korea)",
                "Approvals that matter to the need: FDA 510(k) Granted",
                "Deal types in common: Licensing",
            ],
            "misfits": [],
        },
    }


def test_a_pair_that_does_not_fit_says_why():
    result = explain(
        facts(
            shared_concepts=(),
            offer_stage="prototype",
            need_stage_min="clinical",
            need_stage_max="marketed",
            approvals=(),
            wanted_markets=("EU",),
            common_deal_types=(),
            need_deal_types=("oem_integration",),
            common_regions=False,
            need_regions=("EU", "JP"),
        )
    )
    assert result["ko"] == {
        "fits": [],
        "misfits": [
            "공통 분류 개념 없음",
            "너무 이른 단계: 시제품, 요구 범위는 임상 이후",
            "공통 거래 유형 없음 (수요 측 거래 유형: OEM / 통합)",
            "공통 목표 지역 없음 (수요 측 지역: 유럽, 일본)",
        ],
    }
    assert result["en"]["misfits"] == [
        "No taxonomy concept in common",
        "Too early: Prototype, the need asks for Clinical or later",
        "No deal type in common (the need offers: OEM / integration)",
        "No target region in common (the need asks for: Europe, Japan)",
    ]


def test_too_late_missing_approval_and_more_than_five_concepts():
    result = explain(
        facts(
            shared_concepts=tuple((f"개념{i}", f"concept {i}") for i in range(7)),
            offer_stage="marketed",
            need_stage_min="approved_kr",
            need_stage_max="approved_global",
            approvals=(),
            wanted_markets=("KR",),
            common_deal_types=("pilot",),
            need_deal_types=("pilot",),
            need_regions=("KR",),
        )
    )
    assert result["ko"] == {
        "fits": ["공통 개념: 개념0, 개념1, 개념2, 개념3, 개념4 외 2개", "공통 거래 유형: 파일럿 / PoC"],
        "misfits": ["요구보다 늦은 단계: 시판 중, 요구 범위는 해외 허가까지", "요구 시장(한국 (식약처))의 인허가 없음"],
    }
    assert result["en"] == {
        "fits": [
            "Shared concepts: concept 0, concept 1, concept 2, concept 3, concept 4 and 2 more",
            "Deal types in common: Pilot / PoC",
        ],
        "misfits": [
            "Too late: Marketed, the need asks for Approved globally at the latest",
            "No approval yet in the markets the need asks for (Korea (MFDS))",
        ],
    }


def test_a_missing_approval_is_no_misfit_when_the_need_accepts_earlier_stages():
    # The need starts at clinical: products before any approval are welcome.
    result = explain(facts(approvals=(), wanted_markets=("EU",), need_stage_min="clinical", need_stage_max="marketed"))
    assert result["en"]["misfits"] == []
    assert result["en"]["fits"][2] == "Deal types in common: Licensing"


def test_close_and_far_texts_and_different_device_areas_are_named():
    close = explain(facts(semantic=0.75, offer_areas=(("영상진단·영상 AI", "Imaging and imaging AI"),)))
    assert close["ko"]["fits"][0] == "두 설명이 밀접하게 관련된 기술을 다룸"
    assert close["en"]["fits"][0] == "The descriptions are about closely related technology"
    far = explain(
        facts(
            semantic=0.05,
            offer_areas=(("정형외과·척추", "Orthopedics and spine"), ("수술 로봇", "Surgical robotics")),
            need_areas=(("영상진단·영상 AI", "Imaging and imaging AI"),),
        )
    )
    assert far["ko"]["misfits"] == [
        "두 설명이 서로 다른 기술을 다룸",
        "기기 분야가 다름: 기술은 정형외과·척추, 수술 로봇, 수요는 영상진단·영상 AI 분야",
    ]
    assert far["en"]["misfits"] == [
        "The descriptions are about different technology",
        "Different device areas: the offer is in Orthopedics and spine, Surgical robotics, "
        "the need in Imaging and imaging AI",
    ]
    # In between, or when nothing was embedded, the texts are not called close or far.
    assert explain(facts(semantic=0.4)) == explain(facts()) == explain(facts(semantic=None))
