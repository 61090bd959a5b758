"""The organizer's spreadsheet import at /organize/import/: upload, validate only, the result page
with created rows or the error table, the templates; 404 for everyone but organizers."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEvent, Organization
from matching import imports
from matching.models import RegulatoryApproval, TechnologyOffer
from tests.factories import (
    EventFactory,
    MembershipFactory,
    OrganizationFactory,
    RegistrationFactory,
    StartupFactory,
    UserFactory,
)
from tests.matching.test_imports import bad_workbook, valid_workbook

URL = "/organize/import/"


@pytest.fixture
def organizer(db):
    user = UserFactory()
    MembershipFactory(user=user, organization=OrganizationFactory(kind="organizer", country="KR"))
    return user


def counts():
    return Organization.objects.count(), TechnologyOffer.objects.count(), RegulatoryApproval.objects.count()


def upload(client, data: bytes, name: str = "applications.xlsx", **fields):
    return client.post(URL, {"file": SimpleUploadedFile(name, data), **fields})


def test_an_organizer_imports_a_workbook_and_sees_what_was_created(client, organizer):
    client.force_login(organizer)
    response = upload(client, valid_workbook())
    assert response.status_code == 200
    assert counts() == (4, 5, 4)  # the organizer's own organization, three startups
    page = response.content.decode()
    assert 'id="import-done"' in page and 'id="import-errors"' not in page
    assert page.count('class="badge outcome-created"') == 8
    assert "흉부 CT 폐결절 검출 AI (LungFinder)" in page and "뉴로랩스" in page


def test_validate_only_shows_the_plan_and_saves_nothing(client, organizer):
    client.force_login(organizer)
    response = upload(client, valid_workbook(), validate_only="on")
    assert response.status_code == 200
    assert 'id="import-checked"' in response.content.decode()
    assert counts() == (1, 0, 0)


def test_a_bad_file_shows_every_error_in_english_and_saves_nothing(client, organizer):
    client.force_login(organizer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = upload(client, bad_workbook())
    page = response.content.decode()
    assert response.status_code == 200
    assert counts() == (1, 0, 0)
    assert "18 errors: nothing was saved." in page
    assert page.count("<tr><td>기관</td>") == 9 and page.count("<tr><td>기술</td>") == 9
    assert "This business registration number fails the checksum; please check each digit." in page


def test_content_that_is_not_a_spreadsheet_is_refused(client, organizer):
    client.force_login(organizer)
    response = upload(client, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", name="applications.xlsx")
    assert response.status_code == 200
    assert "xlsx 또는 .csv 파일이 아닙니다" in response.content.decode()
    assert counts() == (1, 0, 0)


def test_a_file_over_the_size_limit_is_refused(client, organizer, settings):
    settings.IMPORT_MAX_BYTES = 1000
    client.force_login(organizer)
    response = upload(client, valid_workbook())
    assert "파일이 너무 큽니다" in response.content.decode()
    assert counts() == (1, 0, 0)


def test_the_form_asks_for_a_file(client, organizer):
    client.force_login(organizer)
    response = client.post(URL, {})
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()


def test_the_templates_hold_the_headers_and_a_korean_example(client, organizer):
    client.force_login(organizer)
    response = client.get(URL + "template.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["기관", "기술"]
    rows = list(book["기술"].iter_rows(values_only=True))
    assert rows[0] == ("회사", "기술명", "기술 설명", "개발 단계", "협력 유형", "목표 지역", "상태", "인허가")
    assert rows[1][3] == "임상"
    response = client.get(URL + "template.csv")
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    header, example = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    assert header[:3] == ["유형", "회사명(국문)", "회사명(영문)"] and example[:3] == [
        "스타트업",
        "메디비전",
        "MediVision",
    ]
    # The templates import as they are.
    assert imports.import_profiles(imports.template_csv(), dry_run=True).ok
    assert imports.import_profiles(imports.template_xlsx(), dry_run=True).ok


def test_the_dashboard_links_to_the_import(client, organizer):
    client.force_login(organizer)
    assert f'href="{URL}"' in client.get("/organize/").content.decode()


@pytest.mark.parametrize("role", ["startup", "outsider"])
def test_it_is_not_found_for_anyone_but_organizers(client, db, role):
    user = UserFactory()
    if role == "startup":
        MembershipFactory(user=user, organization=StartupFactory())
    client.force_login(user)
    for path in (URL, URL + "template.xlsx", URL + "template.csv"):
        assert client.get(path).status_code == 404
    assert upload(client, valid_workbook()).status_code == 404
    assert counts() == ((1, 0, 0) if role == "startup" else (0, 0, 0))


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_organizer_cannot_overwrite_a_company_that_never_applied_to_its_salons(client, organizer):
    claimed = StartupFactory(name_ko="메디비전", name_en="MediVision", business_registration_number="2208162517")
    MembershipFactory(organization=claimed, role="admin")  # the company manages its own profile
    client.force_login(organizer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = upload(client, imports.template_csv(), name="applications.csv")
    page = response.content.decode()
    assert "MediVision is managed by its own members and has not applied to your salons" in page
    claimed.refresh_from_db()
    assert (claimed.website, claimed.contact_email) == ("", "")
    assert TechnologyOffer.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_it_updates_a_company_that_applied_to_its_salon_and_audits_the_import(client, organizer):
    claimed = StartupFactory(name_ko="메디비전", name_en="MediVision", business_registration_number="2208162517")
    MembershipFactory(organization=claimed, role="admin")
    salon = EventFactory(organizer=organizer.memberships.get().organization)
    RegistrationFactory(event=salon, organization=claimed)
    client.force_login(organizer)
    response = upload(client, imports.template_csv(), name="applications.csv")
    assert 'id="import-done"' in response.content.decode()
    claimed.refresh_from_db()
    assert claimed.contact_email == "bd@medivision.example"
    assert list(TechnologyOffer.objects.values_list("organization_id", "title")) == [
        (claimed.pk, "흉부 CT 폐결절 검출 AI (LungFinder)")
    ]
    assert list(AuditEvent.objects.values_list("action", "actor_id", "organization_id", "details")) == [
        (
            "import",
            organizer.pk,
            salon.organizer_id,
            {
                "counts": {
                    "organization": {"created": 0, "updated": 1, "unchanged": 0},
                    "offer": {"created": 1, "updated": 0, "unchanged": 0},
                }
            },
        )
    ]
