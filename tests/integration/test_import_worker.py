"""An organizer's spreadsheet import run by a real Celery worker through a real Redis: the page queues
the job and shows it waiting (refreshing itself), the worker imports the file and empties the stored
bytes, and the same page then shows the result."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from events.models import ImportJob
from matching.models import TechnologyOffer
from tests.integration.conftest import wait_until
from tests.matching.test_imports import valid_workbook

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_worker_runs_the_queued_import_and_the_page_shows_its_result(broker, worker, organizer):
    browser = Client()
    browser.force_login(organizer.user)
    response = browser.post("/organize/import/", {"file": SimpleUploadedFile("지원서.xlsx", valid_workbook())})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/organize/import/{job.pk}/"
    page = browser.get(response["Location"]).content.decode()
    assert job.status == "queued" and len(bytes(job.data)) > 0
    assert '<meta http-equiv="refresh" content="2">' in page and 'data-status="queued"' in page
    worker.start()
    wait_until(lambda: ImportJob.objects.get(pk=job.pk).finished, timeout=120, what="the import job", worker=worker)
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total, bytes(job.data)) == ("done", 8, 8, b"")
    assert TechnologyOffer.objects.count() == 5
    page = browser.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in page and 'id="import-done"' in page
    assert page.count('class="badge outcome-created"') == 8
