from django.urls import path

from events import views

urlpatterns = [
    path("", views.home, name="home"),
    path("salons/<slug:slug>/", views.event_detail, name="event-detail"),
]
