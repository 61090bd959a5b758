"""The workspace pages that ``events`` serves (home and meeting requests), mounted at /workspace/
together with ``matching.urls`` under the ``workspace`` namespace (``config.urls``)."""

from django.urls import path

from events import workspace_views as views

urlpatterns = [
    path("", views.home, name="home"),
    path("requests/new/", views.request_new, name="request-new"),
    path("requests/<int:pk>/accept/", views.request_accept, name="request-accept"),
    path("requests/<int:pk>/decline/", views.request_decline, name="request-decline"),
    path("requests/<int:pk>/cancel/", views.request_cancel, name="request-cancel"),
]
