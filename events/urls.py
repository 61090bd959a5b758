from django.urls import path

from events import views

urlpatterns = [
    path("", views.home, name="home"),
    path("salons/<slug:slug>/", views.event_detail, name="event-detail"),
    path("salons/<slug:slug>/schedule/", views.schedule_print, name="schedule-print"),
    path("salons/<slug:slug>/schedule.xlsx", views.schedule_xlsx, name="schedule-xlsx"),
    path("salons/<slug:slug>/apply/", views.apply, name="event-apply"),
    path("agenda/", views.agenda_page, name="agenda"),
    path("agenda/meetings/<int:pk>/outcome/", views.record_outcome, name="meeting-outcome"),
    path("agenda.ics", views.agenda_download, name="agenda-ics"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
]
