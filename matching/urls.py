"""Web pages of startups and BD teams (profiles, matches, requests): mounted at /workspace/."""

from django.urls import path

from matching import views

app_name = "workspace"

urlpatterns = [
    path("", views.home, name="home"),
    path("offers/new/", views.offer_new, name="offer-new"),
    path("offers/<int:pk>/edit/", views.offer_edit, name="offer-edit"),
    path("offers/<int:pk>/matches/", views.offer_matches, name="offer-matches"),
    path("offers/<int:pk>/teaser.pdf", views.offer_teaser, name="offer-teaser"),
    path("needs/new/", views.need_new, name="need-new"),
    path("needs/<int:pk>/edit/", views.need_edit, name="need-edit"),
    path("needs/<int:pk>/matches/", views.need_matches, name="need-matches"),
    path("needs/<int:pk>/shortlist/<int:offer_pk>/", views.shortlist_toggle, name="shortlist-toggle"),
    path("concepts/suggest/", views.concept_suggest, name="concept-suggest"),
    path("requests/new/", views.request_new, name="request-new"),
    path("requests/<int:pk>/accept/", views.request_accept, name="request-accept"),
    path("requests/<int:pk>/decline/", views.request_decline, name="request-decline"),
    path("requests/<int:pk>/cancel/", views.request_cancel, name="request-cancel"),
]
