"""Names and titles are one line; free text holds line breaks and tabs and no other control
character (``core.validators``). Every way in refuses them with a localised error that says where,
and saves nothing: the web form, the API, a meeting request's message, a spreadsheet import.

An organization name with a line break once made request notifications fail after the request was
saved (a line break in an e-mail header): now it cannot be stored."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.models import Organization
from core.validators import forbidden_character, validate_single_line, validate_text
from events import meeting_requests
from events.models import MeetingRequest
from matching import imports
from matching.models import TechnologyOffer
from tests.api.test_bad_input import api, offer_payload
from tests.matching.test_imports import ORGANIZATION_HEADERS, csv_file


@pytest.mark.parametrize(
    ("value", "multiline", "found"),
    [
        ("메디비전 MediVision", False, None),
        ("메디비전\nMediVision", False, (5, "\n")),
        ("MediVision\r", False, (11, "\r")),
        ("Medi\tVision", False, (5, "\t")),
        ("Medi\u2028Vision", False, (5, "\u2028")),
        ("abc\u202eKR", False, (4, "\u202e")),  # right-to-left override
        ("ab\u2066c", False, (3, "\u2066")),  # left-to-right isolate
        ("첫 줄\r\n둘째 줄\t끝", True, None),
        ("소개\x07", True, (3, "\x07")),
        ("소개\x00", True, (3, "\x00")),
        ("소개\u202e", True, (3, "\u202e")),
        ("", False, None),
    ],
)
def test_the_first_forbidden_character_and_its_position(value, multiline, found):
    assert forbidden_character(value, multiline=multiline) == found


def test_the_messages_say_what_and_where_in_korean_and_english():
    for validator, value, korean, english in [
        (
            validate_single_line,
            "메디\n비전",
            "한 줄로 입력하세요. 줄바꿈이나 제어 문자는 쓸 수 없습니다(3번째 글자: 줄바꿈).",
            "Use one line without line breaks or control characters (found a line break at position 3).",
        ),
        (
            validate_single_line,
            "메디\t비전",
            "한 줄로 입력하세요. 줄바꿈이나 제어 문자는 쓸 수 없습니다(3번째 글자: 탭).",
            "Use one line without line breaks or control characters (found a tab at position 3).",
        ),
        (
            validate_text,
            "소개\x1b[31m",
            "제어 문자가 들어 있습니다(3번째 글자: U+001B). 지워 주세요.",
            "This text contains a control character (U+001B at position 3); please remove it.",
        ),
    ]:
        for language, message in (("ko", korean), ("en", english)):
            with translation.override(language), pytest.raises(ValidationError) as error:
                validator(value)
            with translation.override(language):
                assert error.value.messages == [message]
            assert error.value.error_list[0].code == "control_character"


def test_the_organization_form_refuses_a_name_with_a_line_break(client, owner):
    client.force_login(owner)
    before = Organization.objects.count()
    response = client.post(
        "/accounts/organization/new/",
        {
            "kind": "corporate",
            "name_ko": "글로벌\r\n메드",
            "name_en": "Global\u202eMed",
            "country": "US",
            "description": "첫 줄\n둘째 줄",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "name_ko": ["한 줄로 입력하세요. 줄바꿈이나 제어 문자는 쓸 수 없습니다(4번째 글자: 줄바꿈)."],
        "name_en": ["한 줄로 입력하세요. 줄바꿈이나 제어 문자는 쓸 수 없습니다(7번째 글자: U+202E)."],
    }
    assert Organization.objects.count() == before


def test_the_api_refuses_a_title_with_a_line_break_and_saves_nothing(owner, startup):
    client = api(owner, "ko")
    response = client.post(
        "/api/v1/offers/",
        offer_payload(startup, title="폐결절 AI\r\nBcc: victim@example.com", description="설명\x0b끝"),
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "title": ["한 줄로 입력하세요. 줄바꿈이나 제어 문자는 쓸 수 없습니다(7번째 글자: 줄바꿈)."],
        "description": ["제어 문자가 들어 있습니다(3번째 글자: U+000B). 지워 주세요."],
    }
    assert TechnologyOffer.objects.count() == 0

    response = client.post(
        "/api/v1/offers/", offer_payload(startup, title="A\nI"), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json() == {
        "title": ["Use one line without line breaks or control characters (found a line break at position 2)."]
    }
    assert TechnologyOffer.objects.count() == 0


def test_a_request_message_may_have_lines_but_no_bell(salon, startup, offer, need):
    with pytest.raises(ValidationError) as error:
        meeting_requests.meeting_request_create(
            event=salon, requester=startup, offer=offer, need=need, message="안녕하세요\n뵙고 싶습니다\x07"
        )
    assert error.value.messages == ["제어 문자가 들어 있습니다(14번째 글자: U+0007). 지워 주세요."]
    assert MeetingRequest.objects.count() == 0
    request = meeting_requests.meeting_request_create(
        event=salon, requester=startup, offer=offer, need=need, message="안녕하세요\n뵙고 싶습니다", confirm_misfit=True
    )
    assert request.message == "안녕하세요\n뵙고 싶습니다"


def test_an_import_row_with_a_line_break_in_a_name_is_an_error_of_its_row(db):
    rows = [
        ORGANIZATION_HEADERS,
        ["corporate", "글로벌\n메드", "GlobalMed", "", "US", "", "", "", "", "", "첫 줄\n둘째 줄"],
    ]
    result = imports.import_profiles(csv_file(rows))
    assert [(error.row, error.column, error.message) for error in result.errors] == [
        (2, "회사명(국문)", "한 줄로 입력하세요. 줄바꿈이나 제어 문자는 쓸 수 없습니다(4번째 글자: 줄바꿈)."),
    ]
    assert Organization.objects.count() == 0
