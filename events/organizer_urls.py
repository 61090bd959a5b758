"""Web pages of salon organizers: mounted at /organize/."""

from django.urls import include, path

from events import organizer_views as views

app_name = "organize"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("embed/", views.embed_everything, name="embed"),
    path("embed.json", views.embed_status, name="embed-status"),
    path("import/", include("events.import_urls")),
    path("audit/", views.audit_log, name="audit"),
    path("salons/new/", views.salon_create, name="salon-create"),
    path("salons/<slug:slug>/", views.salon_control, name="salon"),
    path("salons/<slug:slug>/edit/", views.salon_edit, name="salon-edit"),
    path("salons/<slug:slug>/slots/", views.generate_slots, name="generate-slots"),
    path("salons/<slug:slug>/tables/", views.generate_tables, name="generate-tables"),
    path("salons/<slug:slug>/transition/", views.salon_transition, name="transition"),
    path("salons/<slug:slug>/registrations/<int:pk>/", views.registration_status, name="registration-status"),
    path("salons/<slug:slug>/runs/<str:kind>/", views.start_run, name="start-run"),
    path("salons/<slug:slug>/runs.json", views.run_status, name="run-status"),
    path("salons/<slug:slug>/schedule/", views.schedule, name="schedule"),
    path("salons/<slug:slug>/meetings/<int:pk>/move/", views.move_meeting, name="move-meeting"),
    path("salons/<slug:slug>/meetings/<int:pk>/lock/", views.lock_meeting, name="lock-meeting"),
]
