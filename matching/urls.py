"""Web pages of startups and BD teams about their profiles and matches: mounted at /workspace/
(with ``events.workspace_urls``, in the ``workspace`` namespace: ``config.urls``)."""

from django.urls import path

from matching import views

urlpatterns = [
    path("offers/new/", views.profile_new, {"kind": "offer"}, name="offer-new"),
    path("offers/<uuid:public_id>/", views.offer_detail, name="offer-detail"),
    path("offers/<uuid:public_id>/edit/", views.profile_edit, {"kind": "offer"}, name="offer-edit"),
    path("offers/<uuid:public_id>/matches/", views.offer_matches, name="offer-matches"),
    path("offers/<uuid:public_id>/teaser.pdf", views.offer_teaser, name="offer-teaser"),
    path("needs/new/", views.profile_new, {"kind": "need"}, name="need-new"),
    path("needs/<uuid:public_id>/", views.need_detail, name="need-detail"),
    path("needs/<uuid:public_id>/edit/", views.profile_edit, {"kind": "need"}, name="need-edit"),
    path("needs/<uuid:public_id>/matches/", views.need_matches, name="need-matches"),
    path("needs/<uuid:public_id>/shortlist/<uuid:offer_public_id>/", views.shortlist_toggle, name="shortlist-toggle"),
    path("concepts/suggest/", views.concept_suggest, name="concept-suggest"),
]
