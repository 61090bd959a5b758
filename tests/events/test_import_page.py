"""The organizer's spreadsheet import at /organize/import/: upload, validate only, the result page
with created rows or the error table, the templates; 404 for everyone but organizers."""

import csv
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from accounts.models import AuditEvent, Organization
from core import runs
from events import import_jobs
from events.models import ImportJob
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
    """Upload, run the queued job as the embedded default does once the request commits (tasks
    in-process), and follow the redirect to the job's page."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(URL, {"file": SimpleUploadedFile(name, data), **fields})
    if response.status_code != 302:
        return response
    assert re.fullmatch(r"/organize/import/\d+/", response["Location"])
    return client.get(response["Location"])


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


def test_an_organizer_cannot_overwrite_a_company_that_manages_its_own_profile(client, organizer):
    claimed = StartupFactory(
        name_ko="메디비전",
        name_en="MediVision",
        business_registration_number="2208162517",
        imported_by=organizer.memberships.get().organization,
    )
    MembershipFactory(organization=claimed, role="admin")  # the company manages its own profile
    client.force_login(organizer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = upload(client, imports.template_csv(), name="applications.csv")
    page = response.content.decode()
    assert (
        "MediVision was not created by your imports, or is now managed by its own members or takes part in "
        "another organizer&#x27;s salon; an import cannot change it." in page
    )
    claimed.refresh_from_db()
    assert (claimed.website, claimed.contact_email) == ("", "")
    assert TechnologyOffer.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_company_that_applied_to_its_salon_is_not_the_organizers_to_change(client, organizer):
    claimed = StartupFactory(name_ko="메디비전", name_en="MediVision", business_registration_number="2208162517")
    MembershipFactory(organization=claimed, role="admin")
    RegistrationFactory(event=EventFactory(organizer=organizer.memberships.get().organization), organization=claimed)
    client.force_login(organizer)
    response = upload(client, imports.template_csv(), name="applications.csv")
    assert "메디비전은(는) 내 가져오기로 만든 기관이 아니거나" in response.content.decode()
    claimed.refresh_from_db()
    assert claimed.contact_email == ""
    assert TechnologyOffer.objects.count() == 0 and AuditEvent.objects.count() == 0


def test_it_updates_a_company_it_imported_that_applied_to_its_salon_and_audits_the_import(client, organizer):
    mine = organizer.memberships.get().organization
    imported = StartupFactory(
        name_ko="메디비전", name_en="MediVision", business_registration_number="2208162517", imported_by=mine
    )
    salon = EventFactory(organizer=mine)
    RegistrationFactory(event=salon, organization=imported)
    client.force_login(organizer)
    response = upload(client, imports.template_csv(), name="applications.csv")
    assert 'id="import-done"' in response.content.decode()
    imported.refresh_from_db()
    assert imported.contact_email == "bd@medivision.example"
    assert list(TechnologyOffer.objects.values_list("organization_id", "title")) == [
        (imported.pk, "흉부 CT 폐결절 검출 AI (LungFinder)")
    ]
    figures = {
        "organization": {"created": 0, "updated": 1, "unchanged": 0},
        "offer": {"created": 1, "updated": 0, "unchanged": 0},
    }
    assert list(AuditEvent.objects.order_by("pk").values_list("action", "actor_id", "organization_id", "details")) == [
        ("import", organizer.pk, mine.pk, {"counts": figures}),
        ("import", organizer.pk, mine.pk, {"salon": salon.pk, "organizations": [imported.pk], "counts": figures}),
    ]


def test_another_organizer_sees_the_operators_import_of_its_participant_in_its_audit(client, organizer, tmp_path):
    other = organizer.memberships.get().organization  # runs the salon; the platform's operator imports
    company = StartupFactory(name_ko="메디비전", name_en="MediVision", business_registration_number="2208162517")
    MembershipFactory(organization=company, role="admin")
    salon = EventFactory(organizer=other, slug="osong-2026")
    RegistrationFactory(event=salon, organization=company)
    path = tmp_path / "applications.csv"
    path.write_bytes(imports.template_csv())
    call_command("import_profiles", str(path), stdout=io.StringIO())
    company.refresh_from_db()
    assert company.contact_email == "bd@medivision.example"
    client.force_login(organizer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get("/organize/audit/?action=import").content.decode()
    assert page.count("Spreadsheet imported") == 2  # the filter's option and the salon's row
    assert 'href="/organize/salons/osong-2026/"' in page
    # An organizer of none of its salons does not see it.
    stranger = UserFactory()
    MembershipFactory(user=stranger, organization=OrganizationFactory(kind="organizer", country="KR"))
    client.force_login(stranger)
    assert client.get("/organize/audit/?action=import").content.decode().count("Spreadsheet imported") == 1


# --- The import as a background job ----------------------------------------------------------------


def test_the_upload_becomes_a_job_that_ran_in_process_and_kept_no_copy_of_the_file(client, organizer):
    client.force_login(organizer)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(URL, {"file": SimpleUploadedFile("지원서.xlsx", valid_workbook())})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/organize/import/{job.pk}/"
    assert (job.organizer_id, job.user_id, job.file_name, job.dry_run, job.language) == (
        organizer.memberships.get().organization_id,
        organizer.pk,
        "지원서.xlsx",
        False,
        "ko",
    )
    assert (job.status, job.rows_done, job.rows_total, bytes(job.data)) == ("done", 8, 8, b"")
    assert job.started_at <= job.finished_at
    assert job.result["ok"] is True and job.result["counts"]["offer"]["created"] == 5
    assert job.result["rows"][0] == {"kind": "organization", "outcome": "created", "sheet": "기관", "row": 2,
                                     "label": "메디비전"}  # fmt: skip
    page = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in page and "<progress" not in page
    assert 'data-status="done"' in page and '<span class="badge">완료</span>' in page
    assert 'id="import-done"' in page and page.count('class="badge outcome-created"') == 8


def test_the_result_keeps_the_language_of_the_upload(client, organizer):
    client.force_login(organizer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    upload(client, bad_workbook())
    job = ImportJob.objects.get()
    assert job.language == "en" and len(job.result["errors"]) == 18
    assert job.result["errors"][1] == {
        "sheet": "기관",
        "row": 3,
        "column": "사업자등록번호",
        "message": "This business registration number fails the checksum; please check each digit.",
    }
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ko"
    page = client.get(f"/organize/import/{job.pk}/").content.decode()
    assert "오류 18건: 아무것도 저장하지 않았습니다." in page
    assert "This business registration number fails the checksum; please check each digit." in page


def test_a_queued_job_shows_its_progress_and_refreshes_itself(client, organizer):
    job = ImportJob.objects.create(
        organizer=organizer.memberships.get().organization, user=organizer, file_name="a.csv", data=b"x"
    )
    client.force_login(organizer)
    page = client.get(f"/organize/import/{job.pk}/").content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert 'data-status="queued"' in page and '<span class="badge">대기 중</span>' in page
    assert '<progress id="import-progress" max="1" value="0">0 / 0</progress>' in page
    assert "작업자를 기다리는 중…" in page and 'id="import-done"' not in page
    # Running: the figures come from the progress store while the import's transaction is open.
    job.status, job.started_at = "running", timezone.now()
    job.save()
    runs.set_state(import_jobs.progress_key(job.pk), "running", done=3, total=8, run=job.started_at.isoformat())
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(f"/organize/import/{job.pk}/").content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page and '<span class="badge">Running</span>' in page
    assert '<progress id="import-progress" max="8" value="3">3 / 8</progress>' in page and "3 of 8 rows" in page


def test_the_import_reports_its_progress_row_by_row(db):
    calls = []
    imports.import_profiles(valid_workbook(), dry_run=True, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(n, 8) for n in range(1, 9)]


def test_a_job_runs_once_and_a_crash_marks_it_failed(client, organizer, monkeypatch):
    job = ImportJob.objects.create(
        organizer=organizer.memberships.get().organization, user=organizer, file_name="a.xlsx", data=valid_workbook()
    )
    assert import_jobs.import_job_run(job.pk).status == "done"
    assert counts() == (4, 5, 4)
    ImportJob.objects.filter(pk=job.pk).update(data=valid_workbook())
    assert import_jobs.import_job_run(job.pk).status == "done"  # a redelivered task does nothing
    assert AuditEvent.objects.filter(action="import").count() == 1

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "import_profiles", crash)
    client.force_login(organizer)
    page = upload(client, valid_workbook()).content.decode()
    failed = ImportJob.objects.latest("pk")
    assert (failed.status, failed.error, bytes(failed.data)) == ("failed", "RuntimeError: disk full", b"")
    assert 'data-status="failed"' in page and 'id="import-crashed"' in page and "disk full" not in page


def test_a_file_over_the_limit_is_not_stored(client, organizer, settings):
    settings.IMPORT_MAX_BYTES = 1000
    client.force_login(organizer)
    with TestCase.captureOnCommitCallbacks() as callbacks:
        client.post(URL, {"file": SimpleUploadedFile("big.xlsx", valid_workbook())})
    job = ImportJob.objects.get()
    assert callbacks == [] and (job.status, bytes(job.data)) == ("done", b"")
    assert job.result["errors"] == [
        {
            "sheet": "",
            "row": None,
            "column": "",
            "message": "파일이 너무 큽니다. 최대 0.0 MB(1000바이트)까지 올릴 수 있습니다.",
        }
    ]


@pytest.mark.parametrize("who", ["colleague", "other organizer", "startup", "anonymous"])
def test_a_job_is_seen_only_by_the_members_of_its_organizer(client, organizer, who):
    mine = organizer.memberships.get().organization
    job = ImportJob.objects.create(organizer=mine, user=organizer, file_name="a.csv", status="done", result={})
    user = UserFactory()
    if who == "colleague":
        MembershipFactory(user=user, organization=mine)
    elif who == "other organizer":
        MembershipFactory(user=user, organization=OrganizationFactory(kind="organizer", country="KR"))
    elif who == "startup":
        MembershipFactory(user=user, organization=StartupFactory())
    if who != "anonymous":
        client.force_login(user)
    response = client.get(f"/organize/import/{job.pk}/")
    expected = {"colleague": 200, "other organizer": 404, "startup": 404, "anonymous": 302}[who]
    assert response.status_code == expected
    assert client.get(f"/organize/import/{job.pk + 1}/").status_code == (302 if who == "anonymous" else 404)
