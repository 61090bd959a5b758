"""Web pages of salon organizers: mounted at /organize/."""

from django.urls import path

from events.organize import audit, control, dashboard, imports, mail, review, runs, salon, schedule

app_name = "organize"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("embed/", dashboard.embed_everything, name="embed"),
    path("embed.json", dashboard.embed_status, name="embed-status"),
    path("import/", imports.import_profiles, name="import"),
    path("import/<int:pk>/", imports.import_job, name="import-job"),
    path("import/template.xlsx", imports.template_xlsx, name="import-template-xlsx"),
    path("import/template.csv", imports.template_csv, name="import-template-csv"),
    path("audit/", audit.audit_log, name="audit"),
    path("review/", review.review_queue, name="review"),
    path("review/<uuid:public_id>/approve/", review.approve, name="review-approve"),
    path("review/<uuid:public_id>/return/", review.send_back, name="review-return"),
    path("salons/new/", salon.salon_create, name="salon-create"),
    path("salons/<slug:slug>/", control.salon_control, name="salon"),
    path("salons/<slug:slug>/edit/", salon.salon_edit, name="salon-edit"),
    path("salons/<slug:slug>/slots/", salon.generate_slots, name="generate-slots"),
    path("salons/<slug:slug>/tables/", salon.generate_tables, name="generate-tables"),
    path("salons/<slug:slug>/transition/", control.salon_transition, name="transition"),
    path("salons/<slug:slug>/transition/confirm/", control.transition_confirm, name="transition-confirm"),
    path("salons/<slug:slug>/registrations/<int:pk>/", control.registration_status, name="registration-status"),
    path("salons/<slug:slug>/runs/<str:kind>/", runs.start_run, name="start-run"),
    path("salons/<slug:slug>/runs.json", runs.run_status, name="run-status"),
    path("salons/<slug:slug>/schedule/", schedule.schedule, name="schedule"),
    path("salons/<slug:slug>/meetings/<int:pk>/move/", schedule.move_meeting, name="move-meeting"),
    path("salons/<slug:slug>/meetings/<int:pk>/lock/", schedule.lock_meeting, name="lock-meeting"),
    path("salons/<slug:slug>/mail/", mail.undelivered_mail, name="mail"),
    path("salons/<slug:slug>/mail/<int:pk>/retry/", mail.retry_mail, name="retry-mail"),
]
