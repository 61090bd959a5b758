"""The organizer's spreadsheet import (mounted at ``/organize/import/``): upload an .xlsx or .csv of
organizations and technology offers, check it or import it all at once (``matching.imports``) in the
background (``events.import_jobs``; the job's page at ``/organize/import/<id>/`` shows its progress and
result), and download the templates. Organizers only; everyone else gets 404, like every organizer page."""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from events import import_jobs
from events.models import ImportJob
from events.organize.access import organizer_ids
from matching import imports

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv," + XLSX_TYPE}),
    )
    validate_only = forms.BooleanField(
        label=_("Validate only (save nothing)"),
        required=False,
        help_text=_("Check every row and see what would be created or updated."),
    )


def _field_help() -> list[dict]:
    """The header table of ``matching.imports``, with each column's meaning in the page's language."""
    rows = []
    for column in imports.COLUMNS:
        rows.append(
            {
                "table": column.table,
                "english": ", ".join((column.english, *[a for a in column.aliases if a.isascii()])),
                "korean": ", ".join((column.korean, *[a for a in column.aliases if not a.isascii()])),
                "meaning": column.describe(),
                "required": column.required,
            }
        )
    return rows


@login_required
def import_profiles(request):
    """The upload form; a valid upload becomes a background job (``events.import_jobs``) and the
    browser is sent to its page."""
    organizers = organizer_ids(request)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        # One byte more than the limit is enough for matching.imports to refuse a file too large.
        data = upload.read(settings.IMPORT_MAX_BYTES + 1)
        job = import_jobs.import_job_create(
            organizer_id=min(organizers),
            user=request.user,
            file_name=upload.name,
            data=data,
            dry_run=form.cleaned_data["validate_only"],
            language=translation.get_language(),
        )
        return redirect("organize:import-job", pk=job.pk)
    return render(
        request,
        "events/organize/import.html",
        {
            "form": form,
            "columns": _field_help(),
            "max_rows": settings.IMPORT_MAX_ROWS,
            "max_megabytes": f"{settings.IMPORT_MAX_BYTES / 1024 / 1024:.1f}",
        },
    )


@login_required
@require_GET
def import_job(request, pk: int):
    """A job's status and progress (the page reloads itself every two seconds until it ends: no
    script), then the result. Only the members of the organizer organization that made it see it."""
    job = get_object_or_404(ImportJob.objects.defer("data"), pk=pk, organizer_id__in=organizer_ids(request))
    done, total = import_jobs.progress_of(job)
    result = job.result or {}
    return render(
        request,
        "events/organize/import_job.html",
        {
            "job": job,
            "done": done,
            "total": total,
            "result": result,
            "counts": result.get("counts", {}),
            "file_name": job.file_name,
        },
    )


@login_required
@require_GET
def template_xlsx(request):
    organizer_ids(request)
    response = HttpResponse(imports.template_xlsx(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="partnering-salon-import.xlsx"'
    return response


@login_required
@require_GET
def template_csv(request):
    organizer_ids(request)
    response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="partnering-salon-import.csv"'
    return response
