"""The spreadsheet import of the organizer's pages: included at /organize/import/."""

from django.urls import path

from events import import_views as views

urlpatterns = [
    path("", views.import_profiles, name="import"),
    path("template.xlsx", views.template_xlsx, name="import-template-xlsx"),
    path("template.csv", views.template_csv, name="import-template-csv"),
]
